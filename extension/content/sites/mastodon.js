// Mastodon (mastodon.social and the instances the user adds): selectors only. Mastodon's web
// app keeps readable BEM class names (.account__header, .display-name__account) across versions.
(() => {
  "use strict";
  const G = globalThis.Genuine;
  // "@user" on this instance is "user@<this host>"; remote accounts show "@user@host".
  const full = (text) => {
    const h = String(text || "").trim().replace(/^@/, "");
    if (!h) return "";
    return h.includes("@") ? h : `${h}@${location.hostname}`;
  };
  G.registerSite({
    id: "mastodon",
    platform: "mastodon",
    matches: ["https://mastodon.social/*"],
    rules: [
      // Profile header: name and "@user@instance" under .account__header__tabs__name.
      {
        kind: "full",
        selector: ".account__header__tabs__name",
        handle: (el) => full(G.dom.atText(el)),
        place: "append",
      },
      // Posts, boosts, follower lists, the detailed status: the "@handle" beside the name.
      {
        kind: "compact",
        selector: ".display-name__account",
        handle: (el) => (el.closest(".account__header") ? "" : full(G.dom.text(el))),
        place: "after",
      },
    ],
  });
})();
