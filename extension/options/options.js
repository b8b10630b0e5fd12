// Options: server, API key, private mode, badges, sites, extra Mastodon instances.
import {
  BADGES,
  SITES,
  isLoopback,
  loadSettings,
  normaliseInstance,
  normaliseServer,
  originPattern,
  saveSettings,
} from "../lib/settings.js";

const BADGE_LABELS = {
  follower_purchase_risk: "Follower-purchase risk",
  reply_rate: "Reply rate",
  follow_back_ring: "Follow-back-ring membership",
};
const $ = (id) => document.getElementById(id);
let instances = [];

function say(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function checkbox(group, name, label, checked) {
  const input = document.createElement("input");
  input.type = "checkbox";
  input.name = `${group}.${name}`;
  input.id = `${group}-${name}`;
  input.checked = checked;
  const lab = document.createElement("label");
  lab.className = "check";
  lab.append(input, document.createTextNode(label));
  return lab;
}

function renderInstances() {
  const items = instances.map((host) => {
    const li = document.createElement("li");
    const rm = document.createElement("button");
    rm.type = "button";
    rm.textContent = "Remove";
    rm.addEventListener("click", () => {
      instances = instances.filter((h) => h !== host);
      chrome.permissions.remove({ origins: [`https://${host}/*`] }).catch(() => {});
      renderInstances();
    });
    li.append(document.createTextNode(`${host} `), rm);
    return li;
  });
  $("instances").replaceChildren(...items);
}

async function show() {
  const s = await loadSettings();
  $("server").value = s.server;
  $("apiKey").value = s.apiKey;
  $("privateMode").checked = s.privateMode;
  $("badges").append(...BADGES.map((b) => checkbox("badges", b, BADGE_LABELS[b], s.badges[b])));
  $("sites").append(
    ...Object.entries(SITES).map(([id, site]) => checkbox("sites", id, site.label, s.sites[id])),
  );
  instances = [...s.mastodonInstances];
  renderInstances();
}

/** Firefox asks the user before data leaves the browser; Chrome has no such key. */
async function firefoxDataConsent(wantsHandles) {
  if (!wantsHandles || !navigator.userAgent.includes("Firefox")) return true;
  try {
    return await chrome.permissions.request({ data_collection: ["websiteContent"] });
  } catch {
    return true;
  }
}

$("addInstance").addEventListener("click", async () => {
  try {
    const host = normaliseInstance($("instance").value);
    // Must run inside the click: permission prompts need a user gesture.
    const granted = await chrome.permissions.request({ origins: [`https://${host}/*`] });
    if (!granted) return say(`Permission for ${host} was not granted.`, true);
    if (!instances.includes(host)) instances.push(host);
    $("instance").value = "";
    renderInstances();
    await saveSettings({ mastodonInstances: instances });
    say(`Added ${host}.`);
  } catch (err) {
    say(err.message, true);
  }
});

$("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const server = normaliseServer($("server").value);
    if (!isLoopback(server)) {
      const granted = await chrome.permissions.request({ origins: [originPattern(server)] });
      if (!granted) return say(`Permission to reach ${server} was not granted.`, true);
    }
    const privateMode = $("privateMode").checked;
    const apiKey = $("apiKey").value.trim();
    if (!(await firefoxDataConsent(!privateMode || Boolean(apiKey)))) {
      return say("Without consent to send handles, keep private mode on.", true);
    }
    const badges = Object.fromEntries(BADGES.map((b) => [b, $(`badges-${b}`).checked]));
    const sites = Object.fromEntries(Object.keys(SITES).map((id) => [id, $(`sites-${id}`).checked]));
    await saveSettings({ server, apiKey, privateMode, badges, sites, mastodonInstances: instances });
    $("server").value = server;
    say("Saved.");
  } catch (err) {
    say(err.message, true);
  }
});

$("test").addEventListener("click", async () => {
  say("Asking the server…");
  const r = await chrome.runtime.sendMessage({ type: "testServer" });
  if (r.ok) {
    say(`OK: model ${r.meta.model_version}, prefix length ${r.meta.prefix_length}.`);
  } else {
    say(`The server did not answer: ${r.message}`, true);
  }
});

$("clear").addEventListener("click", async () => {
  const r = await chrome.runtime.sendMessage({ type: "clearCache" });
  say(`Cleared ${r.removed} cached entries.`);
});

show();
