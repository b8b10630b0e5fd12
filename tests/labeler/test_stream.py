import socket
import time
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
from tests.labeler.stream_helpers import Subscription, fill, sdk_verifies, serving, wait_for

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
        wait_for(lambda: len(middle.labels()) == 3 and stream.connections == 2)
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


# A stalled subscriber: the server may hold 4 KiB in its WebSocket write buffer and ~9 KiB
# in the kernel's send buffer for it, the client's kernel takes ~8 KiB and its websockets
# queue 2 frames: 3,000 frames of ~200 bytes are far more than that.
SLOW = {"poll": 0.05, "buffer": 4096, "socket_buffer": 4096, "send_timeout": 0.5}
COUNT = 3000


def stalled_socket(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: no autotuning
    sock.connect(("127.0.0.1", port))
    return sock


@pytest.mark.parametrize("cursor", [None, 0], ids=["live", "replay"])
def test_a_subscriber_that_stops_reading_is_cut_off_and_the_others_keep_up(engine, cursor):
    if cursor == 0:
        fill(engine, COUNT)
    with serving(engine, close_timeout=5, **SLOW) as (port, stream):
        query = "" if cursor is None else f"?cursor={cursor}"
        url = f"ws://127.0.0.1:{port}{PATH}{query}"
        with connect(url, sock=stalled_socket(port), max_queue=2) as slow:
            good = Subscription(port, cursor=cursor)
            wait_for(lambda: stream.connections == 2)
            if cursor is None:
                fill(engine, COUNT)
            wait_for(lambda: stream.disconnected_slow == 1)
            wait_for(lambda: stream.connections == 1)
            # Within close_timeout the stalled client may still read what was queued for
            # it: labels in order, then ConsumerTooSlow, then a close frame with code 1008.
            frames = []
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    frames.append(Frame.from_bytes(slow.recv(5)))
        wait_for(lambda: len(good.labels()) == COUNT)
        assert stream.disconnected_slow == 1 and stream.connections == 1
        good.stop()
    *labels, error = frames
    assert isinstance(error, ErrorFrame) and error.body.error == "ConsumerTooSlow"
    assert 0 < len(labels) < COUNT / 2
    assert [f.body["seq"] for f in labels] == list(range(1, len(labels) + 1))
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "ConsumerTooSlow")
    assert good.error is None
    assert [seq for seq, _ in good.labels()] == list(range(1, COUNT + 1))


def test_a_stalled_connection_is_cut_after_the_close_timeout(engine):
    with serving(engine, close_timeout=0.5, **SLOW) as (port, stream):
        sock = stalled_socket(port)
        sock.sendall(
            f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(1)
        assert answer.startswith(b"HTTP/1.1 101")
        wait_for(lambda: stream.connections == 1)
        fill(engine, COUNT)  # and never read them
        wait_for(lambda: stream.disconnected_slow == 1)
        time.sleep(1.0)  # past close_timeout: the server has cut the TCP connection
        sock.settimeout(10)
        received = 0
        with pytest.raises(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += len(chunk)
            raise ConnectionResetError("closed without a reset")  # an orderly FIN: fails
        assert received < COUNT * 200 / 4
        sock.close()
