"""Parsing Jetstream frames: what each becomes, what is refused and why, and never a crash."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genuine.jetstream import events
from genuine.jetstream.events import Bad, Follow, Identity, Post, Profile, Status, parse
from tests.jetstream.frames import (
    T0,
    account,
    commit,
    delete_post,
    did,
    follow,
    frame,
    identity,
    post,
    profile,
    unfollow,
)

A, B = did(1), did(2)


def test_follow_create_and_delete():
    event = parse(frame(follow(A, T0, "3kfa", B, created="2024-01-02T03:04:05.678Z")))
    assert isinstance(event, Follow)
    assert (event.did, event.rkey, event.subject, event.delete) == (A, "3kfa", B, False)
    assert event.created_at.isoformat() == "2024-01-02T03:04:05.678000+00:00"
    gone = parse(frame(unfollow(A, T0 + 1, "3kfa")))
    assert isinstance(gone, Follow) and gone.delete and gone.subject is None


def test_post_with_reply_names_the_parent_and_its_author():
    event = parse(frame(post(A, T0, "3kp1", "thanks!", parent=(B, "3kp0"))))
    assert isinstance(event, Post)
    assert event.post_id == f"{A}/3kp1"
    assert (event.reply_parent, event.reply_author, event.text) == (f"{B}/3kp0", B, "thanks!")
    plain = parse(frame(post(A, T0, "3kp2")))
    assert plain.reply_parent is None and plain.reply_author is None
    assert parse(frame(delete_post(A, T0, "3kp1"))).delete


def test_profile_identity_and_account_events():
    event = parse(frame(profile(A, T0, name="Ann", bio="about me", avatar=False)))
    assert isinstance(event, Profile)
    assert (event.display_name, event.bio, event.has_avatar) == ("Ann", "about me", False)
    assert parse(frame(profile(A, T0))).has_avatar is True
    moved = parse(frame(identity(A, T0, "Ann.Example.COM")))
    assert isinstance(moved, Identity) and moved.handle == "ann.example.com"
    assert parse(frame(identity(A, T0, "handle.invalid"))).handle is None
    assert parse(frame(identity(A, T0, None))).handle is None
    gone = parse(frame(account(A, T0, False, "takendown")))
    assert isinstance(gone, Status) and (gone.active, gone.status) == (False, "takendown")
    assert parse(frame(account(A, T0, True))).status == "active"
    assert parse(frame(account(A, T0, False))).status == "inactive"


def _bad(body_or_text) -> Bad:
    text = body_or_text if isinstance(body_or_text, str | bytes) else frame(body_or_text)
    result = parse(text)
    assert isinstance(result, Bad), result
    return result


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('"text"', "bad_json"),
        ({"did": A, "kind": "commit"}, "bad_time"),
        ({**follow(A, T0, "3k", B), "time_us": "1780000000000000"}, "bad_time"),
        ({**follow(A, T0, "3k", B), "time_us": True}, "bad_time"),
        ({**follow(A, T0, "3k", B), "time_us": 12}, "bad_time"),
        ({**follow(A, T0, "3k", B), "did": "did:plc:"}, "bad_did"),
        ({**follow(A, T0, "3k", B), "did": "alice.bsky.social"}, "bad_did"),
        ({**follow(A, T0, "3k", B), "did": 42}, "bad_did"),
        ({**follow(A, T0, "3k", B), "did": "did:plc:" + "a" * 300}, "bad_did"),
        (follow(A, T0, "3k", "not-a-did"), "bad_did"),
        (follow(A, T0, "3k", B, created="yesterday"), "bad_field"),
        (follow(A, T0, "bad key!", B), "bad_rkey"),
        (follow(A, T0, "..", B), "bad_rkey"),
        (
            commit(A, T0, "app.bsky.feed.like", "3k", "create", {"subject": {}}),
            "unknown_collection",
        ),
        (commit(A, T0, "app.bsky.graph.follow", "3k", "create"), "bad_field"),
        (commit(A, T0, "app.bsky.graph.follow", "3k", "upsert", {}), "bad_field"),
        ({**follow(A, T0, "3k", B), "commit": "x"}, "bad_field"),
        ({**post(A, T0, "3k"), "kind": "sync"}, "unknown_kind"),
        (post(A, T0, "3k", text="x" * 3001), "oversized"),
        (post(A, T0, "3k", text="é" * 1501), "oversized"),
        (
            commit(
                A,
                T0,
                "app.bsky.feed.post",
                "3k",
                "create",
                {"text": 5, "createdAt": "2024-01-01T00:00:00Z"},
            ),
            "bad_field",
        ),
        (
            commit(
                A,
                T0,
                "app.bsky.feed.post",
                "3k",
                "create",
                {
                    "text": "x",
                    "createdAt": "2024-01-01T00:00:00Z",
                    "reply": {"parent": {"uri": "https://x"}},
                },
            ),
            "bad_field",
        ),
        (
            commit(
                A,
                T0,
                "app.bsky.feed.post",
                "3k",
                "create",
                {
                    "text": "x",
                    "createdAt": "2024-01-01T00:00:00Z",
                    "reply": {"parent": {"uri": "at://bad/app.bsky.feed.post/3k"}},
                },
            ),
            "bad_did",
        ),
        (commit(A, T0, "app.bsky.actor.profile", "other", "create", {}), "bad_rkey"),
        (profile(A, T0, name="n" * 641), "oversized"),
        (identity(A, T0, "not a handle"), "bad_handle"),
        (identity(A, T0, "-bad-.com"), "bad_handle"),
        ({**identity(A, T0, "a.com"), "identity": None}, "bad_field"),
        ({**account(A, T0, False), "account": {"active": "no"}}, "bad_field"),
    ],
)
def test_bad_input_is_refused_with_a_reason(body, reason):
    bad = _bad(body)
    assert bad.reason == reason
    line = bad.line()
    assert line.startswith(f"jetstream: skipped {reason}: did=") and "kind=" in line
    assert "\n" not in line


def test_a_refused_event_names_its_did_and_kind():
    bad = _bad(follow(A, T0, "bad key!", B))
    assert (bad.did, bad.kind, bad.time_us) == (A, "commit", T0)
    assert "did=did:plc:" in bad.line() and "kind=commit" in bad.line()


def test_oversized_frames_are_refused_before_decoding():
    huge = frame(post(A, T0, "3k", text="x")) + " " * events.MAX_FRAME_BYTES
    assert _bad(huge).reason == "oversized"


def test_deeply_nested_json_does_not_crash():
    assert _bad("[" * 5000 + "]" * 5000).reason == "bad_json"
    deep = '{"a":' * 3000 + "1" + "}" * 3000
    nested = f'{{"did": "{A}", "time_us": {T0}, "kind": "commit", "commit": {deep}}}'
    assert isinstance(parse(nested), Bad)


def test_bytes_frames_parse_like_text():
    assert parse(frame(follow(A, T0, "3k", B)).encode()) == parse(frame(follow(A, T0, "3k", B)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
# Frames that look like Jetstream's, with any field replaced by anything.
shaped = st.fixed_dictionaries(
    {
        "did": st.sampled_from([A, "did:web:example.com", "x", ""]) | json_values,
        "time_us": st.sampled_from([T0, T0 - 1, 0, -1]) | json_values,
        "kind": st.sampled_from(["commit", "identity", "account", "sync"]) | json_values,
        "commit": st.fixed_dictionaries(
            {
                "operation": st.sampled_from(["create", "update", "delete"]) | json_values,
                "collection": st.sampled_from(events.COLLECTIONS) | json_values,
                "rkey": st.sampled_from(["self", "3kfa", ""]) | json_values,
                "record": st.dictionaries(
                    st.sampled_from(
                        ["subject", "createdAt", "text", "reply", "displayName", "avatar"]
                    ),
                    json_values | st.just("2024-01-01T00:00:00Z") | st.just(B),
                ),
            }
        )
        | json_values,
        "identity": st.dictionaries(st.sampled_from(["handle", "did"]), json_values),
        "account": st.dictionaries(st.sampled_from(["active", "status"]), json_values),
    }
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(shaped.map(json.dumps), st.text(max_size=200), st.binary(max_size=200)))
def test_fuzz_parse_never_raises(text):
    result = parse(text)
    assert isinstance(result, Bad | Follow | Post | Profile | Identity | Status)
    if isinstance(result, Bad):
        # Every refusal is a checked one: the catch-all in parse is never what saved it.
        assert not result.reason.startswith("unexpected_"), result
        assert isinstance(result.line(), str)
    else:
        assert result.did.startswith("did:") and isinstance(result.time_us, int)
