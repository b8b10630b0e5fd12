"""A local Jetstream stand-in: a `websockets` server on 127.0.0.1 that serves the tests' frames.

    with Standin() as jet:
        jet.add(frames.follow(...), "not json", ...)
        ... connect to jet.url ...

It honours `/subscribe`'s `cursor` (frames with time_us >= cursor, in order) and
`wantedCollections` (commit frames of other collections are not sent; identity and account
frames always are; `app.bsky.graph.*` prefixes work). A raw string frame (malformed on
purpose) has the time of the frame before it, for the cursor's sake. After the frames it
waits for more (`add` wakes it) until the client leaves.

Misbehaviour, per connection in order of arrival: `drops` = [K, ...] closes the n-th
connection after K frames (abruptly, as a network drop); `silences` = [K, ...] makes it
stop sending after K frames and hold the connection open. `delay` paces the frames
(seconds between them). `requests` records each connection's query (cursor, collections)
for the tests to check.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class Standin:
    def __init__(
        self,
        *,
        drops: list[int] | None = None,
        silences: list[int] | None = None,
        delay: float = 0.0,
    ) -> None:
        self._frames: list[tuple[int | None, str | None, str]] = []  # (time_us, collection, text)
        self._changed = threading.Condition()
        self.drops = list(drops or [])
        self.silences = list(silences or [])
        self.delay = delay
        self.requests: list[dict[str, list[str]]] = []
        self.sent = 0  # frames sent, all connections
        self._closing = threading.Event()
        self._server = serve(self._serve, "127.0.0.1", 0, compression=None)
        self.port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/subscribe"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Standin:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()
        with self._changed:
            self._changed.notify_all()
        self._server.shutdown()
        self._thread.join(10)

    def add(self, *frames: dict[str, Any] | str) -> None:
        """Append frames (dicts are JSON-encoded; strings are sent as they are)."""
        with self._changed:
            for frame in frames:
                if isinstance(frame, dict):
                    commit = frame.get("commit")
                    collection = commit.get("collection") if isinstance(commit, dict) else None
                    text = json.dumps(frame, separators=(",", ":"))
                    self._frames.append((frame.get("time_us"), collection, text))
                else:
                    before = self._frames[-1][0] if self._frames else None
                    self._frames.append((before, None, frame))
            self._changed.notify_all()

    @property
    def connections(self) -> int:
        return len(self.requests)

    def _wanted(self, wanted: list[str], collection: str | None) -> bool:
        if not wanted or collection is None:
            return True
        return any(
            collection == w or (w.endswith(".*") and collection.startswith(w[:-1])) for w in wanted
        )

    def _serve(self, ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)
        with self._changed:
            number = len(self.requests)
            self.requests.append(query)
        drop = self.drops[number] if number < len(self.drops) else None
        silence = self.silences[number] if number < len(self.silences) else None
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        wanted = query.get("wantedCollections", [])
        position, sent = 0, 0
        try:
            while not self._closing.is_set():
                with self._changed:
                    while position >= len(self._frames) and not self._closing.is_set():
                        self._changed.wait(0.2)
                        if ws.state.name != "OPEN":
                            return
                    if self._closing.is_set():
                        return
                    time_us, collection, text = self._frames[position]
                position += 1
                if cursor is not None and time_us is not None and time_us < cursor:
                    continue
                if not self._wanted(wanted, collection):
                    continue
                if drop is not None and sent >= drop:
                    ws.socket.shutdown(socket.SHUT_RDWR)  # a network drop: no close frame
                    return
                if silence is not None and sent >= silence:
                    while not self._closing.is_set() and ws.state.name == "OPEN":
                        time.sleep(0.05)  # connection open, nothing sent
                    return
                ws.send(text)
                sent += 1
                with self._changed:
                    self.sent += 1
                if self.delay:
                    time.sleep(self.delay)
        except ConnectionClosed:
            return
