// Account identity shared by the worker and the pages: normalised handles and lookup keys.
// The key is sha256("platform:handle") in hex, exactly as the server computes it.

/** Lower case, no leading "@"; Mastodon keeps "user@instance". Returns "" for junk. */
export function normaliseHandle(platform, handle) {
  let h = String(handle || "").trim().toLowerCase();
  while (h.startsWith("@")) h = h.slice(1);
  if (!h || h.length > 320) return "";
  const ok = {
    x: /^[a-z0-9_]{1,15}$/,
    instagram: /^[a-z0-9._]{1,30}$/,
    bluesky: /^[a-z0-9-]+(\.[a-z0-9-]+)+$/,
    mastodon: /^[a-z0-9_.-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/,
  }[platform];
  return ok && ok.test(h) ? h : "";
}

export function accountId(platform, handle) {
  return `${platform}:${handle}`;
}

export async function lookupKey(platform, handle) {
  const data = new TextEncoder().encode(accountId(platform, handle));
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
