"""Configuration defaults.

Order of precedence (later wins): these defaults, `instance/config.py`, `GENUINE_*`
environment variables (values parsed as JSON when they look like JSON, so
`GENUINE_LOOKUP_BATCH_LIMIT=50` is an int), then the test config passed to `create_app`.
"""

from __future__ import annotations

# The development secret key: known to everyone, so refused outside development.
DEFAULT_SECRET_KEY = "dev-only-not-secret"

# "development" allows the default secret key; anything else refuses to start with it.
ENVIRONMENT = "development"
# Signs sessions, CSRF tokens, password-reset links and ownership codes: set a long random
# value (GENUINE_SECRET_KEY) anywhere but on a developer's machine.
SECRET_KEY = DEFAULT_SECRET_KEY
# None means a SQLite file in the instance folder (see genuine.db.database_url).
DATABASE_URL: str | None = None
# None means huey and Flask-Limiter keep their state locally (SQLite file / memory).
REDIS_URL: str | None = None
# Rows per write batch during imports.
IMPORT_BATCH_SIZE = 10_000
# Where people reach this server; cards carry absolute report links built from it.
PUBLIC_URL = "http://127.0.0.1:5000"
# Seconds a client may reuse a card before revalidating it with its ETag.
CARD_MAX_AGE = 900
# Private lookups: the prefix length is chosen so a bucket holds about this many cards.
PRIVATE_BUCKET_SIZE = 64
# True when the store holds the demo's synthetic world (shown on every page).
SYNTHETIC_DATA = False
# Rate limits (Flask-Limiter notation), per API key or else per IP address.
RATE_LIMIT_READ = "1200 per minute"
RATE_LIMIT_WRITE = "30 per minute"
# Reverse proxies in front of the server (gunicorn behind nginx: 1). Their X-Forwarded-For
# and X-Forwarded-Proto are believed, so limits count per client, not all on the proxy's
# address. 0: none, and those headers are ignored (anyone could send them).
TRUSTED_PROXIES = 0
# POSTs to sign-in, sign-up and password reset, per IP: each costs an argon2 hash, and a
# reset request sends mail.
RATE_LIMIT_AUTH = "10 per minute; 50 per hour"
# Largest request body (bytes): the biggest real one, 100 accounts or a full profile form,
# is a few tens of kilobytes. Bigger bodies answer 413.
MAX_CONTENT_LENGTH = 1024 * 1024
# The session cookie: never sent by cross-site subrequests or readable by scripts; Secure
# (HTTPS only) everywhere but in development unless set explicitly.
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE: bool | None = None
# The consultant directory (genuine.directory): outgoing mail goes to the outbox table, and
# also over SMTP when this is set (smtp://user:password@host:587 or smtps://...:465).
SMTP_URL: str | None = None
MAIL_FROM = "Genuine <genuine@localhost>"
# Seconds a password-reset link stays valid.
PASSWORD_RESET_MAX_AGE = 3600

# --- Live sources and audits (genuine.sources, genuine.pipeline.audits, genuine.pipeline.queue) ---
# Replace the instance / AppView / API address for every request of that source
# (a local test server: "http://127.0.0.1:8080"). None: the account's own instance,
# https://public.api.bsky.app, https://api.x.com.
MASTODON_BASE_URL: str | None = None
BLUESKY_BASE_URL: str | None = None
X_BASE_URL: str | None = None
# X audits only run with an API v2 bearer token (app-only).
X_BEARER_TOKEN: str | None = None
# Per request: read timeout (s); retries on 429/5xx; longest wait an audit sleeps through.
SOURCE_TIMEOUT = 10.0
SOURCE_RETRIES = 4
SOURCE_MAX_WAIT = 60.0
SOURCE_BACKOFF = 0.5
# Most requests one audit may make to one host.
SOURCE_BUDGET = 1000
# Followers sampled per audit. An audit pages back through the account's own posts, reading
# the replies under each, until it has AUDIT_QUESTIONS questions (replies by others: enough
# for a reply-rate level, 30, with room for the interval), AUDIT_POSTS posts, or its budget.
AUDIT_FOLLOWERS = 2000
AUDIT_POSTS = 200
AUDIT_QUESTIONS = 60
# A worker holds an audit this long without news before another may take it over.
AUDIT_LEASE_SECONDS = 300
# Audited accounts whose card is older than this are audited again (0: never).
REAUDIT_AFTER_HOURS = 168
# At most this many re-audits are queued per scheduler run (every 15 minutes).
REAUDIT_BATCH = 50
# Run queued jobs at once, in the caller (tests); the default is a worker (`genuine worker`).
QUEUE_IMMEDIATE = False

# --- Cards for the accounts Jetstream touched (genuine.jetstream.rescore, issue 13) ---
# An account is rescored at most once per this many seconds, however many events touch it.
RESCORE_AFTER_SECONDS = 600
# Dirty accounts per rescoring job; the scheduler (every minute, and `genuine jetstream` after
# its batches) queues as many jobs as there are due accounts, up to RESCORE_JOBS.
RESCORE_BATCH = 200
RESCORE_JOBS = 20
# Followers without counts fetched from the AppView per rescored account (getProfiles, 25 a
# request, within SOURCE_BUDGET per job); 0 asks the AppView only for missing handles.
RESCORE_PROFILES = 200
# Ask the AppView at all while rescoring (False: the stream alone; an account then gets its
# card once an identity event names its handle, and followers have the stream's profile only).
RESCORE_APPVIEW = True
# When the workers run ring detection over the whole ingested Bluesky follow graph ("HH:MM",
# UTC, daily; empty: never, `genuine jetstream --rings` runs it by hand).
RINGS_DAILY_AT = "03:00"
# Which engine that run uses: "inprocess" (numpy/scipy, up to ~100M follows on one machine) or
# "spark" (the store's graph exported to Parquet, then the PySpark job; `pip install -e
# '.[spark]'`, Java 17; GENUINE_SPARK_MASTER names a cluster, default local[2]).
RINGS_ENGINE = "inprocess"

# --- The Bluesky labeler (genuine.labeler, issue 14): off until LABELER_DID is set ---
# The labeler's own DID (did:plc:... or did:web:...), the `src` of every label it signs.
LABELER_DID: str | None = None
# The secp256k1 signing key written by `genuine labeler keygen` (PEM). None: labeler.pem in
# the instance folder.
LABELER_KEY_PATH: str | None = None
# Where DIDs are resolved (the issuer of a report's inter-service token).
PLC_DIRECTORY_URL = "https://plc.directory"

# --- The Jetstream ingester (genuine.jetstream, `genuine jetstream`, issue 13) ---
# Bluesky's public Jetstream instance; `/subscribe` with the wanted collections and a cursor.
JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
# A connection that sends nothing for this many seconds is closed and opened again.
JETSTREAM_SILENCE_SECONDS = 30.0
# A batch (one transaction) ends after this many frames or this many seconds.
JETSTREAM_BATCH_SIZE = 1000
JETSTREAM_BATCH_SECONDS = 1.0
