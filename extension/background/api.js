// HTTP to the Genuine API, and the backoff state that the popup shows.
//
// Every failure is recorded in chrome.storage.local ("apiState") so the popup can say what is
// wrong and until when we wait; nothing fails silently. While a backoff is running no request
// leaves the browser: callers get an ApiError with retryAt instead.

const STATE_KEY = "apiState";
const MAX_BACKOFF_MS = 60_000;
const FIRST_BACKOFF_MS = 1_000;
const DEFAULT_RETRY_AFTER_MS = 30_000;

export class ApiError extends Error {
  constructor(kind, message, { status = 0, retryAt = 0 } = {}) {
    super(message);
    this.kind = kind; // rate_limited | server_error | unreachable | client_error | bad_response | unsafe_prefix
    this.status = status;
    this.retryAt = retryAt;
  }
}

const OK_STATE = { status: "ok", message: "", until: 0, failures: 0 };

export async function getApiState() {
  const got = await chrome.storage.local.get(STATE_KEY);
  return { ...OK_STATE, requests: 0, ...(got[STATE_KEY] || {}) };
}

async function putApiState(state) {
  await chrome.storage.local.set({ [STATE_KEY]: state });
}

// Parallel requests update the state read-modify-write: run those updates one at a time.
let chain = Promise.resolve();
function updateState(fn) {
  const next = chain.then(async () => putApiState(await fn(await getApiState())));
  chain = next.catch(() => {});
  return next;
}

export function resetApiState() {
  return updateState(() => ({ ...OK_STATE, requests: 0 }));
}

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null || value === "") return null;
  const s = String(value).trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** Record a failure found outside a request (e.g. an unsafe /meta) for the popup. */
export function recordFailure(err) {
  return updateState((state) => failureState(state, err));
}

function failureState(state, err) {
  const failures = state.failures + 1;
  let delay = 0;
  if (err.kind === "rate_limited") {
    delay = err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  } else if (err.kind === "server_error" || err.kind === "unreachable") {
    delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1));
  }
  const until = delay ? Date.now() + delay : 0;
  err.retryAt = until;
  return {
    ...state,
    status: err.kind,
    message: err.message,
    httpStatus: err.status,
    until,
    failures,
    at: Date.now(),
  };
}

function recordSuccess() {
  return updateState((state) => ({ ...state, ...OK_STATE, lastOkAt: Date.now() }));
}

function countRequest() {
  return updateState((state) => ({ ...state, requests: (state.requests || 0) + 1 }));
}

async function problemDetail(res) {
  try {
    const body = await res.json();
    return body.detail || body.title || `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/**
 * One request to `${server}/api/v1${path}`. Returns {status, body} for 2xx and 404 (a 404 is an
 * answer: "no card"); throws ApiError for everything else, after recording the backoff.
 */
export async function apiRequest(server, path, { method = "GET", json, headers = {} } = {}) {
  const state = await getApiState();
  if (state.until && Date.now() < state.until) {
    throw new ApiError(state.status, state.message, {
      status: state.httpStatus,
      retryAt: state.until,
    });
  }
  const init = { method, headers: { Accept: "application/json", ...headers } };
  init.credentials = "omit";
  init.cache = "no-store";
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  await countRequest();
  let res;
  try {
    res = await fetch(`${server}/api/v1${path}`, init);
  } catch {
    const err = new ApiError("unreachable", `cannot reach the Genuine server at ${server}`);
    await recordFailure(err);
    throw err;
  }
  if (res.ok || res.status === 404) {
    let body = null;
    try {
      body = await res.json();
    } catch {
      if (res.ok) {
        const err = new ApiError("bad_response", `the server at ${server} did not answer JSON`, {
          status: res.status,
        });
        await recordFailure(err);
        throw err;
      }
    }
    await recordSuccess();
    return { status: res.status, body };
  }
  const detail = await problemDetail(res);
  let err;
  if (res.status === 429) {
    err = new ApiError("rate_limited", `rate limited by the server: ${detail}`, { status: 429 });
    err.retryAfterMs = parseRetryAfter(res.headers.get("Retry-After"));
  } else if (res.status >= 500) {
    err = new ApiError("server_error", `server error ${res.status}: ${detail}`, {
      status: res.status,
    });
  } else {
    err = new ApiError("client_error", `request refused (${res.status}): ${detail}`, {
      status: res.status,
    });
  }
  await recordFailure(err);
  throw err;
}
