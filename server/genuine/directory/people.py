"""People: argon2 password hashes, signed password-reset tokens, and the outbox.

There is no mail server by default: every message is stored in the outbox table, which an
admin can read at /admin/outbox; with GENUINE_SMTP_URL (smtp:// or smtps://user:pass@host:port)
it is also sent, and the outcome is stored beside it.
"""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from genuine.models import OutboxMessage, User
from genuine.models.users import ROLES

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
PASSWORD_MIN, PASSWORD_MAX = 12, 200


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """True when it matches. Without a user, a dummy hash is still checked so that a wrong
    email costs as long as a wrong password (no telling which emails have accounts)."""
    stored = user.password_hash if user else _DUMMY
    try:
        return _hasher.verify(stored, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMY = _hasher.hash("not a password anyone has")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def by_email(session: Session, email: str) -> User | None:
    return session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def create_user(
    session: Session,
    email: str,
    name: str,
    password: str,
    role: str,
    password_hash: str | None = None,
) -> User:
    """A new user; `password_hash`, when given, is `hash_password(password)` computed
    beforehand (so a caller need not hold a transaction open while argon2 runs)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user = User(
        email=normalise_email(email),
        name=name.strip()[:100],
        password_hash=password_hash or hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="password-reset")


def _fingerprint(user: User) -> str:
    # Part of the token: once the password changes, every earlier token stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User, secret_key: str | bytes) -> str:
    return _serializer(secret_key).dumps({"id": user.id, "fp": _fingerprint(user)})


def user_for_token(
    session: Session, token: str, secret_key: str | bytes, max_age: float
) -> User | None:
    """The user a reset token was made for, or None when it is forged, expired (older than
    `max_age` seconds) or used."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    user = session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or data.get("fp") != _fingerprint(user):
        return None
    return user


SECRET_REMOVED = "[link removed once the message was sent]"


def send_mail(
    session: Session,
    recipient: str,
    subject: str,
    body: str,
    *,
    config: Mapping[str, Any],
    secret: str | None = None,
) -> OutboxMessage:
    """Store the message in the outbox and, when `config` has an SMTP_URL, send it (from
    MAIL_FROM).

    `secret` (a reset link, say) stays readable in the outbox only while the outbox is the
    way mail gets out; once SMTP delivered it, the stored copy has it removed, so an admin or
    a database dump cannot use it."""
    message = OutboxMessage(recipient=recipient, subject=subject[:200], body=body[:10_000])
    url = config.get("SMTP_URL")
    if url:
        try:
            _smtp_send(url, config["MAIL_FROM"], message)
            message.sent_at = datetime.now(UTC)
            if secret:
                message.body = message.body.replace(secret, SECRET_REMOVED)
        except (OSError, smtplib.SMTPException) as exc:
            message.error = f"{exc.__class__.__name__}: {exc}"[:500]
    session.add(message)
    return message


def _smtp_send(url: str, sender: str, message: OutboxMessage) -> None:
    parts = urlsplit(url)
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.recipient, message.subject
    email.set_content(message.body)
    secure = parts.scheme == "smtps"
    smtp_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with smtp_class(parts.hostname or "localhost", parts.port or (465 if secure else 25)) as smtp:
        if not secure and parts.username:
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(email)
