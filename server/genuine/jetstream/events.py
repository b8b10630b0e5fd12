"""Jetstream frames → what they mean for the store. Pure: no I/O, never raises.

Jetstream's `/subscribe` (v1 JSON wire, github.com/bluesky-social/jetstream docs/README.md
section 5.1 and event.go) sends one JSON object per text frame:

    {"did", "time_us", "kind": "commit", "commit": {"rev", "operation": "create"|"update"|
     "delete", "collection", "rkey", "record", "cid"}}
    {"did", "time_us", "kind": "identity", "identity": {"did", "handle", "seq", "time"}}
    {"did", "time_us", "kind": "account", "account": {"did", "active", "status", "seq", "time"}}

`parse` turns one frame into a `Follow`, `Post`, `Profile`, `Identity` or `Status`, or a
`Bad` naming why it was refused (the reason is a counter name). Checked: JSON syntax, the
frame's size, DID, handle and record-key syntax (atproto specs), the collection (only
follows, posts and profiles are wanted), field types, lexicon length limits, timestamps.

Accounts are keyed by DID: the DID is the stable identity of a Bluesky account (a handle
can change or move to someone else), so follows and posts name accounts by DID, lower
case, in the store's `handle` columns, the convention the Bluesky source already uses for
an account whose handle is invalid. The handle an identity event announces is kept beside
the DID (genuine.models.ingest.BlueskyActor) and only used for the card's lookup key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from genuine.sources.bluesky import post_id
from genuine.sources.common import parse_time

FOLLOW = "app.bsky.graph.follow"
POST = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"
COLLECTIONS = (FOLLOW, POST, PROFILE)

MAX_FRAME_BYTES = 64 * 1024  # a post record is at most a few KiB; anything bigger is refused
DID_MAX = 255  # the store's handle column (the DID spec allows 2 KiB; real ones are ~32)
RKEY_MAX = 255  # Jetstream itself drops longer record keys
HANDLE_MAX = 253
# Lexicon limits (app.bsky.feed.post text, app.bsky.actor.profile displayName/description),
# in UTF-8 bytes per the lexicons; a record beyond them is refused as oversized.
TEXT_MAX = 3000
DISPLAY_NAME_MAX = 640
DESCRIPTION_MAX = 2560
# time_us of real events lies after Bluesky's launch and before 2100.
TIME_MIN, TIME_MAX = 1_600_000_000_000_000, 4_102_444_800_000_000

_DID = re.compile(r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]")
_HANDLE = re.compile(
    r"([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
)
_RKEY = re.compile(r"[A-Za-z0-9._:~-]{1,255}")
INVALID_HANDLE = "handle.invalid"


@dataclass(frozen=True, slots=True)
class Follow:
    did: str
    time_us: int
    rkey: str
    delete: bool
    subject: str | None = None  # a DID; None on delete (Jetstream sends only the rkey)
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Post:
    did: str
    time_us: int
    rkey: str
    delete: bool
    created_at: datetime | None = None
    text: str | None = None
    reply_parent: str | None = None  # post id (did/rkey) of the parent
    reply_author: str | None = None  # the parent's DID

    @property
    def post_id(self) -> str:
        return post_id(f"at://{self.did}/{POST}/{self.rkey}")


@dataclass(frozen=True, slots=True)
class Profile:
    did: str
    time_us: int
    rkey: str
    delete: bool
    display_name: str | None = None
    bio: str | None = None
    has_avatar: bool | None = None
    has_banner: bool | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    did: str
    time_us: int
    handle: str | None  # None: the event carried no (valid-syntax) handle, or handle.invalid


@dataclass(frozen=True, slots=True)
class Status:
    did: str
    time_us: int
    active: bool
    status: str  # "active", or why not: deleted, takendown, suspended, deactivated, ...


@dataclass(frozen=True, slots=True)
class Bad:
    reason: str
    did: str | None = None
    kind: str | None = None
    time_us: int | None = None

    def line(self) -> str:
        return f"jetstream: skipped {self.reason}: did={self.did or '-'} kind={self.kind or '-'}"


Event = Follow | Post | Profile | Identity | Status


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def valid_did(value: Any) -> str:
    if not isinstance(value, str) or len(value) > DID_MAX or not _DID.fullmatch(value):
        raise _Refused("bad_did")
    return value.lower()


def valid_handle(value: Any) -> str | None:
    """A handle in lower case; None for `handle.invalid`; refused when the syntax is wrong."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > HANDLE_MAX or not _HANDLE.fullmatch(value):
        raise _Refused("bad_handle")
    value = value.lower()
    return None if value == INVALID_HANDLE else value


def _rkey(value: Any) -> str:
    if not isinstance(value, str) or value in (".", "..") or not _RKEY.fullmatch(value):
        raise _Refused("bad_rkey")
    return value


def _text(record: dict, name: str, limit: int) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Refused("bad_field")
    if len(value.encode("utf-8", "surrogatepass")) > limit:
        raise _Refused("oversized")
    return value or None


def _time(record: dict) -> datetime:
    value = parse_time(record.get("createdAt"))
    if value is None:
        raise _Refused("bad_field")
    return value


def _at_uri(value: Any) -> tuple[str, str, str]:
    """`at://did/collection/rkey` → its parts, the DID checked."""
    if not isinstance(value, str) or not value.startswith("at://"):
        raise _Refused("bad_field")
    parts = value[5:].split("/")
    if len(parts) != 3:
        raise _Refused("bad_field")
    return valid_did(parts[0]), parts[1], _rkey(parts[2])


def _commit(did: str, time_us: int, commit: Any) -> Event:
    if not isinstance(commit, dict):
        raise _Refused("bad_field")
    collection, operation = commit.get("collection"), commit.get("operation")
    if collection not in COLLECTIONS:
        raise _Refused("unknown_collection")
    if operation not in ("create", "update", "delete"):
        raise _Refused("bad_field")
    rkey = _rkey(commit.get("rkey"))
    delete = operation == "delete"
    record = commit.get("record")
    if not delete and not isinstance(record, dict):
        raise _Refused("bad_field")
    if collection == FOLLOW:
        if delete:
            return Follow(did, time_us, rkey, True)
        return Follow(did, time_us, rkey, False, valid_did(record.get("subject")), _time(record))
    if collection == POST:
        if delete:
            return Post(did, time_us, rkey, True)
        parent_id = parent_author = None
        reply = record.get("reply")
        if reply is not None:
            parent = reply.get("parent") if isinstance(reply, dict) else None
            if not isinstance(parent, dict):
                raise _Refused("bad_field")
            uri = parent.get("uri")
            parent_author, _, _ = _at_uri(uri)
            parent_id = post_id(uri)
        return Post(
            did,
            time_us,
            rkey,
            False,
            created_at=_time(record),
            text=_text(record, "text", TEXT_MAX),
            reply_parent=parent_id,
            reply_author=parent_author,
        )
    if rkey != "self":  # a profile record always has the key "self"
        raise _Refused("bad_rkey")
    if delete:  # the profile is gone: the account keeps no name, bio or pictures
        return Profile(did, time_us, rkey, True, has_avatar=False, has_banner=False)
    created = record.get("createdAt")
    return Profile(
        did,
        time_us,
        rkey,
        False,
        display_name=_text(record, "displayName", DISPLAY_NAME_MAX),
        bio=_text(record, "description", DESCRIPTION_MAX),
        has_avatar=record.get("avatar") is not None,
        has_banner=record.get("banner") is not None,
        created_at=parse_time(created) if created is not None else None,
    )


def parse(frame: str | bytes) -> Event | Bad:
    """One frame's meaning, or why it was refused. Never raises."""
    did = kind = time_us = None
    try:
        if len(frame) > MAX_FRAME_BYTES:
            return Bad("oversized")
        try:
            body = json.loads(frame)
        except (ValueError, RecursionError):
            return Bad("bad_json")
        if not isinstance(body, dict):
            return Bad("bad_json")
        raw_did, kind = body.get("did"), body.get("kind")
        did = raw_did if isinstance(raw_did, str) else None
        kind = kind if isinstance(kind, str) else None
        raw_time = body.get("time_us")
        if type(raw_time) is not int or not TIME_MIN <= raw_time < TIME_MAX:
            return Bad("bad_time", did and did[:DID_MAX], kind and kind[:32])
        time_us = raw_time
        did = valid_did(raw_did)
        if kind == "commit":
            return _commit(did, time_us, body.get("commit"))
        if kind == "identity":
            identity = body.get("identity")
            if not isinstance(identity, dict):
                raise _Refused("bad_field")
            return Identity(did, time_us, valid_handle(identity.get("handle")))
        if kind == "account":
            account = body.get("account")
            if not isinstance(account, dict) or type(account.get("active")) is not bool:
                raise _Refused("bad_field")
            active = account["active"]
            status = account.get("status")
            if status is not None and (not isinstance(status, str) or len(status) > 32):
                raise _Refused("bad_field")
            return Status(did, time_us, active, "active" if active else (status or "inactive"))
        return Bad("unknown_kind", did, kind and kind[:32], time_us)
    except _Refused as refused:
        return Bad(refused.reason, did and did[:DID_MAX], kind and kind[:32], time_us)
    except Exception as exc:  # the parser must never stop the stream
        return Bad(f"unexpected_{type(exc).__name__}", did and str(did)[:DID_MAX], kind, time_us)


def time_of(time_us: int) -> datetime:
    return datetime.fromtimestamp(time_us / 1_000_000, UTC)
