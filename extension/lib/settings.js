// Settings shared by the service worker, the options page and the popup.
// Everything lives in chrome.storage.local: the worker can be evicted at any moment, and an
// API key should not travel to other devices through storage.sync.

export const DEFAULT_SERVER = "http://127.0.0.1:5000";

export const BADGES = ["follower_purchase_risk", "reply_rate", "follow_back_ring"];

// Site ids match content/sites/<id>.js; platform ids match the API (GET /meta).
export const SITES = {
  x: { platform: "x", label: "X (x.com, twitter.com)" },
  bluesky: { platform: "bluesky", label: "Bluesky (bsky.app)" },
  mastodon: { platform: "mastodon", label: "Mastodon" },
  instagram: { platform: "instagram", label: "Instagram" },
};

export const DEFAULTS = Object.freeze({
  server: DEFAULT_SERVER,
  apiKey: "",
  // Private mode is on by default: only hash prefixes leave the browser.
  privateMode: true,
  badges: { follower_purchase_risk: true, reply_rate: true, follow_back_ring: true },
  sites: { x: true, bluesky: true, mastodon: true, instagram: true },
  // Extra Mastodon instances (host names); mastodon.social is always covered by the manifest.
  mastodonInstances: [],
});

const KEY = "settings";

/** Defaults overlaid with what the user saved (nested objects merged one level deep). */
export function mergeSettings(saved) {
  const s = saved || {};
  return {
    ...DEFAULTS,
    ...s,
    badges: { ...DEFAULTS.badges, ...(s.badges || {}) },
    sites: { ...DEFAULTS.sites, ...(s.sites || {}) },
    mastodonInstances: Array.isArray(s.mastodonInstances) ? s.mastodonInstances : [],
  };
}

export async function loadSettings() {
  const got = await chrome.storage.local.get(KEY);
  return mergeSettings(got[KEY]);
}

export async function saveSettings(patch) {
  const current = await loadSettings();
  const next = mergeSettings({ ...current, ...patch });
  await chrome.storage.local.set({ [KEY]: next });
  return next;
}

/** "http://host:port/path/" -> "http://host:port/path" (no trailing slash); throws on junk. */
export function normaliseServer(url) {
  const u = new URL(String(url).trim());
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new Error("the server URL must start with http:// or https://");
  }
  return (u.origin + u.pathname).replace(/\/+$/, "");
}

/** The match pattern that host_permissions needs to reach `server`. */
export function originPattern(server) {
  const u = new URL(server);
  return `${u.protocol}//${u.hostname}/*`;
}

export function isLoopback(server) {
  const host = new URL(server).hostname;
  return host === "127.0.0.1" || host === "localhost";
}

/** "mastodon.example" from what a user types ("https://mastodon.example/@me" works too). */
export function normaliseInstance(text) {
  let t = String(text).trim().toLowerCase();
  if (!t) throw new Error("empty instance name");
  if (!/^https?:\/\//.test(t)) t = `https://${t}`;
  const host = new URL(t).hostname;
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(host)) throw new Error(`not a host name: ${text}`);
  return host;
}
