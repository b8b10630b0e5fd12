// Account identity shared by the worker and the pages: normalised handles and lookup keys.
// The key is sha256("platform:handle") in hex, exactly as the server computes it.

const HANDLE_SYNTAX = {
  x: /^([A-Za-z0-9_]{1,15})$/,
  instagram: /^([A-Za-z0-9._]{1,30})$/,
  bluesky: /^((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61})$/,
  mastodon: /^([A-Za-z0-9_]{1,30}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/,
};
const HANDLE_MAX = { x: 16, instagram: 31, bluesky: 254, mastodon: 300 };

/** genuine.handles.parse: blanks and leading @s dropped, lower case; "" when no lookup could find it.
 * Tested equal to the server on tests/handles_cases.json. */
export function normaliseHandle(platform, handle) {
  let h = String(handle || "").trim();
  while (h.startsWith("@")) h = h.slice(1);
  h = h.trim();
  if (!Object.hasOwn(HANDLE_SYNTAX, platform) || h.length > Math.min(255, HANDLE_MAX[platform])) return "";
  const m = HANDLE_SYNTAX[platform].exec(h);
  return m ? m[1].toLowerCase() : "";
}

export function accountId(platform, handle) {
  return `${platform}:${handle}`;
}

export async function lookupKey(platform, handle) {
  const data = new TextEncoder().encode(accountId(platform, handle));
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
