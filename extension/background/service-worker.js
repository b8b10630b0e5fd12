// The service worker: one message router, every listener registered at top level (the worker
// can be evicted at any moment and is woken by these events), all state in chrome.storage.

import { apiRequest, getApiState, resetApiState } from "./api.js";
import { clearCache, fullCard, lookup } from "./lookup.js";
import { normaliseHandle } from "../lib/accounts.js";
import { loadSettings, SITES } from "../lib/settings.js";

const PLATFORMS = new Set(Object.values(SITES).map((s) => s.platform));
const EXTRA_MASTODON_ID = "genuine-mastodon-extra";
const MASTODON_FILES = [
  "content/core.js",
  "content/render.js",
  "content/sites/mastodon.js",
  "content/boot.js",
];

function cleanAccounts(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((a) => a && PLATFORMS.has(a.platform) && typeof a.handle === "string")
    .map((a) => ({ platform: a.platform, handle: a.handle }));
}

const handlers = {
  /** From content scripts: badge results for a list of accounts. */
  async lookup(msg) {
    return { results: await lookup(cleanAccounts(msg.accounts)) };
  },

  /** From the badge popover: the full card of an account shown from a compact entry. */
  async card(msg) {
    const [acct] = cleanAccounts([msg]);
    if (!acct) return { result: { status: "error", kind: "client_error", message: "bad account" } };
    return { result: await fullCard(acct) };
  },

  /** From content scripts: what to show. The API key itself never leaves the worker. */
  async config() {
    const s = await loadSettings();
    return { badges: s.badges, sites: s.sites, canAudit: Boolean(s.apiKey), server: s.server };
  },

  /** From the badge popover: POST /audits (only with an API key; sends this one handle). */
  async audit(msg) {
    const s = await loadSettings();
    if (!s.apiKey) return { ok: false, message: "set an API key in the options first" };
    const [acct] = cleanAccounts([msg]);
    const handle = acct && normaliseHandle(acct.platform, acct.handle);
    if (!handle) return { ok: false, message: "not a valid account" };
    try {
      const { status, body } = await apiRequest(s.server, "/audits", {
        method: "POST",
        json: { account: { platform: acct.platform, handle } },
        headers: { "X-API-Key": s.apiKey },
      });
      if (status === 404) return { ok: false, message: "this server does not take audits" };
      return { ok: true, id: body && body.id, status: (body && body.status) || "queued" };
    } catch (err) {
      return { ok: false, message: err.message };
    }
  },

  /** From the popup: the API state (backoff, last error, request count). Content scripts can
   * send this message too, so the settings go without the API key, which stays here. */
  async apiState() {
    const { apiKey, ...settings } = await loadSettings();
    return { state: await getApiState(), settings: { ...settings, hasApiKey: Boolean(apiKey) } };
  },

  /** From the options page: forget cached cards and any backoff. */
  async clearCache() {
    const removed = await clearCache();
    await resetApiState();
    return { removed };
  },

  /** From the options page: ask GET /meta once, ignoring (and clearing) any backoff. */
  async testServer() {
    await resetApiState();
    const s = await loadSettings();
    try {
      const { status, body } = await apiRequest(s.server, "/meta");
      return status === 200 ? { ok: true, meta: body } : { ok: false, message: `HTTP ${status}` };
    } catch (err) {
      return { ok: false, message: err.message };
    }
  },
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  const handler = msg && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (!handler) return false;
  Promise.resolve()
    .then(() => handler(msg, sender))
    .then(sendResponse, (err) => sendResponse({ error: String((err && err.message) || err) }));
  return true; // the answer comes asynchronously
});

/** Content scripts for the Mastodon instances the user added (and granted) in the options. */
async function syncMastodonInstances() {
  const s = await loadSettings();
  const origins = [];
  for (const host of s.mastodonInstances) {
    const origin = `https://${host}/*`;
    if (await chrome.permissions.contains({ origins: [origin] })) origins.push(origin);
  }
  const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [EXTRA_MASTODON_ID] });
  if (existing.length) {
    await chrome.scripting.unregisterContentScripts({ ids: [EXTRA_MASTODON_ID] });
  }
  if (origins.length) {
    await chrome.scripting.registerContentScripts([
      { id: EXTRA_MASTODON_ID, matches: origins, js: MASTODON_FILES, runAt: "document_idle" },
    ]);
  }
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "local" || !changes.settings) return;
  const before = changes.settings.oldValue || {};
  const after = changes.settings.newValue || {};
  if (before.server !== after.server || before.privateMode !== after.privateMode) {
    clearCache().then(resetApiState);
  }
  if (JSON.stringify(before.mastodonInstances) !== JSON.stringify(after.mastodonInstances)) {
    syncMastodonInstances();
  }
});

chrome.permissions.onAdded.addListener(() => syncMastodonInstances());
chrome.permissions.onRemoved.addListener(() => syncMastodonInstances());
chrome.runtime.onInstalled.addListener(() => {
  syncMastodonInstances();
  clearCache({ expiredOnly: true });
});
chrome.runtime.onStartup.addListener(() => clearCache({ expiredOnly: true }));
