"""Configuration defaults.

Order of precedence (later wins): these defaults, `instance/config.py`, `GENUINE_*`
environment variables (values parsed as JSON when they look like JSON, so
`GENUINE_LOOKUP_BATCH_LIMIT=50` is an int), then the test config passed to `create_app`.
"""

from __future__ import annotations

DEFAULT_SECRET_KEY = "dev-only-not-secret"

# "development" allows the default secret key; anything else refuses to start with it.
ENVIRONMENT = "development"
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
# The version of the scoring code and model behind the cards being served.
MODEL_VERSION = "unscored"
# True when the store holds the demo's synthetic world (shown on every page).
SYNTHETIC_DATA = False
# Rate limits (Flask-Limiter notation), per API key or else per IP address.
RATE_LIMIT_READ = "1200 per minute"
RATE_LIMIT_WRITE = "30 per minute"
