// Instagram (instagram.com): selectors only. Class names are generated (x1lliihq ...), so we
// hold on to structure: the profile <header><section> with the username heading, and account
// links a[href="/<user>/"] whose text is the username.
(() => {
  "use strict";
  const G = globalThis.Genuine;
  const RESERVED = new Set([
    "explore", "reels", "reel", "p", "direct", "accounts", "stories", "about", "legal",
    "developer", "web", "emails", "challenge", "tv",
  ]);
  const USER_PATH = /^\/([A-Za-z0-9._]{1,30})\/$/;
  const userOf = (path) => {
    const m = USER_PATH.exec(path);
    return m && !RESERVED.has(m[1].toLowerCase()) ? m[1] : "";
  };
  G.registerSite({
    id: "instagram",
    platform: "instagram",
    matches: ["https://www.instagram.com/*", "https://instagram.com/*"],
    rules: [
      // Profile header: the username heading.
      {
        kind: "full",
        selector: "main header section h2",
        handle: (el) => G.dom.text(el),
        place: "after",
      },
      // Feed posts, comments, follower dialogs: a link to "/<user>/" whose text is the user.
      {
        kind: "compact",
        selector: 'a[href^="/"]',
        handle: (a) => {
          if (a.closest("main header section")) return "";
          const h = userOf(G.dom.path(a));
          return h && G.dom.text(a).toLowerCase() === h.toLowerCase() ? h : "";
        },
        place: "after",
      },
    ],
  });
})();
