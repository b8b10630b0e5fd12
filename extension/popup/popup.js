// The popup: what this page shows (from its content script) and the server's state (from the
// worker). `?tab=<id>` picks a tab explicitly (used by the tests; the toolbar popup does not).
const $ = (id) => document.getElementById(id);

const PROBLEM = {
  rate_limited: "The server is rate limiting Genuine",
  server_error: "The server is failing",
  unreachable: "The server cannot be reached",
  client_error: "The server refused a request",
  bad_response: "The server answered something unexpected",
  unsafe_prefix: "Private mode refused this server",
};

async function tabId() {
  const fromQuery = new URLSearchParams(location.search).get("tab");
  if (fromQuery) return Number(fromQuery);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab && tab.id;
}

async function showPage() {
  const id = await tabId();
  let stats = null;
  try {
    stats = id != null ? await chrome.tabs.sendMessage(id, { type: "stats" }) : null;
  } catch {
    stats = null;
  }
  if (!stats) {
    $("pageSummary").textContent = "Genuine does not run on this page.";
    $("counts").hidden = true;
    return;
  }
  if (!stats.enabled) {
    $("pageSummary").textContent = `Genuine is switched off for this site (${stats.site}).`;
    $("counts").hidden = true;
    return;
  }
  $("pageSummary").textContent = `On this page (${stats.site}):`;
  for (const k of ["found", "annotated", "notFound", "errors"]) $(k).textContent = String(stats[k]);
  $("counts").hidden = false;
  if (stats.errors && stats.lastError) $("pageSummary").textContent += ` last error: ${stats.lastError}`;
}

async function showServer() {
  const { state, settings } = await chrome.runtime.sendMessage({ type: "apiState" });
  const el = $("apiStatus");
  if (state.status === "ok") {
    el.className = "ok";
    el.textContent = `Server OK (${settings.server}), ${state.requests || 0} requests so far.`;
  } else {
    el.className = "problem";
    const waiting = state.until > Date.now()
      ? ` Retrying in ${Math.ceil((state.until - Date.now()) / 1000)} s.`
      : " Retrying on the next lookup.";
    el.textContent = `${PROBLEM[state.status] || "Problem"}: ${state.message}.${waiting}`;
  }
  el.dataset.state = state.status;
  $("mode").textContent = settings.privateMode
    ? "Private mode: only hash prefixes are sent."
    : "Private mode is off: handles on the page are sent to the server.";
}

$("options").addEventListener("click", (e) => {
  e.preventDefault();
  chrome.runtime.openOptionsPage();
});

async function refresh() {
  await Promise.all([showPage(), showServer()]);
}
refresh();
setInterval(refresh, 1000);
