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
by polling the table every ``poll`` seconds (one poller for all subscribers), which keeps
the newest ``cache`` frames in memory. Every subscriber pulls from there at its own pace,
or from the table when it is further behind (a replay, a burst of thousands of labels from
one ``genuine labeler sync``): falling behind costs a fast subscriber nothing.

Frames go out in chunks of about ``buffer / 2`` bytes, one socket write and one flow-control
wait per chunk rather than per frame, and uncompressed (frames are small and mostly
signatures; the `ws` server under Ozone does not deflate by default either).

A subscriber that stops reading is disconnected. What the server holds for it is bounded:
the kernel's send buffer (``socket_buffer``) and the WebSocket write buffer (``buffer``
bytes, plus the chunk being handed over); once both are full, sending waits. When a send
has waited ``send_timeout`` seconds the subscriber gets the error frame ``ConsumerTooSlow``
(the name the atproto PDS uses on its event streams) and a close frame with code 1008
behind the frames it has not read, and the TCP connection is cut ``close_timeout``
seconds later if it has not read them by then. The other subscribers are not affected.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import socket
from operator import itemgetter
from urllib.parse import parse_qs, urlsplit

import libipld
import sqlalchemy as sa
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.protocol import State

from genuine.labeler.emit import LABEL, published

PATH = "/xrpc/com.atproto.label.subscribeLabels"
TOO_SLOW = CloseCode.POLICY_VIOLATION  # 1008
log = logging.getLogger("genuine.labeler.stream")

_LABELS_HEADER = libipld.encode_dag_cbor({"op": 1, "t": "#labels"})
_ERROR_HEADER = libipld.encode_dag_cbor({"op": -1})
_SEQ = itemgetter(0)


def labels_frame(seq: int, label: dict) -> bytes:
    return _LABELS_HEADER + libipld.encode_dag_cbor({"seq": seq, "labels": [label]})


def error_frame(error: str, message: str) -> bytes:
    return _ERROR_HEADER + libipld.encode_dag_cbor({"error": error, "message": message})


class BadRequest(Exception):
    pass


class TooSlow(Exception):
    pass


def parse_cursor(path: str) -> int | None:
    values = parse_qs(urlsplit(path).query, keep_blank_values=True).get("cursor")
    if not values:
        return None
    text = values[-1]
    if len(values) > 1 or not text.isascii() or not text.isdigit() or len(text) > 18:
        raise BadRequest("cursor must be one whole number")
    return int(text)


class LabelStream:
    def __init__(
        self,
        engine: sa.Engine,
        poll: float = 0.25,
        buffer: int = 2**16,
        send_timeout: float = 10.0,
        page: int = 2000,
        socket_buffer: int = 2**16,
        cache: int = 10_000,
        close_timeout: float = 2.0,
    ):
        self.engine, self.poll, self.buffer, self.page = engine, poll, buffer, page
        self.send_timeout, self.socket_buffer = send_timeout, socket_buffer
        self.cache, self.close_timeout = cache, close_timeout
        self.latest = 0  # newest seq the poller has seen
        self.recent: list[tuple[int, bytes]] = []  # every row with seq > cached_after
        self.cached_after = 0
        self._news: asyncio.Future | None = None  # resolved (and replaced) on new rows
        self.connections = 0  # open subscriptions
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
        self.latest = self.cached_after = await asyncio.to_thread(self._newest)
        self._news = asyncio.get_running_loop().create_future()

    async def poll_forever(self) -> None:
        while True:
            try:
                frames = await asyncio.to_thread(self._frames_after, self.latest)
            except sa.exc.SQLAlchemyError as exc:
                log.warning("label table unreadable, retrying: %s", exc)
                frames = []
            if frames:
                self.recent.extend(frames)
                self.latest = frames[-1][0]
                if len(self.recent) > 2 * self.cache:
                    self.cached_after = self.recent[-self.cache - 1][0]
                    del self.recent[: -self.cache]
                news, self._news = self._news, asyncio.get_running_loop().create_future()
                news.set_result(None)
            if len(frames) < self.page:
                await asyncio.sleep(self.poll)

    async def _next(self, sent: int) -> list[tuple[int, bytes]]:
        """Frames after ``sent``: from memory when it holds them, else from the table."""
        if sent < self.cached_after:
            return await asyncio.to_thread(self._frames_after, sent)
        start = bisect.bisect_right(self.recent, sent, key=_SEQ)
        return self.recent[start : start + self.page]

    # --- one connection ---------------------------------------------------------------
    async def _send(self, ws: ServerConnection, frames: list[tuple[int, bytes]]) -> int:
        """Send the frames in chunks of about half the write buffer; the newest seq sent.

        A chunk is one ``send_context`` of websockets (what ``ws.send`` does for one
        message): one write to the socket and one wait while the write buffer is full,
        instead of one of each per frame. A wait longer than ``send_timeout`` is TooSlow.
        """
        limit, sent = max(1, self.buffer // 2), 0
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(None) as timer:
                i = 0
                while i < len(frames):
                    timer.reschedule(loop.time() + self.send_timeout)
                    async with ws.send_context():
                        size = 0
                        while i < len(frames) and (size == 0 or size < limit):
                            ws.protocol.send_binary(frames[i][1])
                            size += len(frames[i][1])
                            i += 1
                    sent = frames[i - 1][0]
        except TimeoutError:
            raise TooSlow from None
        return sent

    def _cut(self, ws: ServerConnection) -> None:
        """Queue ConsumerTooSlow and a close frame; websockets cuts the TCP connection
        ``close_timeout`` seconds after the handler returns unless the peer answers."""
        self.disconnected_slow += 1
        log.info("subscriber %s too slow, disconnecting", ws.remote_address)
        if ws.protocol.state is not State.OPEN:
            return
        ws.protocol.send_binary(error_frame("ConsumerTooSlow", "Stream consumer too slow."))
        ws.protocol.send_close(TOO_SLOW, "ConsumerTooSlow")
        for data in ws.protocol.data_to_send():
            if data:  # b"" would mean end of stream; the close handshake comes first
                ws.transport.write(data)

    async def handler(self, ws: ServerConnection) -> None:
        sock = ws.transport.get_extra_info("socket")
        if sock is not None:  # bound the kernel's share of a stalled subscriber's backlog
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.socket_buffer)
        try:
            cursor = parse_cursor(ws.request.path)
        except BadRequest as exc:
            await ws.send(error_frame("InvalidRequest", str(exc)))
            return
        if cursor is not None and cursor > await asyncio.to_thread(self._newest):
            await ws.send(error_frame("FutureCursor", "Cursor in the future."))
            return
        self.connections += 1
        closed = asyncio.ensure_future(ws.wait_closed())
        try:
            await self._follow(ws, self.latest if cursor is None else cursor, closed)
        except TooSlow:
            self._cut(ws)
        except ConnectionClosed:
            pass
        finally:
            closed.cancel()
            self.connections -= 1

    async def _follow(self, ws: ServerConnection, sent: int, closed: asyncio.Future) -> None:
        """Send every frame after ``sent``, then each new one, until the connection ends."""
        while not closed.done():
            news = self._news
            frames = await self._next(sent)
            if not frames:
                await asyncio.wait({news, closed}, return_when=asyncio.FIRST_COMPLETED)
                continue
            sent = await self._send(ws, frames)


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
            write_limit=stream.buffer,
            compression=None,  # as the `ws` server under Ozone by default
            close_timeout=stream.close_timeout,
        ) as server:
            if ready is not None:
                ready.set_result(server.sockets[0].getsockname()[1])
            await (stop.wait() if stop else asyncio.Future())
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
