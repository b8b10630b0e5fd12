// Batched, cached badge lookups.
//
// Content scripts ask for accounts; we answer from the cache when we can, otherwise we queue the
// account and flush the queue as one request per <= 100 accounts: plain mode POST /badges/lookup
// (handles), private mode POST /badges/ranges (hash prefixes only: the server never sees a
// handle) asking for compact entries, which hold what a badge shows and nothing more. The full
// card of a private-mode account (reasons, interval, dates) is fetched only when its popover is
// opened: GET /badges/range/<prefix>, the whole bucket, so that is private too (fullCard).
// A queue waits at most MAX_WAIT_MS after its first account.

import { apiRequest, ApiError, recordFailure } from "./api.js";
import { accountId, lookupKey, normaliseHandle } from "../lib/accounts.js";
import { loadSettings } from "../lib/settings.js";

export const BATCH = 100;
export const MAX_WAIT_MS = 200;
const QUIET_MS = 40;
const FOUND_TTL_MS = 6 * 3600_000;
const MISSING_TTL_MS = 3600_000;
const META_TTL_MS = 3600_000;
const CACHE_PREFIX = "card:";

// ---- cache (chrome.storage.local; keyed by the sha256 key, never by handle) ----

// An entry is {card, exp, compact?}: compact cards (private mode) hold levels and numbers only.

async function cacheGet(keys) {
  const names = keys.map((k) => CACHE_PREFIX + k);
  const got = await chrome.storage.local.get(names);
  const now = Date.now();
  const out = new Map();
  for (const k of keys) {
    const e = got[CACHE_PREFIX + k];
    if (e && e.exp > now) out.set(k, e);
  }
  return out;
}

/** entries: [key, card or null, compact?]. */
async function cachePut(entries) {
  const now = Date.now();
  const items = {};
  for (const [k, card, compact] of entries) {
    const e = { card, exp: now + (card ? FOUND_TTL_MS : MISSING_TTL_MS) };
    if (card && compact) e.compact = true;
    items[CACHE_PREFIX + k] = e;
  }
  if (Object.keys(items).length) await chrome.storage.local.set(items);
}

function resultOf(entry) {
  if (!entry.card) return { status: "not_found" };
  return entry.compact
    ? { status: "found", card: entry.card, compact: true }
    : { status: "found", card: entry.card };
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

// Private mode sends at most this many hex digits of a key's sha256. 16^6 = 16.8 million
// buckets: at 64 cards a bucket that is 64 x 16^6 = 1.07 billion cards, more than any server
// could plausibly hold, so a server announcing a longer prefix is asking for buckets under 64
// cards (a dictionary of handles would then tell which accounts were looked at): refused.
export const MAX_PREFIX = 6;

let metaFetch = null; // {server, promise}: flushes running together share one GET /meta

async function getMeta(server) {
  const got = await chrome.storage.local.get("meta");
  const m = got.meta;
  if (m && m.server === server && m.exp > Date.now()) return m.meta;
  if (metaFetch && metaFetch.server === server) return metaFetch.promise;
  const promise = (async () => {
    const { status, body } = await apiRequest(server, "/meta");
    if (status !== 200 || !body || !Number.isInteger(body.prefix_length)) {
      throw new ApiError("bad_response", "GET /meta did not announce a prefix_length");
    }
    if (body.prefix_length > MAX_PREFIX) {
      // A server asking for longer prefixes would learn (nearly) which accounts are viewed.
      const err = new ApiError(
        "unsafe_prefix",
        `the server asks for ${body.prefix_length} hex digits of each key; private mode sends ` +
          `at most ${MAX_PREFIX}, so nothing was sent`,
      );
      await recordFailure(err);
      throw err;
    }
    await chrome.storage.local.set({ meta: { server, meta: body, exp: Date.now() + META_TTL_MS } });
    return body;
  })().finally(() => {
    if (metaFetch && metaFetch.promise === promise) metaFetch = null;
  });
  metaFetch = { server, promise };
  return promise;
}

// ---- the queue ----

// A request carries at most BATCH units: accounts in plain mode, distinct hash prefixes in
// private mode (the server's limits). The queue flushes when a unit beyond BATCH arrives, so
// every account of a prefix goes in the same request (lookup() enqueues them side by side).
const queue = new Map(); // key -> {platform, handle, key, unit, waiters: [resolve]}
const units = new Set();
let firstAt = 0;
let timer = null;

function flushNow() {
  clearTimeout(timer);
  timer = null;
  flush();
}

function schedule() {
  clearTimeout(timer);
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
    if (!units.has(item.unit) && units.size >= BATCH) flushNow();
    if (!queue.size) firstAt = Date.now();
    queue.set(item.key, { ...item, waiters: [resolve] });
    units.add(item.unit);
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
  units.clear();
  if (!items.length) return;
  let settings;
  try {
    settings = await loadSettings();
  } catch (err) {
    for (const it of items) settle(it, errorResult(err));
    return;
  }
  const run = settings.privateMode ? flushPrivate : flushPlain;
  for (const chunk of chunks(items, (it) => (settings.privateMode ? it.unit : it.key))) {
    try {
      await run(settings.server, chunk);
    } catch (err) {
      const result = errorResult(err);
      for (const it of chunk) settle(it, result);
    }
  }
}

/** Split items in runs of at most BATCH distinct units, keeping each unit in one run. */
function chunks(items, unitOf) {
  const byUnit = new Map();
  for (const it of items) {
    const u = unitOf(it);
    if (!byUnit.has(u)) byUnit.set(u, []);
    byUnit.get(u).push(it);
  }
  const groups = [...byUnit.values()];
  const out = [];
  for (let i = 0; i < groups.length; i += BATCH) out.push(groups.slice(i, i + BATCH).flat());
  return out;
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

function prefixLength(meta) {
  return Math.max(1, meta.prefix_length);
}

// Buckets asked for and not answered yet: a flush that needs one of them waits for it instead
// of asking again (a busy page queues accounts while the previous batch is on its way).
const pendingBuckets = new Map(); // "server prefix" -> Promise of the compact bucket

/** One POST /badges/ranges for the items' distinct prefixes (<= 100), compact entries. */
async function flushPrivate(server, items) {
  const n = prefixLength(await getMeta(server));
  const groups = new Map();
  for (const it of items) {
    const p = it.key.slice(0, n);
    if (!groups.has(p)) groups.set(p, []);
    groups.get(p).push(it);
  }
  const fresh = [...groups.keys()].filter((p) => !pendingBuckets.has(`${server} ${p}`));
  if (fresh.length) {
    const request = apiRequest(server, "/badges/ranges", {
      method: "POST",
      json: { prefixes: fresh, compact: true },
    }).then(({ status, body }) => {
      if (status !== 200 || !body || typeof body.buckets !== "object" || !body.buckets) {
        throw new ApiError("bad_response", `POST /badges/ranges answered ${status}`, { status });
      }
      return body.buckets;
    });
    for (const p of fresh) {
      const id = `${server} ${p}`;
      const bucket = request.then((buckets) => buckets[p] || {});
      pendingBuckets.set(id, bucket);
      bucket.catch(() => {}).finally(() => pendingBuckets.delete(id));
    }
  }
  const waits = [...groups].map(([p, members]) => [pendingBuckets.get(`${server} ${p}`), p, members]);
  const entries = [];
  await Promise.all(
    waits.map(async ([pending, p, members]) => {
      let bucket;
      try {
        bucket = await pending;
      } catch (err) {
        const result = errorResult(err);
        for (const it of members) settle(it, result);
        return;
      }
      for (const it of members) {
        const card = bucket[it.key.slice(p.length)] || null;
        entries.push([it.key, card, true]);
        settle(it, card ? { status: "found", card, compact: true } : { status: "not_found" });
      }
    }),
  );
  await cachePut(entries);
}

// ---- full cards on demand (private mode: when a popover opens) ----

const bucketFetches = new Map(); // "server prefix" -> Promise of the bucket's cards

function fetchBucket(server, prefix) {
  const id = `${server} ${prefix}`;
  let pending = bucketFetches.get(id);
  if (!pending) {
    pending = apiRequest(server, `/badges/range/${prefix}`)
      .then(({ status, body }) => {
        if (status !== 200 || !body || typeof body.cards !== "object" || !body.cards) {
          throw new ApiError("bad_response", `GET /badges/range answered ${status}`, { status });
        }
        return body.cards;
      })
      .finally(() => bucketFetches.delete(id));
    bucketFetches.set(id, pending);
  }
  return pending;
}

/**
 * The full card of one account, for its popover: from the cache when it holds the full card,
 * else (private mode) the whole bucket of its prefix, or (plain mode) a normal lookup.
 * Returns a lookup result ({status: "found", card} | not_found | error).
 */
export async function fullCard(account) {
  const handle = normaliseHandle(account.platform, account.handle);
  if (!handle) return { status: "error", kind: "client_error", message: "not a valid account" };
  const key = await lookupKey(account.platform, handle);
  const cached = (await cacheGet([key])).get(key);
  if (cached && !cached.compact) return resultOf(cached);
  let settings;
  try {
    settings = await loadSettings();
    if (!settings.privateMode) {
      const results = await lookup([{ platform: account.platform, handle }]);
      return results[accountId(account.platform, handle)];
    }
    const n = prefixLength(await getMeta(settings.server));
    const cards = await fetchBucket(settings.server, key.slice(0, n));
    const card = cards[key.slice(n)] || null;
    await cachePut([[key, card]]);
    return card ? { status: "found", card } : { status: "not_found" };
  } catch (err) {
    return errorResult(err);
  }
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
  const misses = [];
  for (const it of items) {
    if (cached.has(it.key)) out[accountId(it.platform, it.handle)] = resultOf(cached.get(it.key));
    else misses.push(it);
  }
  if (!misses.length) return out;
  // Private mode queues by prefix, so it needs the prefix length first (GET /meta, cached).
  let length = 0;
  try {
    const settings = await loadSettings();
    if (settings.privateMode) length = prefixLength(await getMeta(settings.server));
  } catch (err) {
    const result = errorResult(err);
    for (const it of misses) out[accountId(it.platform, it.handle)] = result;
    return out;
  }
  const queued = misses
    .map((it) => ({ ...it, unit: length ? it.key.slice(0, length) : it.key }))
    .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))
    .map(async (it) => {
      out[accountId(it.platform, it.handle)] = await enqueue(it);
    });
  if (units.size >= BATCH) flushNow(); // a full batch: no need to wait for quiet
  await Promise.all(queued);
  return out;
}
