"""Accounts nobody audited get badges: Jetstream stand-in → ingester → workers → API →
the extension on a Bluesky timeline (issue 13's done-when)."""

from __future__ import annotations

import threading
import time

import pytest

from genuine.db import get_db
from genuine.jetstream.client import Ingester, Settings, stored_cursor
from genuine.pipeline.queue import queue_dirty
from tests.extension.harness import ApiServer, make_app, open_page, settled, wait_until
from tests.jetstream import frames as fr
from tests.jetstream.standin import Standin

# The accounts of the saved Bluesky timeline (tests/extension/pages/bluesky-timeline.html).
PEOPLE = {fr.did(1): "alice.bsky.social", fr.did(2): "bob.bsky.social"}
PEOPLE[fr.did(3)] = "carol.example.com"


def stream() -> list[dict]:
    t = fr.T0
    out = []
    for n, did in enumerate(PEOPLE):  # each announces its handle, follows and posts
        out.append(fr.identity(did, t := t + 1000, PEOPLE[did]))
        out.append(fr.profile(did, t := t + 1000, name=PEOPLE[did].split(".")[0]))
        for other in PEOPLE:
            if other != did:
                out.append(fr.follow(did, t := t + 1000, f"f{n}{other[-1]}", other))
        out.append(fr.post(did, t := t + 1000, f"p{n}", text="hello?"))
    out.append(fr.post(fr.did(2), t + 1000, "r1", text="hi!", parent=(fr.did(1), "p0")))
    return out


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """An API with no cards at all until the ingester and the workers make them."""
    # The stream alone names these accounts: the AppView is not asked (nothing leaves here).
    app = make_app(tmp_path_factory.mktemp("api"), [], QUEUE_IMMEDIATE=True, RESCORE_APPVIEW=False)
    engine = get_db(app).engine
    frames = stream()
    with app.app_context(), Standin() as jet:
        jet.add(*frames)
        ingester = Ingester(
            engine, Settings(url=jet.url, batch_size=5), after_commit=lambda: queue_dirty(app)
        )
        thread = threading.Thread(target=ingester.run)
        thread.start()
        deadline = time.monotonic() + 30
        while stored_cursor(engine, "jetstream") != frames[-1]["time_us"]:
            assert time.monotonic() < deadline, "the ingester did not reach the last frame"
            time.sleep(0.05)
        ingester.stop.set()
        thread.join(10)
        queue_dirty(app)  # what the last batch touched
    server = ApiServer(app).start()
    yield server
    server.stop()
    engine.dispose()


def test_a_timeline_of_ingested_accounts_has_their_badges(ext):
    page = open_page(ext, "https://bsky.app/", "bluesky-timeline.html")
    expected = {f"bluesky:{h}" for h in PEOPLE.values()}
    found = wait_until(
        page,
        lambda: (h := settled(page)) and {x["account"] for x in h} >= expected and h,
        what="badges for every account",
    )
    states = {h["account"]: h["state"] for h in found}
    assert states == dict.fromkeys(expected, "found")  # carol too: nobody audited her
