// Batched, cached badge lookups.
//
// Content scripts ask for accounts; we answer from the cache when we can, otherwise we queue the
// account and flush the queue as one request (plain mode: POST /badges/lookup, <= 100 accounts)
// or one GET /badges/range/<prefix> per distinct hash prefix (private mode: the server never
// sees a handle). A queue waits at most MAX_WAIT_MS after its first account.

import { apiRequest, ApiError } from "./api.js";
import { accountId, lookupKey, normaliseHandle } from "../lib/accounts.js";
import { loadSettings } from "../lib/settings.js";

export const BATCH = 100;
export const MAX_WAIT_MS = 200;
const QUIET_MS = 40;
const RANGE_CONCURRENCY = 6;
const FOUND_TTL_MS = 6 * 3600_000;
const MISSING_TTL_MS = 3600_000;
const META_TTL_MS = 3600_000;
const CACHE_PREFIX = "card:";

// ---- cache (chrome.storage.local; keyed by the sha256 key, never by handle) ----

async function cacheGet(keys) {
  const names = keys.map((k) => CACHE_PREFIX + k);
  const got = await chrome.storage.local.get(names);
  const now = Date.now();
  const out = new Map();
  for (const k of keys) {
    const e = got[CACHE_PREFIX + k];
    if (e && e.exp > now) out.set(k, e.card);
  }
  return out;
}

async function cachePut(entries) {
  const now = Date.now();
  const items = {};
  for (const [k, card] of entries) {
    items[CACHE_PREFIX + k] = { card, exp: now + (card ? FOUND_TTL_MS : MISSING_TTL_MS) };
  }
  if (Object.keys(items).length) await chrome.storage.local.set(items);
}

export async function clearCache({ expiredOnly = false } = {}) {
  const all = await chrome.storage.local.get(null);
  const now = Date.now();
  const drop = Object.keys(all).filter(
    (k) =>
      (k.startsWith(CACHE_PREFIX) && (!expiredOnly || !(all[k].exp > now))) ||
      (!expiredOnly && k === "meta"),
  );
  if (drop.length) await chrome.storage.local.remove(drop);
  return drop.length;
}

// ---- meta (prefix length) ----

async function getMeta(server) {
  const got = await chrome.storage.local.get("meta");
  const m = got.meta;
  if (m && m.server === server && m.exp > Date.now()) return m.meta;
  const { status, body } = await apiRequest(server, "/meta");
  if (status !== 200 || !body || !Number.isInteger(body.prefix_length)) {
    throw new ApiError("bad_response", "GET /meta did not announce a prefix_length");
  }
  await chrome.storage.local.set({ meta: { server, meta: body, exp: Date.now() + META_TTL_MS } });
  return body;
}

// ---- the queue ----

const queue = new Map(); // key -> {platform, handle, key, waiters: [resolve]}
let firstAt = 0;
let timer = null;

function schedule() {
  clearTimeout(timer);
  if (queue.size >= BATCH) {
    timer = null;
    flush();
    return;
  }
  const wait = Math.max(0, Math.min(QUIET_MS, firstAt + MAX_WAIT_MS - Date.now()));
  timer = setTimeout(flush, wait);
}

function enqueue(item) {
  return new Promise((resolve) => {
    const queued = queue.get(item.key);
    if (queued) {
      queued.waiters.push(resolve);
      return;
    }
    if (!queue.size) firstAt = Date.now();
    queue.set(item.key, { ...item, waiters: [resolve] });
    schedule();
  });
}

function settle(item, result) {
  for (const resolve of item.waiters) resolve(result);
}

function errorResult(err) {
  return {
    status: "error",
    kind: err.kind || "error",
    message: err.message || String(err),
    retryAt: err.retryAt || 0,
  };
}

async function flush() {
  timer = null;
  const items = [...queue.values()];
  queue.clear();
  if (!items.length) return;
  let settings;
  try {
    settings = await loadSettings();
  } catch (err) {
    for (const it of items) settle(it, errorResult(err));
    return;
  }
  const run = settings.privateMode ? flushPrivate : flushPlain;
  for (let i = 0; i < items.length; i += BATCH) {
    const chunk = items.slice(i, i + BATCH);
    try {
      await run(settings.server, chunk);
    } catch (err) {
      const result = errorResult(err);
      for (const it of chunk) settle(it, result);
    }
  }
}

async function flushPlain(server, items) {
  const accounts = items.map((it) => ({ platform: it.platform, handle: it.handle }));
  const { status, body } = await apiRequest(server, "/badges/lookup", {
    method: "POST",
    json: { accounts },
  });
  if (status !== 200 || !body || !Array.isArray(body.found)) {
    throw new ApiError("bad_response", `POST /badges/lookup answered ${status}`, { status });
  }
  const byId = new Map();
  for (const card of body.found) {
    byId.set(accountId(card.platform, normaliseHandle(card.platform, card.handle)), card);
  }
  const entries = [];
  for (const it of items) {
    const card = byId.get(accountId(it.platform, it.handle)) || null;
    entries.push([it.key, card]);
    settle(it, card ? { status: "found", card } : { status: "not_found" });
  }
  await cachePut(entries);
}

async function flushPrivate(server, items) {
  const meta = await getMeta(server);
  const n = Math.max(1, meta.prefix_length);
  const groups = new Map();
  for (const it of items) {
    const p = it.key.slice(0, n);
    if (!groups.has(p)) groups.set(p, []);
    groups.get(p).push(it);
  }
  const prefixes = [...groups.keys()];
  const entries = [];
  const worker = async () => {
    while (prefixes.length) {
      const prefix = prefixes.shift();
      const members = groups.get(prefix);
      try {
        const { status, body } = await apiRequest(server, `/badges/range/${prefix}`);
        const cards = (status === 200 && body && body.cards) || {};
        for (const it of members) {
          const card = cards[it.key.slice(prefix.length)] || null;
          entries.push([it.key, card]);
          settle(it, card ? { status: "found", card } : { status: "not_found" });
        }
      } catch (err) {
        const result = errorResult(err);
        for (const it of members) settle(it, result);
      }
    }
  };
  await Promise.all(Array.from({ length: RANGE_CONCURRENCY }, worker));
  await cachePut(entries);
}

/**
 * Look up accounts [{platform, handle}] -> {"platform:handle": result}, where result is
 * {status: "found", card} | {status: "not_found"} | {status: "error", kind, message, retryAt}.
 */
export async function lookup(accounts) {
  const wanted = new Map();
  for (const a of accounts.slice(0, 2000)) {
    const handle = normaliseHandle(a.platform, a.handle);
    if (handle) wanted.set(accountId(a.platform, handle), { platform: a.platform, handle });
  }
  const items = await Promise.all(
    [...wanted.values()].map(async (a) => ({ ...a, key: await lookupKey(a.platform, a.handle) })),
  );
  const cached = await cacheGet(items.map((it) => it.key));
  const out = {};
  await Promise.all(
    items.map(async (it) => {
      const id = accountId(it.platform, it.handle);
      if (cached.has(it.key)) {
        const card = cached.get(it.key);
        out[id] = card ? { status: "found", card } : { status: "not_found" };
      } else {
        out[id] = await enqueue(it);
      }
    }),
  );
  return out;
}
