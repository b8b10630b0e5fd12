from datetime import timedelta

import pytest
import sqlalchemy as sa
from atproto_client import models
from atproto_subscription.exceptions import SubscriptionError
from atproto_subscription.frames import ErrorFrame, Frame
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from genuine.db import get_db
from genuine.labeler.emit import LABEL, subjects
from genuine.labeler.stream import PATH
from tests.labeler.helpers import SRC, T0, card, labeler, put
from tests.labeler.stream_helpers import Subscription, sdk_verifies, serving, wait_for

Labels = models.ComAtprotoLabelSubscribeLabels.Labels


@pytest.fixture
def engine(app):
    return get_db(app).engine


def sync(engine, *cards, now=T0):
    with engine.begin() as conn:
        put(conn, *cards)
        return labeler().sync(conn, subjects(conn), now)


def seqs(engine):
    with engine.connect() as conn:
        return list(conn.execute(sa.select(LABEL.c.seq).order_by(LABEL.c.seq)).scalars())


def test_replay_from_zero_then_live_negation_all_verified(engine):
    sync(engine, *[card(f"ring{i}.bsky.social", ring="member") for i in range(5)])
    sync(engine, card("buyer.bsky.social", purchase="high", reply="unresponsive"))
    logged = seqs(engine)
    assert len(logged) == 7
    with serving(engine, poll=0.05) as (port, _):
        sub = Subscription(port, cursor=0)
        wait_for(lambda: len(sub.labels()) == 7)
        # The card leaves its band while the subscriber follows live.
        sync(engine, card("buyer.bsky.social", reply="unresponsive"), now=T0 + timedelta(hours=1))
        wait_for(lambda: len(sub.labels()) == 8)
        sub.stop()
    assert sub.error is None
    assert set(sub.headers) == {(1, "#labels")}
    assert all(isinstance(m, Labels) for m in sub.messages)
    got = sub.labels()
    assert [seq for seq, _ in got] == [*logged, logged[-1] + 1]
    for _, label in got:
        assert label.src == SRC and label.uri.startswith("did:plc:")
        assert sdk_verifies(label)
    last = got[-1][1]
    assert (last.uri, last.val, last.neg, last.exp) == (
        "did:plc:buyer",
        "bought-followers-high",
        True,
        None,
    )
    assert all(label.exp for _, label in got[:-1])


def test_cursor_replays_after_that_seq_and_no_cursor_is_live_only(engine):
    sync(engine, *[card(f"ring{i}.bsky.social", ring="member") for i in range(6)])
    logged = seqs(engine)
    with serving(engine, poll=0.05) as (port, stream):
        middle = Subscription(port, cursor=logged[2])
        live = Subscription(port)
        wait_for(lambda: len(middle.labels()) == 3 and len(stream.subscribers) == 2)
        sync(engine, card("late.bsky.social", ring="member"))
        wait_for(lambda: len(middle.labels()) == 4 and len(live.labels()) == 1)
        # What a reconnecting client sees: exactly what it missed, once.
        again = Subscription(port, cursor=middle.labels()[-1][0] - 1)
        wait_for(lambda: len(again.labels()) == 1)
        for sub in (middle, live, again):
            sub.stop()
    assert [s for s, _ in middle.labels()] == [*logged[3:], logged[-1] + 1]
    assert [(s, x.uri) for s, x in live.labels()] == [(logged[-1] + 1, "did:plc:late")]
    assert again.labels()[0][0] == logged[-1] + 1
    assert all(sdk_verifies(x) for sub in (middle, live) for _, x in sub.labels())


def test_a_cursor_from_the_future_gets_the_future_cursor_error(engine):
    sync(engine, card("ring1.bsky.social", ring="member"))
    with serving(engine) as (port, _):
        sub = Subscription(port, cursor=2)
        sub.thread.join(10)
        with connect(f"ws://127.0.0.1:{port}{PATH}?cursor=0") as ws:
            assert Frame.from_bytes(ws.recv(5)).body["seq"] == 1
    assert isinstance(sub.error, SubscriptionError)
    assert sub.error.args[0].error == "FutureCursor" and sub.messages == []


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=-1", "cursor=", "cursor=1&cursor=2"])
def test_a_malformed_cursor_gets_invalid_request_and_a_close(engine, query):
    with serving(engine) as (port, _), connect(f"ws://127.0.0.1:{port}{PATH}?{query}") as ws:
        frame = Frame.from_bytes(ws.recv(5))
        assert isinstance(frame, ErrorFrame)
        assert frame.body.error == "InvalidRequest" and frame.body.message
        with pytest.raises(ConnectionClosed):
            ws.recv(5)


def test_other_paths_are_not_upgraded(engine):
    with serving(engine) as (port, _), pytest.raises(InvalidStatus) as info:
        connect(f"ws://127.0.0.1:{port}/xrpc/com.atproto.sync.subscribeRepos")
    assert info.value.response.status_code == 404
