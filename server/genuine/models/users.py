"""Who may write: API keys, stored as hashes (the key itself is shown once, at creation)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import ClassVar

from sqlmodel import Field, SQLModel

KEY_PREFIX = "gen_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """sha256 suffices: keys are 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True)
    admin: bool = False
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    revoked_at: datetime | None = None


# People who sign in to the web pages (consultants, reviewers, admins). Everyone may submit a
# profile; a reviewer may also review, an admin may also delist and read the outbox.
ROLES = ("consultant", "reviewer", "admin")


class User(SQLModel, table=True):
    # "user" is reserved in PostgreSQL; "person" needs no quoting in hand-written SQL.
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower case
    name: str = Field(max_length=100)
    password_hash: str = Field(max_length=200)  # argon2id, with its parameters
    role: str = Field(default="consultant", max_length=16)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    # Bumped at sign-out: every session cookie names it, so a copied cookie dies with it.
    session_version: int = Field(default=0)

    # Flask-Login's protocol (written out rather than inheriting UserMixin into a table model).
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        """What the session cookie names: the id and a digest of the password hash and the
        session version, so a password change (a reset) or a sign-out ends every session
        signed in before it, copies of the cookie included."""
        secret = f"session:{self.session_version}:{self.password_hash}"
        digest = hashlib.sha256(secret.encode()).hexdigest()[:16]
        return f"{self.id}:{digest}"

    def can(self, role: str) -> bool:
        """Roles are ordered: an admin may do what a reviewer may, a reviewer what anyone may."""
        return ROLES.index(self.role) >= ROLES.index(role)


class OutboxMessage(SQLModel, table=True):
    """Every mail the server sends, kept here; also sent over SMTP when GENUINE_SMTP_URL is set."""

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    sent_at: datetime | None = None
    error: str | None = Field(default=None, max_length=500)
