// X (x.com, twitter.com): selectors only. X's class names are generated (css-175oi2r r-...),
// so we hold on to data-testid hooks and "@handle" text, which X keeps stable.
(() => {
  "use strict";
  const G = globalThis.Genuine;
  // Paths under x.com that look like handles but are not accounts.
  const RESERVED = new Set([
    "home", "explore", "notifications", "messages", "i", "settings", "search", "compose",
    "login", "logout", "signup", "tos", "privacy", "jobs", "about", "hashtag",
  ]);
  const handleOf = (el) => {
    const h = G.dom.atText(el);
    return RESERVED.has(h.toLowerCase()) ? "" : h;
  };
  G.registerSite({
    id: "x",
    platform: "x",
    matches: ["https://x.com/*", "https://twitter.com/*", "https://mobile.twitter.com/*"],
    rules: [
      // Profile header: the name block, whose second line is "@handle".
      { kind: "full", selector: '[data-testid="UserName"]', handle: handleOf, place: "append" },
      // Posts (timeline, replies, quotes): the author line.
      { kind: "compact", selector: '[data-testid="User-Name"]', handle: handleOf, place: "append" },
      // Follower / following lists and "who to follow": one cell per account; the badge goes
      // after the link that carries the "@handle".
      {
        kind: "compact",
        selector: '[data-testid="UserCell"]',
        handle: handleOf,
        anchor: (cell) => {
          for (const a of cell.querySelectorAll('a[href^="/"]')) {
            if (G.dom.text(a).startsWith("@")) return a;
          }
          return null;
        },
        place: "after",
      },
    ],
  });
})();
