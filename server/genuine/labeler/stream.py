"""``com.atproto.label.subscribeLabels``: the label log as a WebSocket event stream.

Waitress (the Flask server) cannot upgrade to WebSocket, so the stream is its own small
asyncio server (``websockets``), started by ``genuine labeler stream``; a reverse proxy
routes ``/xrpc/com.atproto.label.subscribeLabels`` to it.

Frames follow the atproto event-stream wire format: two DAG-CBOR objects back to back, a
header and a body. A label is ``{op: 1, t: "#labels"}`` + ``{seq, labels: [label]}``, one
label (one ``seq``) per frame; an error is ``{op: -1}`` + ``{error, message}`` followed by
a close. As in the reference labeler (Ozone):

* ``cursor=N`` replays every label with ``seq > N`` (so ``cursor=0`` is the whole log),
  then follows live; no cursor means live only;
* a cursor past the newest ``seq`` is answered ``FutureCursor`` and closed; a malformed one
  ``InvalidRequest``.

The log is never truncated, so ``#info OutdatedCursor`` never applies. New rows are found
by polling the table every ``poll`` seconds (one poller for all subscribers). A subscriber
that stops reading is disconnected: live frames wait in a queue of ``buffer`` frames, and a
frame that cannot be handed to the socket within ``send_timeout`` seconds (full kernel
and WebSocket write buffers, ``socket_buffer`` and 64 KiB) ends the connection too.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from urllib.parse import parse_qs, urlsplit

import libipld
import sqlalchemy as sa
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from genuine.labeler.emit import LABEL, published

PATH = "/xrpc/com.atproto.label.subscribeLabels"
log = logging.getLogger("genuine.labeler.stream")

_LABELS_HEADER = libipld.encode_dag_cbor({"op": 1, "t": "#labels"})
_ERROR_HEADER = libipld.encode_dag_cbor({"op": -1})


def labels_frame(seq: int, label: dict) -> bytes:
    return _LABELS_HEADER + libipld.encode_dag_cbor({"seq": seq, "labels": [label]})


def error_frame(error: str, message: str) -> bytes:
    return _ERROR_HEADER + libipld.encode_dag_cbor({"error": error, "message": message})


class BadRequest(Exception):
    pass


def parse_cursor(path: str) -> int | None:
    values = parse_qs(urlsplit(path).query, keep_blank_values=True).get("cursor")
    if not values:
        return None
    text = values[-1]
    if len(values) > 1 or not text.isascii() or not text.isdigit() or len(text) > 18:
        raise BadRequest("cursor must be one whole number")
    return int(text)


class Subscriber:
    def __init__(self, ws: ServerConnection, buffer: int):
        self.ws = ws
        self.queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue(buffer)
        self.too_slow = False


class LabelStream:
    def __init__(
        self,
        engine: sa.Engine,
        poll: float = 0.25,
        buffer: int = 1000,
        send_timeout: float = 10.0,
        page: int = 2000,
        socket_buffer: int = 2**16,
    ):
        self.engine, self.poll, self.buffer = engine, poll, buffer
        self.send_timeout, self.page, self.socket_buffer = send_timeout, page, socket_buffer
        self.latest = 0  # newest seq the poller has handed to subscribers
        self.subscribers: set[Subscriber] = set()
        self.disconnected_slow = 0

    # --- the table, read in a worker thread -------------------------------------------
    def _newest(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(LABEL.c.seq))).scalar() or 0

    def _frames_after(self, seq: int) -> list[tuple[int, bytes]]:
        query = sa.select(LABEL).where(LABEL.c.seq > seq).order_by(LABEL.c.seq).limit(self.page)
        with self.engine.connect() as conn:
            return [(r.seq, labels_frame(r.seq, published(r))) for r in conn.execute(query)]

    # --- one poller for everyone ------------------------------------------------------
    async def start(self) -> None:
        self.latest = await asyncio.to_thread(self._newest)

    async def poll_forever(self) -> None:
        while True:
            try:
                frames = await asyncio.to_thread(self._frames_after, self.latest)
            except sa.exc.SQLAlchemyError as exc:
                log.warning("label table unreadable, retrying: %s", exc)
                frames = []
            for seq, frame in frames:
                self.latest = seq
                for sub in list(self.subscribers):
                    self._offer(sub, seq, frame)
            if len(frames) < self.page:
                await asyncio.sleep(self.poll)

    def _offer(self, sub: Subscriber, seq: int, frame: bytes) -> None:
        try:
            sub.queue.put_nowait((seq, frame))
        except asyncio.QueueFull:
            self._drop(sub)

    def _drop(self, sub: Subscriber) -> None:
        if sub.too_slow:
            return
        sub.too_slow = True
        self.subscribers.discard(sub)
        self.disconnected_slow += 1
        # It is not reading: a close handshake cannot get through, so cut the connection.
        sub.ws.transport.abort()

    # --- one connection ---------------------------------------------------------------
    async def _send(self, sub: Subscriber, frame: bytes) -> None:
        try:
            await asyncio.wait_for(sub.ws.send(frame), self.send_timeout)
        except TimeoutError:
            self._drop(sub)
            raise ConnectionClosed(None, None) from None

    async def handler(self, ws: ServerConnection) -> None:
        sock = ws.transport.get_extra_info("socket")
        if sock is not None:  # bound the kernel's share of a stalled subscriber's backlog
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.socket_buffer)
        try:
            cursor = parse_cursor(ws.request.path)
        except BadRequest as exc:
            await ws.send(error_frame("InvalidRequest", str(exc)))
            await ws.close()
            return
        sub = Subscriber(ws, self.buffer)
        # A handler waiting on its queue must end when the connection does (server stop).
        me = asyncio.current_task()
        closed = asyncio.create_task(ws.wait_closed())
        closed.add_done_callback(lambda _: me.cancel())
        try:
            if cursor is None:
                self.subscribers.add(sub)
                sent = self.latest
            else:
                if cursor > await asyncio.to_thread(self._newest):
                    await ws.send(error_frame("FutureCursor", "Cursor in the future."))
                    await ws.close()
                    return
                sent = await self._replay(sub, cursor)
            while not sub.too_slow:
                seq, frame = await sub.queue.get()
                if seq > sent:
                    await self._send(sub, frame)
                    sent = seq
        except (ConnectionClosed, asyncio.CancelledError):
            pass
        finally:
            closed.cancel()
            self.subscribers.discard(sub)

    async def _replay(self, sub: Subscriber, cursor: int) -> int:
        """Send the log after ``cursor`` from the table, then join the live subscribers.

        The join happens with no ``await`` between "caught up with what the poller has
        handed out" and "registered", so no row falls between replay and live.
        """
        sent = cursor
        while True:
            frames = await asyncio.to_thread(self._frames_after, sent)
            for seq, frame in frames:
                await self._send(sub, frame)
                sent = seq
            if not frames and sent >= self.latest:
                self.subscribers.add(sub)
                return sent


def process_request(ws: ServerConnection, request: Request) -> Response | None:
    if urlsplit(request.path).path != PATH:
        return ws.respond(404, f"only {PATH} is served here\n")
    return None


async def run(
    stream: LabelStream,
    host: str,
    port: int,
    ready: asyncio.Future | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or forever); ``ready`` gets the bound port."""
    await stream.start()
    poller = asyncio.create_task(stream.poll_forever())
    try:
        async with serve(
            stream.handler,
            host,
            port,
            process_request=process_request,
            write_limit=2**16,
            close_timeout=2,
        ) as server:
            if ready is not None:
                ready.set_result(server.sockets[0].getsockname()[1])
            await (stop.wait() if stop else asyncio.Future())
    finally:
        poller.cancel()
