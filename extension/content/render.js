// Genuine badges and their popover: open shadow roots, DOM APIs and textContent only.
// Every level is shown as an icon and words as well as a colour.
(() => {
  "use strict";
  const G = (globalThis.Genuine = globalThis.Genuine || {});
  if (G.render) return;

  const ORDER = ["follower_purchase_risk", "reply_rate", "follow_back_ring"];
  const TONE = {
    follower_purchase_risk: { low: "good", medium: "warn", high: "bad" },
    reply_rate: { responsive: "good", mixed: "warn", unresponsive: "bad" },
    follow_back_ring: { not_member: "good", member: "bad" },
  };
  const ICON = { good: "✓", warn: "!", bad: "✕", unknown: "?", error: "⚠" };
  const NAME = {
    follower_purchase_risk: "Bought followers",
    reply_rate: "Replies",
    follow_back_ring: "Follow-back ring",
  };
  const SHORT = {
    follower_purchase_risk: { bad: "bought followers", warn: "some bought followers" },
    reply_rate: { bad: "rarely replies", warn: "mixed replies" },
    follow_back_ring: { bad: "follow-back ring" },
  };
  const LEVEL_WORDS = { not_member: "not a member", member: "member of a ring" };
  const PLATFORM = { x: "X", bluesky: "Bluesky", mastodon: "Mastodon", instagram: "Instagram" };

  const TONES_CSS = `
.pill { display: inline-flex; align-items: center; gap: 4px; padding: 1px 8px;
  border-radius: 999px; border: 1px solid transparent; white-space: nowrap; }
.icon { font-weight: 700; }
.good { background: #e3f4e8; color: #0b5a2a; border-color: #9fd4b0; }
.warn { background: #fff3d6; color: #6b4400; border-color: #f0c96a; }
.bad { background: #fde4e1; color: #8a1c12; border-color: #f2a49b; }
.unknown { background: #eef0f3; color: #3d4550; border-color: #cdd3da; }
.error { background: #fff; color: #8a1c12; border: 1px dashed #d0574b; }
:host([data-theme="dark"]) .good { background: #0f3a22; color: #a8e6bd; border-color: #2c7a4b; }
:host([data-theme="dark"]) .warn { background: #43330a; color: #ffd98a; border-color: #8c6a1d; }
:host([data-theme="dark"]) .bad { background: #4a1712; color: #ffb3aa; border-color: #9c3b30; }
:host([data-theme="dark"]) .unknown { background: #262b31; color: #c5ccd4; border-color: #4a525c; }
:host([data-theme="dark"]) .error { background: #1b1b1b; color: #ffb3aa; border-color: #c0594e; }
`;

  const CSS = `
:host { all: initial; display: inline-block; vertical-align: middle; margin-inline-start: 6px;
  font: 500 12px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
:host([data-genuine-kind="full"]) { display: block; margin: 6px 0 0; }
:host([data-genuine-state="loading"]) { display: none; }
${TONES_CSS}
button.g { all: unset; cursor: pointer; display: inline-flex; flex-wrap: wrap; gap: 4px;
  border-radius: 999px; }
button.g:focus-visible { outline: 2px solid #1d6fd6; outline-offset: 2px; }
`;

  const POPOVER_CSS = `
:host { all: initial; position: fixed; z-index: 2147483647; }
.card, .card-loading { box-sizing: border-box; width: 340px; max-height: 70vh; overflow: auto; padding: 12px 14px;
  border-radius: 12px; background: #fff; color: #16191d; border: 1px solid #cfd6de;
  box-shadow: 0 8px 28px rgba(0,0,0,.22); font: 13px/1.45 system-ui, -apple-system, sans-serif; }
:host([data-theme="dark"]) .card,
:host([data-theme="dark"]) .card-loading { background: #15191e; color: #e8ecf0; border-color: #3a424b; }
h2 { font-size: 14px; margin: 0 24px 8px 0; }
h3 { font-size: 13px; margin: 10px 0 2px; }
p { margin: 2px 0; }
ul { margin: 4px 0 0; padding-left: 18px; }
.meta { margin-top: 10px; font-size: 12px; opacity: .8; }
a { color: #1d6fd6; }
:host([data-theme="dark"]) a { color: #7db4ff; }
button.close { all: unset; position: absolute; top: -4px; right: -4px; cursor: pointer;
  font-size: 16px; padding: 2px 6px; }
.close-wrap { position: relative; }
button.action { margin-top: 8px; padding: 4px 10px; border-radius: 8px; cursor: pointer;
  border: 1px solid #1d6fd6; background: #1d6fd6; color: #fff; font: inherit; }
.status { margin-top: 6px; font-size: 12px; }
${TONES_CSS}`;

  /** genuine.vocabulary.duration, tested equal on tests/vocabulary_cases.json. */
  function duration(seconds) {
    const halfUp = (x) => Math.floor(x + 0.5);
    for (const [unit, size, atLeast] of [["day", 86400, 1.5], ["hour", 3600, 1.5], ["minute", 60, 1]]) {
      if (seconds >= size * atLeast) {
        const value = seconds / size;
        let text;
        if (value >= 10 || unit === "minute") text = String(halfUp(value));
        else {
          const tenths = halfUp(value * 10);
          text = `${Math.floor(tenths / 10)}${tenths % 10 ? `.${tenths % 10}` : ""}`;
        }
        return text === "1" ? `1 ${unit}` : `${text} ${unit}s`;
      }
    }
    const count = halfUp(seconds);
    return `${count} second${count === 1 ? "" : "s"}`;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c == null || c === false) continue;
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function pct(x) {
    return typeof x === "number" && Number.isFinite(x) ? `${Math.round(x * 100)}%` : "";
  }

  function tone(name, level) {
    return (TONE[name] && TONE[name][level]) || "unknown";
  }

  /** Luminance of the page background: X, Bluesky, Mastodon and Instagram all paint body. */
  function theme() {
    for (const node of [document.body, document.documentElement]) {
      if (!node) continue;
      const m = getComputedStyle(node).backgroundColor.match(/[\d.]+/g);
      if (!m || (m.length === 4 && Number(m[3]) === 0)) continue;
      const [r, g, b] = m.map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128 ? "dark" : "light";
    }
    return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function enabledBadges(card, config) {
    const on = (config && config.badges) || {};
    return ORDER.filter((n) => on[n] !== false && card.badges && card.badges[n]);
  }

  function badgeText(name, b) {
    const level = b.level || "unknown";
    if (name === "follower_purchase_risk") {
      const n = level !== "unknown" ? pct(b.score) : "";
      return `${NAME[name]}: ${level}${n ? ` · ${n}` : ""}`;
    }
    if (name === "reply_rate") {
      const n = level !== "unknown" ? pct(b.answered_share) : "";
      return `${NAME[name]}: ${level}${n ? ` · ${n} answered` : ""}`;
    }
    if (level === "member") {
      return `${NAME[name]}: member${b.ring_size ? ` · ${b.ring_size} accounts` : ""}`;
    }
    return `${NAME[name]}: ${level === "not_member" ? "none found" : level}`;
  }

  function pill(kind, text) {
    return el("span", { class: `pill ${kind}` }, el("span", { class: "icon", "aria-hidden": "true" }, ICON[kind]), el("span", { class: "text" }, text));
  }

  function compactSummary(card, names) {
    const tones = names.map((n) => [n, tone(n, card.badges[n].level)]);
    const bad = tones.find(([, t]) => t === "bad");
    if (bad) return ["bad", SHORT[bad[0]].bad];
    const warn = tones.find(([, t]) => t === "warn");
    if (warn) return ["warn", SHORT[warn[0]].warn];
    if (tones.some(([, t]) => t === "good")) return ["good", "no flags"];
    return ["unknown", "unknown"];
  }

  function createHost(kind, platform, handle, pageTheme) {
    const host = document.createElement("span");
    host.setAttribute("data-genuine-account", `${platform}:${handle}`);
    host.setAttribute("data-genuine-levels", "");
    host.setAttribute("data-genuine-kind", kind);
    host.setAttribute("data-genuine-state", "loading");
    host.setAttribute("data-theme", pageTheme);
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = CSS;
    const button = el("button", { class: "g", type: "button", "aria-haspopup": "dialog" });
    const stop = (e) => {
      e.stopPropagation();
      e.preventDefault();
    };
    button.addEventListener("click", (e) => {
      stop(e);
      openPopover(host);
    });
    for (const type of ["mousedown", "mouseup", "pointerdown", "pointerup"]) {
      button.addEventListener(type, (e) => e.stopPropagation());
    }
    root.append(style, button);
    return host;
  }

  function update(host, result, config) {
    host._genuine = { result, config };
    const button = host.shadowRoot.querySelector("button.g");
    const kind = host.getAttribute("data-genuine-kind");
    const [platform, ...rest] = host.getAttribute("data-genuine-account").split(":");
    const handle = rest.join(":");
    const parts = [];
    let levels = [];
    let label;
    if (result.status === "found") {
      const names = enabledBadges(result.card, config);
      levels = names.map((n) => result.card.badges[n].level || "unknown");
      if (kind === "full") {
        for (const n of names) parts.push(pill(tone(n, levels[names.indexOf(n)]), badgeText(n, result.card.badges[n])));
      } else {
        const [t, text] = compactSummary(result.card, names);
        parts.push(pill(t, text));
      }
      label = `Genuine: ${names.map((n) => badgeText(n, result.card.badges[n])).join("; ")}`;
    } else if (result.status === "not_found") {
      parts.push(pill("unknown", kind === "full" ? "Not audited by Genuine yet" : "not audited"));
      label = `Genuine has no card for @${handle}`;
    } else {
      const text = kind === "full" ? "Genuine could not check this account" : "Genuine unavailable";
      parts.push(pill("error", text));
      label = `Genuine could not check @${handle}: ${result.message}`;
    }
    host.setAttribute("data-genuine-state", result.status);
    host.setAttribute("data-genuine-levels", levels.join(","));
    button.setAttribute("aria-label", `${label} (${PLATFORM[platform] || platform}). Details`);
    button.title = label;
    button.replaceChildren(...parts);
    if (popover && popover._for === host) openPopover(host);
  }

  // ---- the popover: one per page, attached to <html> so no overflow clips it ----
  let popover = null;

  function closePopover() {
    if (popover) popover.remove();
    popover = null;
  }

  function safeHref(url) {
    try {
      const u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch {
      return null;
    }
  }

  function describe(name, b) {
    const lines = [];
    if (name === "follower_purchase_risk") {
      if (typeof b.score === "number") {
        const iv = Array.isArray(b.interval) ? ` (interval ${pct(b.interval[0])}–${pct(b.interval[1])})` : "";
        lines.push(`Estimated share of bought followers: ${pct(b.score)}${iv}`);
      }
      if (b.sample_size) lines.push(`Sample: ${b.sample_size} followers`);
    } else if (name === "reply_rate") {
      if (typeof b.answered_share === "number") lines.push(`Replies answered: ${pct(b.answered_share)}`);
      if (typeof b.median_reply_seconds === "number") {
        lines.push(`Median time to answer: ${duration(b.median_reply_seconds)}`);
      }
      if (b.sample_size) lines.push(`Sample: ${b.sample_size} replies`);
    } else if (name === "follow_back_ring") {
      if (b.ring_size) lines.push(`Ring size: ${b.ring_size} accounts`);
      if (typeof b.density === "number") lines.push(`Density of mutual follows: ${b.density.toFixed(2)}`);
    }
    return lines;
  }

  function cardBody(host, result, config, handle) {
    const body = [];
    if (result.status === "found") {
      const card = result.card;
      for (const n of enabledBadges(card, config)) {
        const b = card.badges[n];
        const t = tone(n, b.level);
        body.push(el("h3", null, `${NAME[n]}`));
        body.push(pill(t, LEVEL_WORDS[b.level] || b.level || "unknown"));
        for (const line of describe(n, b)) body.push(el("p", null, line));
        const reasons = Array.isArray(b.reasons) ? b.reasons : [];
        if (reasons.length) {
          body.push(el("ul", { class: "reasons" }, ...reasons.map((r) => el("li", null, String((r && r.text) || "")))));
        }
      }
      if (card.computed_at) {
        const when = new Date(card.computed_at);
        const date = Number.isNaN(when.getTime()) ? String(card.computed_at) : when.toUTCString().replace(" GMT", " UTC");
        body.push(el("p", { class: "meta computed" }, `Computed ${date}${card.model_version ? ` · model ${card.model_version}` : ""}`));
      }
      const href = safeHref(card.report_url);
      if (href) body.push(el("p", null, el("a", { href, target: "_blank", rel: "noopener noreferrer", class: "report" }, "Full report")));
    } else if (result.status === "not_found") {
      body.push(el("p", null, `Genuine has no card for @${handle} yet.`));
      if (config && config.canAudit) {
        const status = el("p", { class: "status" });
        const btn = el("button", { class: "action audit", type: "button" }, "Request an audit");
        btn.addEventListener("click", async (e) => {
          e.stopPropagation();
          btn.disabled = true;
          status.textContent = "Sending…";
          const [platform] = host.getAttribute("data-genuine-account").split(":");
          const r = await chrome.runtime.sendMessage({ type: "audit", platform, handle });
          status.textContent = r && r.ok ? `Audit requested (${r.status}).` : `Could not request an audit: ${(r && (r.message || r.error)) || "no answer"}`;
          if (!(r && r.ok)) btn.disabled = false;
        });
        body.push(btn, status);
      } else {
        body.push(el("p", { class: "meta" }, "To request an audit, add an API key in Genuine's options."));
      }
    } else {
      body.push(el("p", { class: "error-text" }, `Genuine could not check @${handle}: ${result.message}`));
      if (result.retryAt) {
        body.push(el("p", { class: "meta" }, `Trying again at ${new Date(result.retryAt).toLocaleTimeString()}.`));
      }
    }
    return body;
  }

  // ---- full cards on demand ----
  // In private mode badges come from compact entries (levels and one number per badge); the
  // reasons, interval, dates and report link come when a popover opens: the worker fetches the
  // account's whole hash-prefix bucket (still private) and caches the card. Keyed by the compact
  // result object, so a fresh lookup (new server, new mode) never shows a stale card.
  const details = new WeakMap(); // compact result -> {pending: true} | full result | error result

  async function askForCard(host, compact) {
    const [platform, ...rest] = host.getAttribute("data-genuine-account").split(":");
    let full;
    try {
      const r = await chrome.runtime.sendMessage({ type: "card", platform, handle: rest.join(":") });
      full = (r && r.result) || { status: "error", message: (r && r.error) || "no answer from the extension" };
    } catch (err) {
      full = { status: "error", message: `the extension did not answer (${err.message})` };
    }
    details.set(compact, full);
    const open = popover && popover._for;
    if (open && open.isConnected && open._genuine && open._genuine.result === compact) openPopover(open, false);
  }

  /** [result to show, note]: note is "loading", an error message, or null. */
  function withDetails(host, result, retry) {
    if (!(result && result.status === "found" && result.compact)) return [result, null];
    let d = details.get(result);
    if (!d || (retry && d.status === "error")) {
      d = { pending: true };
      details.set(result, d);
      askForCard(host, result);
    }
    if (d.pending) return [result, "loading"];
    if (d.status === "error") return [result, d.message || "unknown error"];
    return [d, null];
  }

  function openPopover(host, retry = true) {
    const { result: latest, config } = host._genuine || {};
    if (!latest) return;
    const [result, note] = withDetails(host, latest, retry);
    const [platform, ...rest] = host.getAttribute("data-genuine-account").split(":");
    const handle = rest.join(":");
    if (!popover) {
      popover = document.createElement("div");
      popover.setAttribute("data-genuine-popover", "");
      popover.attachShadow({ mode: "open" });
      popover.addEventListener("click", (e) => e.stopPropagation());
      document.documentElement.append(popover);
    }
    popover._for = host;
    popover.setAttribute("data-theme", host.getAttribute("data-theme") || "light");
    const style = document.createElement("style");
    style.textContent = POPOVER_CSS;
    const close = el("button", { class: "close", type: "button", "aria-label": "Close" }, "×");
    close.addEventListener("click", closePopover);
    // ".card" once complete; ".card-loading" (same look) while the details are on their way.
    const loading = note === "loading";
    const card = el("div", { class: loading ? "card-loading" : "card", role: "dialog", "aria-label": `Genuine: @${handle}`, "aria-busy": String(loading) },
      el("div", { class: "close-wrap" }, close),
      el("h2", null, `Genuine · @${handle} on ${PLATFORM[platform] || platform}`),
      ...cardBody(host, result, config, handle),
      note && el("p", { class: loading ? "meta details-loading" : "meta details-error" },
        loading ? "Loading the details…" : `Could not load the details: ${note}`));
    popover.shadowRoot.replaceChildren(style, card);
    const r = host.getBoundingClientRect();
    const left = Math.max(8, Math.min(r.left, innerWidth - 350));
    const below = r.bottom + 6;
    popover.style.left = `${left}px`;
    popover.style.top = `${below + 300 > innerHeight && r.top > 320 ? Math.max(8, r.top - 306) : below}px`;
    close.focus({ preventScroll: true });
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closePopover();
  });
  document.addEventListener("click", () => closePopover());

  G.render = { createHost, update, theme, closePopover, openPopover, duration, TONE, NAME, LEVEL_WORDS };
})();
