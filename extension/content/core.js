// Genuine content core: find handles through the site adapter, batch them to the service
// worker, render badges, and keep up with infinite scroll and SPA navigation.
//
// MV3 content scripts cannot be ES modules, so the content side is plain classic scripts that
// share one namespace object in the isolated world: core.js, render.js, one sites/<site>.js,
// boot.js, injected in that order (manifest "content_scripts", or registerContentScripts for
// Mastodon instances the user adds). No web_accessible_resources, so pages cannot probe for us.
(() => {
  "use strict";
  const G = (globalThis.Genuine = globalThis.Genuine || {});
  if (G.core) return;

  const HANDLE_SYNTAX = {
    x: /^([A-Za-z0-9_]{1,15})$/,
    instagram: /^([A-Za-z0-9._]{1,30})$/,
    bluesky: /^((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61})$/,
    mastodon: /^([A-Za-z0-9_]{1,30}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$/,
  };
  const HANDLE_MAX = { x: 16, instagram: 31, bluesky: 254, mastodon: 300 };
  const SCAN_THROTTLE_MS = 100;
  const RETRY_FLOOR_MS = 1000;
  const CLIENT_ERROR_RETRY_MS = 60_000;

  /** Same rule as lib/accounts.js normaliseHandle (content scripts cannot import modules). */
  function normaliseHandle(platform, handle) {
    let h = String(handle || "").trim();
    while (h.startsWith("@")) h = h.slice(1);
    h = h.trim();
    if (!Object.hasOwn(HANDLE_SYNTAX, platform) || h.length > Math.min(255, HANDLE_MAX[platform])) return "";
    const m = HANDLE_SYNTAX[platform].exec(h);
    return m ? m[1].toLowerCase() : "";
  }

  // ---- helpers the adapters use ----
  const dom = {
    /** The first "@handle" text inside el (skipping our own badges), without the "@". */
    atText(el) {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const t = n.nodeValue.trim();
        if (t.length > 1 && t[0] === "@") return t.slice(1).split(/\s/)[0];
      }
      return "";
    },
    /** The path of a link's href, on this origin only ("" for other origins). */
    path(a) {
      const href = a.getAttribute("href") || "";
      try {
        const u = new URL(href, location.href);
        return u.origin === location.origin ? u.pathname : "";
      } catch {
        return "";
      }
    },
    text(el) {
      return (el.textContent || "").trim();
    },
  };

  // ---- registry ----
  const sites = [];
  function registerSite(adapter) {
    sites.push(adapter);
    G.adapter = adapter;
  }

  // ---- state ----
  const seen = new WeakMap(); // element -> {id, host}
  const hosts = new Map(); // id -> Set(host)
  const results = new Map(); // id -> result from the worker
  const pending = new Set(); // ids to send
  const inflight = new Set(); // ids sent, no answer yet
  const stats = { scans: 0, tasks: 0, mainThreadMs: 0, messages: 0, lastError: "" };
  let adapter = null;
  let config = null;
  let observer = null;
  let scanTimer = null;
  let retryTimer = null;
  let lastHref = "";
  let enabled = false;

  function timed(name, fn) {
    const t0 = performance.now();
    performance.mark(`genuine:${name}:start`);
    try {
      return fn();
    } finally {
      stats.mainThreadMs += performance.now() - t0;
      performance.measure(`genuine:${name}`, `genuine:${name}:start`);
      performance.clearMarks(`genuine:${name}:start`);
      // Keep the page's timeline small on long sessions (the totals live in stats).
      if (++stats.tasks % 1000 === 0) performance.clearMeasures(`genuine:${name}`);
    }
  }

  function track(id, host) {
    let set = hosts.get(id);
    if (!set) hosts.set(id, (set = new Set()));
    set.add(host);
  }

  function untrack(entry) {
    entry.host.remove();
    const set = hosts.get(entry.id);
    if (set) set.delete(entry.host);
  }

  function place(rule, el, host) {
    const anchor = rule.anchor ? rule.anchor(el) : el;
    if (!anchor) return false;
    if (rule.place === "after") anchor.after(host);
    else anchor.append(host);
    return true;
  }

  function scan() {
    scanTimer = null;
    if (!enabled) return;
    timed("scan", () => {
      stats.scans++;
      lastHref = location.href;
      const theme = G.render.theme();
      for (const rule of adapter.rules) {
        for (const el of document.querySelectorAll(rule.selector)) {
          const handle = normaliseHandle(adapter.platform, rule.handle(el));
          const prev = seen.get(el);
          const id = handle ? `${adapter.platform}:${handle}` : "";
          if (prev && prev.id === id && prev.host.isConnected) continue;
          if (prev) {
            untrack(prev);
            seen.delete(el);
          }
          if (!id) continue;
          const host = G.render.createHost(rule.kind, adapter.platform, handle, theme);
          if (!place(rule, el, host)) continue;
          seen.set(el, { id, host });
          track(id, host);
          const r = results.get(id);
          if (r) G.render.update(host, r, config);
          else if (!inflight.has(id)) pending.add(id);
        }
      }
    });
    if (pending.size) sendLookup();
  }

  function scheduleScan() {
    if (!scanTimer) scanTimer = setTimeout(scan, SCAN_THROTTLE_MS);
  }

  function renderId(id) {
    const set = hosts.get(id);
    if (!set) return;
    const r = results.get(id);
    for (const host of set) {
      if (!host.isConnected) set.delete(host);
      else G.render.update(host, r, config);
    }
    if (!set.size) hosts.delete(id);
  }

  async function sendLookup() {
    const ids = [...pending];
    pending.clear();
    for (const id of ids) inflight.add(id);
    const accounts = ids.map((id) => {
      const i = id.indexOf(":");
      return { platform: id.slice(0, i), handle: id.slice(i + 1) };
    });
    stats.messages++;
    let resp;
    try {
      resp = await chrome.runtime.sendMessage({ type: "lookup", accounts });
    } catch (err) {
      resp = { error: `the extension did not answer (${err.message})` };
    }
    timed("render", () => {
      for (const id of ids) {
        inflight.delete(id);
        const r = (resp && resp.results && resp.results[id]) || {
          status: "error",
          kind: "extension",
          message: (resp && resp.error) || "no answer from the extension",
          retryAt: 0,
        };
        results.set(id, r);
        if (r.status === "error") stats.lastError = r.message;
        renderId(id);
      }
    });
    scheduleRetry();
  }

  /** Errors are retried when the worker's backoff ends (or a minute later for 4xx). */
  function scheduleRetry() {
    let at = Infinity;
    for (const r of results.values()) {
      if (r.status !== "error" || r.kind === "extension") continue;
      at = Math.min(at, r.retryAt || Date.now() + CLIENT_ERROR_RETRY_MS);
    }
    clearTimeout(retryTimer);
    retryTimer = null;
    if (at === Infinity) return;
    const delay = Math.max(RETRY_FLOOR_MS, at - Date.now() + 50);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      for (const [id, r] of results) {
        if (r.status === "error" && r.kind !== "extension" && hosts.has(id)) {
          results.delete(id);
          pending.add(id);
        }
      }
      if (pending.size) sendLookup();
    }, delay);
  }

  function onMutations(records) {
    if (location.href !== lastHref) {
      scheduleScan();
      return;
    }
    for (const rec of records) {
      // SPA frameworks often reuse the header and swap its text (React updates text nodes).
      if (rec.type === "characterData") {
        scheduleScan();
        return;
      }
      for (const node of rec.addedNodes) {
        if (node.nodeType === 1 && !node.hasAttribute("data-genuine-account")) {
          scheduleScan();
          return;
        }
        if (node.nodeType === 3) {
          scheduleScan();
          return;
        }
      }
    }
  }

  function removeAll() {
    for (const set of hosts.values()) for (const host of set) host.remove();
    hosts.clear();
    G.render.closePopover();
  }

  function stop() {
    enabled = false;
    if (observer) observer.disconnect();
    observer = null;
    removeAll();
  }

  function run() {
    enabled = true;
    if (!observer) {
      observer = new MutationObserver(onMutations);
      observer.observe(document.documentElement, {
        childList: true,
        characterData: true,
        subtree: true,
      });
      // Same-document navigations (pushState) where the Navigation API exists (Chromium).
      if (globalThis.navigation && !G.navigationHooked) {
        G.navigationHooked = true;
        globalThis.navigation.addEventListener("navigatesuccess", () => enabled && scheduleScan());
      }
    }
    scan();
  }

  async function loadConfig() {
    config = await chrome.runtime.sendMessage({ type: "config" });
    return config;
  }

  function getStats() {
    let found = 0;
    let annotated = 0;
    let errors = 0;
    let notFound = 0;
    for (const [id, set] of hosts) {
      if (![...set].some((h) => h.isConnected)) continue;
      found++;
      const r = results.get(id);
      if (!r) continue;
      if (r.status === "found") annotated++;
      else if (r.status === "not_found") notFound++;
      else errors++;
    }
    return {
      site: adapter && adapter.id,
      enabled,
      found,
      annotated,
      notFound,
      errors,
      lastError: errors ? stats.lastError : "",
      scans: stats.scans,
      messages: stats.messages,
      mainThreadMs: Math.round(stats.mainThreadMs * 100) / 100,
    };
  }

  async function start() {
    if (G.started) return;
    G.started = true;
    adapter = G.adapter;
    if (!adapter) return;
    chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
      if (msg && msg.type === "stats") sendResponse(getStats());
      return false;
    });
    chrome.storage.onChanged.addListener(async (changes, area) => {
      if (area !== "local" || !changes.settings) return;
      await loadConfig();
      stop();
      results.clear();
      if (config.sites[adapter.id] !== false) run();
    });
    try {
      await loadConfig();
    } catch {
      return; // extension reloaded under us; nothing to do on this page
    }
    if (config.sites[adapter.id] !== false) run();
  }

  G.core = { normaliseHandle, scan, start, stop, getStats };
  G.dom = dom;
  G.registerSite = registerSite;
  G.sites = sites;
  G.getConfig = () => config;
  G.rerender = () => {
    for (const id of hosts.keys()) renderId(id);
  };
})();
