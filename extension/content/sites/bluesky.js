// Bluesky (bsky.app): selectors only. The app is react-native-web: class names are generated,
// but testIDs become data-testid and every account link is a[href="/profile/<handle>"].
(() => {
  "use strict";
  const G = globalThis.Genuine;
  const PROFILE_PATH = /^\/profile\/([^/]+)\/?$/;
  const fromPath = (path) => {
    const m = PROFILE_PATH.exec(path);
    return m && !m[1].startsWith("did:") ? decodeURIComponent(m[1]) : "";
  };
  G.registerSite({
    id: "bluesky",
    platform: "bluesky",
    matches: ["https://bsky.app/*"],
    rules: [
      // Profile header: the display name; the handle is the "@handle" line in the same header,
      // or (when the header shows only a DID) the page address.
      {
        kind: "full",
        selector: '[data-testid="profileHeaderDisplayName"]',
        handle: (el) => {
          const header = el.closest('[data-testid="profileView"]') || el.parentElement;
          const at = header ? G.dom.atText(header) : "";
          return at || fromPath(location.pathname);
        },
        place: "after",
      },
      // Posts, replies, follower lists: the author link that shows "@handle" (avatar links have
      // no text, post links have /post/ in the path, so neither matches).
      {
        kind: "compact",
        selector: 'a[href^="/profile/"]',
        handle: (a) => {
          const h = fromPath(G.dom.path(a));
          return h && G.dom.text(a).toLowerCase().includes(`@${h.toLowerCase()}`) ? h : "";
        },
        place: "after",
      },
    ],
  });
})();
