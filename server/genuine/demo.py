"""The demo's synthetic world: one account of each kind Genuine tells apart.

Every account, follow and post here is MADE UP by this generator (seeded, so the world
is the same on every machine). Handles start with `demo` or live under `demo.` domains,
and every page that shows them says the data is synthetic. Profiles of bought
followers imitate what Cresci et al. (2015) describe for fake-follower markets: young
accounts, few followers, many followings, few or no posts, no bio or picture.

`write_world(folder)` writes a dataset folder (DESIGN.md's format) that `genuine import`
reads like any other.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from genuine.formats import read
from genuine.formats.genuine_folder import COLUMNS
from genuine.importing import ImportSummary, import_records
from genuine.models import Account

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# The showcase: what each account demonstrates, for the printed list and the docs.
SHOWCASE = {
    "x:demo_bakery": "an honest small business",
    "x:demo_influencer": "an influencer who bought followers",
    "bluesky:ring01.demo.bsky.social": "a member of a follow-back ring",
    "x:demo_vipbrand": "a brand that answers only influencers",
    "x:demo_helpdesk": "a responsive brand",
    "mastodon:newcomer@demo.social": "an account with too little data",
    "mastodon:ada@lab.demo.social": "a close-knit team that is not a ring",
}


@dataclass
class World:
    rng: np.random.Generator
    accounts: list[list] = field(default_factory=list)
    follows: list[list] = field(default_factory=list)
    posts: list[list] = field(default_factory=list)
    snapshots: list[list] = field(default_factory=list)
    post_seq: int = 0

    def account(self, platform, handle, followers, following, posts, created, avatar, bio, url=""):
        self.accounts.append(
            [
                platform,
                handle,
                handle.split("@")[0].split(".")[0].title(),
                bio,
                followers,
                following,
                posts,
                created.isoformat(),
                avatar,
                url,
            ]
        )

    def follow(self, platform, follower, followee, when=None):
        self.follows.append([platform, follower, followee, when.isoformat() if when else ""])

    def post(self, platform, author, when, reply_to=None, reply_author=None, text=""):
        self.post_seq += 1
        post_id = f"p{self.post_seq}"
        self.posts.append(
            [platform, post_id, author, when.isoformat(), reply_to or "", reply_author or "", text]
        )
        return post_id

    def days_ago(self, days: float) -> datetime:
        return NOW - timedelta(days=float(days))


def _human(w: World, platform: str, handle: str, *, followers: int | None = None) -> None:
    r = w.rng
    w.account(
        platform,
        handle,
        followers if followers is not None else int(r.lognormal(5.0, 1.2)),
        int(r.lognormal(5.3, 0.9)),
        int(r.lognormal(6.5, 1.3)),
        w.days_ago(r.uniform(400, 4000)),
        bool(r.random() < 0.95),
        "Coffee, cycling and community gardens" if r.random() < 0.85 else "",
        "https://example.org/" + handle if r.random() < 0.3 else "",
    )


def _fake(w: World, platform: str, handle: str, bought_at: datetime) -> None:
    r = w.rng
    w.account(
        platform,
        handle,
        int(r.poisson(2)),
        int(r.integers(150, 1900)),
        int(r.poisson(1.5)),
        bought_at - timedelta(days=float(r.uniform(1, 40))),
        bool(r.random() < 0.3),
        "",
        "",
    )


def _audience(w: World, platform: str, target: str, humans: int, fakes: int, prefix: str) -> None:
    bought_at = w.days_ago(20)
    for i in range(humans):
        handle = f"{prefix}fan{i}"
        _human(w, platform, handle)
        w.follow(platform, handle, target, w.days_ago(w.rng.uniform(30, 900)))
    for i in range(fakes):
        handle = f"{prefix}{w.rng.choice(list('abcdefghij'))}{w.rng.integers(10**6, 10**7)}"
        _fake(w, platform, handle, bought_at)
        w.follow(platform, handle, target, bought_at + timedelta(minutes=float(i) / 10))


def _snapshots(
    w: World,
    platform: str,
    handle: str,
    start: int,
    growth: float,
    jump_day: int | None = None,
    jump: int = 0,
) -> None:
    count = start
    for day in range(60, -1, -1):
        count += int(w.rng.poisson(growth))
        if jump_day is not None and day == jump_day:
            count += jump
        w.snapshots.append([platform, handle, w.days_ago(day).isoformat(), count, 300, 1000])


def _conversations(
    w: World,
    brand: str,
    askers: list[tuple[str, int]],
    answer_share: dict,
    delay_minutes: tuple[float, float],
) -> None:
    """Customers ask `brand` (mentions and replies); it answers a share of each group."""
    r = w.rng
    brand_post = w.post("x", brand, w.days_ago(59), text="Tell us how we can help!")
    for handle, followers in askers:
        when = w.days_ago(r.uniform(9, 58))
        if r.random() < 0.5:
            question = w.post("x", handle, when, brand_post, brand, "Is this still on offer?")
        else:
            question = w.post("x", handle, when, text=f"@{brand} my order never arrived")
        group = "big" if followers >= 10_000 else "small"
        if r.random() < answer_share[group]:
            delay = timedelta(minutes=float(r.uniform(*delay_minutes)))
            w.post("x", brand, when + delay, question, handle, f"@{handle} sorry, we're on it")


def build(seed: int = 2026) -> World:
    w = World(np.random.default_rng(seed))
    # An honest small business: organic audience, steady growth, answers its customers.
    w.account(
        "x",
        "demo_bakery",
        640,
        310,
        2200,
        w.days_ago(2500),
        True,
        "Sourdough since 2012. Orders: link below",
        "https://bakery.example",
    )
    _audience(w, "x", "demo_bakery", 620, 20, "bk")
    _snapshots(w, "x", "demo_bakery", 560, 1.3)
    askers = [(f"bkfan{i}", 0) for i in range(40)]
    _conversations(w, "demo_bakery", askers, {"small": 0.85, "big": 0.85}, (20, 240))

    # An influencer who bought 1,800 followers 20 days ago.
    w.account(
        "x",
        "demo_influencer",
        3100,
        900,
        700,
        w.days_ago(1500),
        True,
        "Lifestyle | travel | collabs",
        "https://influencer.example",
    )
    _audience(w, "x", "demo_influencer", 1100, 1800, "in")
    _snapshots(w, "x", "demo_influencer", 1200, 4, jump_day=20, jump=1800)

    # A brand that answers accounts with big followings and mostly ignores everyone else.
    w.account(
        "x",
        "demo_vipbrand",
        45000,
        120,
        9000,
        w.days_ago(3000),
        True,
        "Official account of VIP Brand",
        "https://vip.example",
    )
    _audience(w, "x", "demo_vipbrand", 400, 30, "vip")
    small = [(f"vipsmall{i}", int(w.rng.integers(10, 900))) for i in range(120)]
    big = [(f"vipbig{i}", int(w.rng.integers(12_000, 400_000))) for i in range(40)]
    for handle, followers in small + big:
        _human(w, "x", handle, followers=followers)
    _conversations(w, "demo_vipbrand", small + big, {"small": 0.08, "big": 0.9}, (5, 90))
    _snapshots(w, "x", "demo_vipbrand", 44000, 15)

    # A responsive help desk: answers nearly everyone within minutes.
    w.account(
        "x",
        "demo_helpdesk",
        12000,
        40,
        50000,
        w.days_ago(3500),
        True,
        "We answer every question, 7 days a week",
        "https://help.example",
    )
    _audience(w, "x", "demo_helpdesk", 300, 10, "hd")
    askers = [(f"hdask{i}", int(w.rng.integers(5, 900))) for i in range(75)]
    askers += [(f"hdbig{i}", int(w.rng.integers(11_000, 90_000))) for i in range(75)]
    for handle, followers in askers:
        _human(w, "x", handle, followers=followers)
    _conversations(w, "demo_helpdesk", askers, {"small": 0.96, "big": 0.96}, (1, 12))
    _snapshots(w, "x", "demo_helpdesk", 11500, 8)

    _ring(w)
    _team(w)

    # Too little data: a new account with a dozen followers and three posts.
    w.account(
        "mastodon", "newcomer@demo.social", 12, 30, 3, w.days_ago(10), True, "Just arrived, hello!"
    )
    for i in range(12):
        _human(w, "mastodon", f"nc{i}@demo.social")
        w.follow("mastodon", f"nc{i}@demo.social", "newcomer@demo.social", w.days_ago(5))
    # The data ends now: a last post, so earlier questions are past their 7-day window.
    w.post("x", "demo_helpdesk", NOW, text="Have a good weekend!")
    return w


def _ring(w: World) -> None:
    """Sixteen Bluesky accounts that all follow each other, in lockstep, and follow back anyone."""
    members = [f"ring{i:02d}.demo.bsky.social" for i in range(1, 17)]
    start = w.days_ago(45)
    for i, handle in enumerate(members):
        w.account(
            "bluesky",
            handle,
            2400,
            2500,
            40,
            w.days_ago(60 + i * 0.1),
            True,
            "#F4F #TeamFollowBack follow me and I follow back 💯",
        )
    for i, a in enumerate(members):
        for j, b in enumerate(members):
            if a != b:
                w.follow("bluesky", a, b, start + timedelta(minutes=i + j / 100))
    # Strangers follow members, and members follow every one of them back.
    for k in range(300):
        stranger = f"fan{k}.demo.bsky.social"
        _human(w, "bluesky", stranger)
        member = members[k % len(members)]
        when = w.days_ago(w.rng.uniform(1, 40))
        w.follow("bluesky", stranger, member, when)
        w.follow("bluesky", member, stranger, when + timedelta(minutes=3))
        # Camouflage: ring members also follow popular accounts that do not follow back.
        w.follow("bluesky", member, f"celebrity{k % 5}.demo.bsky.social", when)


def _team(w: World) -> None:
    """Twelve colleagues who all follow each other but follow back few strangers: not a ring."""
    team = [
        "ada",
        "grace",
        "alan",
        "edsger",
        "barbara",
        "donald",
        "frances",
        "ken",
        "margaret",
        "dennis",
        "radia",
        "leslie",
    ]
    handles = [f"{name}@lab.demo.social" for name in team]
    for handle in handles:
        _human(w, "mastodon", handle, followers=int(w.rng.integers(150, 600)))
    for a in handles:
        for b in handles:
            if a != b:
                w.follow("mastodon", a, b, w.days_ago(w.rng.uniform(100, 1500)))
    for k in range(240):
        fan = f"reader{k}@demo.social"
        _human(w, "mastodon", fan)
        w.follow("mastodon", fan, handles[k % len(handles)], w.days_ago(w.rng.uniform(1, 500)))
        if (k // len(handles)) % 6 == 0:  # an occasional follow back, as people do
            w.follow("mastodon", handles[k % len(handles)], fan, w.days_ago(1))


# The demo's rows fill the dataset columns in order (genuine.formats.genuine_folder).
HEADERS = {
    "accounts.csv": COLUMNS["accounts.csv"][:10],  # through url
    "follows.csv": COLUMNS["follows.csv"],
    "posts.csv": COLUMNS["posts.csv"],
    "snapshots.csv": COLUMNS["snapshots.csv"],
}


def write_world(folder: Path, seed: int = 2026) -> list[tuple[str, str]]:
    """Write the world as a dataset folder; returns every (platform, handle) it made up."""
    world = build(seed)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "accounts.csv": _unique(world.accounts, 2),
        "follows.csv": _unique(world.follows, 3),
        "posts.csv": world.posts,
        "snapshots.csv": world.snapshots,
    }
    for name, rows in tables.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADERS[name])
            writer.writerows(rows)
    return [(row[0], row[1]) for row in tables["accounts.csv"]]


def _unique(rows: list[list], key: int) -> list[list]:
    """Keep the first row per key (a random fake handle can repeat)."""
    seen: set[tuple] = set()
    kept = []
    for row in rows:
        k = tuple(row[:key])
        if k not in seen:
            seen.add(k)
            kept.append(row)
    return kept


def load(engine: sa.Engine, seed: int = 2026) -> ImportSummary:
    """Import the world and flag its accounts as synthetic, so their cards and pages say so."""
    with tempfile.TemporaryDirectory() as folder:
        accounts = write_world(Path(folder), seed)
        summary = import_records(engine, read(folder, "genuine"))
    table = Account.__table__
    with engine.begin() as conn:
        conn.execute(
            table.update()
            .where(table.c.platform == sa.bindparam("p"), table.c.handle == sa.bindparam("h"))
            .values(extra={"synthetic": True}),
            [{"p": p, "h": h} for p, h in accounts],
        )
    return summary
