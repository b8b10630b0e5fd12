"""A subscribeLabels server on 127.0.0.1 in a thread, and the atproto SDK as its client."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from atproto_client import models
from atproto_crypto.verify import verify_signature
from atproto_firehose import FirehoseSubscribeLabelsClient, parse_subscribe_labels_message

from genuine.labeler.emit import Subject, append
from genuine.labeler.sign import did_key, signing_bytes
from genuine.labeler.stream import LabelStream, run
from tests.labeler.helpers import KEY, T0, labeler


@contextlib.contextmanager
def serving(engine, **kw):
    """Yield (port, stream) while the stream server runs in its own thread and loop."""
    stream = LabelStream(engine, **kw)
    loop = asyncio.new_event_loop()
    ready: asyncio.Future = loop.create_future()
    stop = asyncio.Event()

    def main():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(run(stream, "127.0.0.1", 0, ready, stop))
        # A table read cancelled mid-way still runs in the executor: wait for it, so its
        # connection goes back to the pool before the test's engine is disposed (as
        # asyncio.run does; otherwise psycopg warns later, in whatever test runs then).
        loop.run_until_complete(loop.shutdown_default_executor())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()

    async def port():
        return await ready

    try:
        yield asyncio.run_coroutine_threadsafe(port(), loop).result(10), stream
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


class Subscription:
    """The SDK's label-stream client in a thread, collecting decoded messages."""

    def __init__(self, port: int, cursor: int | None = None, until=None):
        params = {"cursor": cursor} if cursor is not None else None
        self.client = FirehoseSubscribeLabelsClient(
            params=params, base_uri=f"ws://127.0.0.1:{port}/xrpc", recv_timeout=30
        )
        self.messages: list = []
        self.headers: list = []
        self.error: BaseException | None = None
        self.until = until
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _on_message(self, frame) -> None:
        self.headers.append((frame.header.op.value, frame.type))
        self.messages.append(parse_subscribe_labels_message(frame))
        if self.until and self.until(self):
            self.client.stop()

    def _run(self) -> None:
        try:
            self.client.start(self._on_message)
        except BaseException as exc:
            self.error = exc

    def labels(self) -> list:
        return [(m.seq, label) for m in self.messages for label in m.labels]

    def stop(self) -> None:
        self.client.stop()
        self.thread.join(10)


def sdk_verifies(label: models.ComAtprotoLabelDefs.Label) -> bool:
    """The SDK checks the label's sig against our did:key (signed without $type)."""
    signed = label.model_dump(exclude_none=True, by_alias=True, exclude={"py_type"})
    return verify_signature(did_key(KEY), signing_bytes(signed), label.sig)


def fill(engine, count: int, start: int = 0, batch: int = 500) -> None:
    """Append ``count`` signed labels on distinct accounts, ``batch`` rows a transaction."""
    signer = labeler()
    for first in range(start, start + count, batch):
        last = min(start + count, first + batch)
        rows = [
            signer.row(
                Subject("bluesky", f"a{i}.bsky.social", f"did:plc:a{i:08d}", {}),
                "follow-back-ring",
                False,
                T0,
            )
            for i in range(first, last)
        ]
        with engine.begin() as conn:
            append(conn, rows)
