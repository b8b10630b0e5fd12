"""Hand-written Jetstream frames (the v1 JSON wire) for the tests and the benchmark."""

from __future__ import annotations

import json
from typing import Any

T0 = 1_780_000_000_000_000  # time_us of the first frame: 2026-05-28


def did(n: int) -> str:
    return f"did:plc:{n:024d}"


def frame(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))


def commit(
    who: str, time_us: int, collection: str, rkey: str, operation: str, record=None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rev": "3l3qo2vutsw2b",
        "operation": operation,
        "collection": collection,
        "rkey": rkey,
    }
    if record is not None:
        body["record"] = {"$type": collection, **record}
        body["cid"] = "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"
    return {"did": who, "time_us": time_us, "kind": "commit", "commit": body}


def follow(who: str, time_us: int, rkey: str, subject: str, created="2026-05-28T10:00:00Z"):
    return commit(
        who,
        time_us,
        "app.bsky.graph.follow",
        rkey,
        "create",
        {"subject": subject, "createdAt": created},
    )


def unfollow(who: str, time_us: int, rkey: str):
    return commit(who, time_us, "app.bsky.graph.follow", rkey, "delete")


def post(
    who: str,
    time_us: int,
    rkey: str,
    text: str = "hello",
    parent: tuple[str, str] | None = None,
    created="2026-05-28T10:00:00Z",
):
    record: dict[str, Any] = {"text": text, "createdAt": created, "langs": ["en"]}
    if parent is not None:
        uri = f"at://{parent[0]}/app.bsky.feed.post/{parent[1]}"
        ref = {"uri": uri, "cid": "bafyreia"}
        record["reply"] = {"root": ref, "parent": ref}
    return commit(who, time_us, "app.bsky.feed.post", rkey, "create", record)


def delete_post(who: str, time_us: int, rkey: str):
    return commit(who, time_us, "app.bsky.feed.post", rkey, "delete")


def profile(who: str, time_us: int, name: str = "Someone", bio: str = "hi", avatar=True):
    record: dict[str, Any] = {"displayName": name, "description": bio}
    if avatar:
        record["avatar"] = {"$type": "blob", "ref": {"$link": "bafkrei"}, "size": 1}
    return commit(who, time_us, "app.bsky.actor.profile", "self", "create", record)


def identity(who: str, time_us: int, handle: str | None):
    body: dict[str, Any] = {"did": who, "seq": 1, "time": "2026-05-28T10:00:00Z"}
    if handle is not None:
        body["handle"] = handle
    return {"did": who, "time_us": time_us, "kind": "identity", "identity": body}


def account(who: str, time_us: int, active: bool, status: str | None = None):
    body: dict[str, Any] = {"did": who, "active": active, "seq": 1, "time": "2026-05-28T10:00Z"}
    if status is not None:
        body["status"] = status
    return {"did": who, "time_us": time_us, "kind": "account", "account": body}
