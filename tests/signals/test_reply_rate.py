"""Reply-rate signal: hand-built conversations, properties, and the check against twcs.

The twcs check recounts everything here with the csv module and dicts (no project code), so a
bug shared by the format reader and the signal cannot hide in both numbers.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genuine.signals.posts import Posts, mentioned_handles
from genuine.signals.reply_rate import (
    MIN_EQUITY_GROUP,
    MIN_QUESTIONS,
    WINDOW_SECONDS,
    find_questions,
    reply_rate,
    reply_rates,
)
from genuine.signals.stats import wilson_interval
from tests.conftest import dataset_file

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class Thread:
    """Builds posts one by one; ids are "1", "2", ... in order of creation."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def post(self, author, minutes=0.0, reply_to=None, text="", reply_to_author=None) -> str:
        pid = str(len(self.rows) + 1)
        self.rows.append(
            {
                "post_id": pid,
                "author": author,
                "created_at": T0 + timedelta(minutes=minutes),
                "in_reply_to_post_id": reply_to,
                "in_reply_to_author": reply_to_author,
                "text": text,
            }
        )
        return pid

    def posts(self) -> Posts:
        # A late unrelated post moves the end of the data past every 7-day window.
        end = {"post_id": "end", "author": "zz", "created_at": T0 + timedelta(days=60)}
        return Posts.from_records([*self.rows, end])


def ask_and_answer(n_asked, n_answered, *, minutes_to_answer=5.0, asker="user") -> Posts:
    th = Thread()
    for i in range(n_asked):
        q = th.post(f"{asker}{i}", minutes=i * 60, text="@brand help?")
        if i < n_answered:
            th.post("brand", minutes=i * 60 + minutes_to_answer, reply_to=q, text="hi")
    return th.posts()


# --- definitions ------------------------------------------------------------------------------


def test_mention_and_reply_are_questions_and_a_post_doing_both_counts_once():
    th = Thread()
    root = th.post("brand", text="New menu today")
    q1 = th.post("ann", 1, reply_to=root, text="looks good")  # reply to the brand: a question
    q2 = th.post("bob", 2, text="hey @Brand, is it vegan?")  # mention: a question
    q3 = th.post("cat", 3, reply_to=root, text="@brand @brand where?")  # both: one question
    th.post("dan", 4, text="email me at dan@brand.com or see @brandfan")  # neither
    th.post("brand", 10, reply_to=q2, text="@bob yes!")
    q = find_questions(th.posts(), "brand")
    assert sorted(int(p) + 1 for p in q.post) == [int(q1), int(q2), int(q3)]
    r = reply_rate(th.posts(), "brand")
    assert (r.sample_size, r.answered, r.median_reply_seconds) == (3, 1, 480.0)


def test_self_replies_and_self_mentions_are_not_questions():
    th = Thread()
    root = th.post("brand", text="thread 1/2")
    th.post("brand", 1, reply_to=root, text="2/2 as @brand said")
    r = reply_rate(th.posts(), "brand")
    assert r.sample_size == 0
    assert r.level == "unknown"
    assert r.reasons[0].code == "no_questions"


def test_only_a_reply_by_the_subject_answers_and_the_earliest_counts():
    th = Thread()
    q = th.post("ann", text="@brand ?")
    th.post("someone", 1, reply_to=q, text="same problem")  # not an answer
    th.post("brand", 30, reply_to=q)
    th.post("brand", 20, reply_to=q)  # earlier, although listed later
    r = reply_rate(th.posts(), "brand")
    assert (r.answered, r.median_reply_seconds) == (1, 1200.0)


def test_answers_after_seven_days_are_not_counted():
    th = Thread()
    on_time = th.post("ann", text="@brand a")
    late = th.post("bob", 1, text="@brand b")
    th.post("brand", 7 * 24 * 60, reply_to=on_time)  # exactly 7 days: counted
    th.post("brand", 1 + 7 * 24 * 60 + 1, reply_to=late)  # 7 days and a minute: not
    r = reply_rate(th.posts(), "brand")
    assert (r.sample_size, r.answered, r.late_answers) == (2, 1, 1)
    assert r.median_reply_seconds == WINDOW_SECONDS
    assert "late_answers" in [x.code for x in r.reasons]


def test_recent_questions_count_for_the_time_they_were_watched():
    """Kaplan-Meier by hand: the data ends 9 days in; four questions, two answered quickly,
    one unanswered for 3 days (still open), one unanswered for 9 days (no answer)."""
    th = Thread()
    old = th.post("ann", text="@brand a")
    th.post("brand", 5, reply_to=old)  # answered after 300 s
    th.post("bob", 1, text="@brand b")  # never answered, watched for more than 7 days
    th.post("cat", 6 * 24 * 60, text="@brand c")  # never answered, watched for 3 days
    fresh = th.post("dan", 8 * 24 * 60, text="@brand d")
    th.post("brand", 8 * 24 * 60 + 10, reply_to=fresh)  # answered after 600 s, 1 day before end
    th.post("zed", 9 * 24 * 60, text="last post in the data")
    posts = Posts.from_records(th.rows)  # no extra late post: the data ends 9 days in
    r = reply_rate(posts, "brand")
    # At 300 s, 4 at risk, 1 answer: S = 3/4; at 600 s, 3 at risk: S = 3/4 * 2/3 = 1/2.
    assert (r.sample_size, r.answered, r.still_open, r.excluded) == (4, 2, 1, 0)
    assert r.answered_share == 0.5
    # Greenwood: Var S = (1/2)^2 (1/(4*3) + 1/(3*2)) = 1/16, so 1/4 / (1/16) = 4 effective.
    assert r.effective_sample_size == pytest.approx(4.0)
    assert r.interval == pytest.approx(wilson_interval(2, 4))
    codes = {x.code: x.text for x in r.reasons}
    assert codes["answered_count"].startswith("answered 2 of 4 questions within 7 days (an est")
    assert codes["still_open"].startswith("1 question asked less than 7 days before the data")
    # A question asked a minute before the end, unanswered: at risk only for its first 60 s,
    # before any answer, so the share does not move, but it adds less than one question.
    th.post("eve", 9 * 24 * 60 - 1, text="@brand e")
    more = reply_rate(Posts.from_records(th.rows), "brand")
    assert (more.sample_size, more.still_open, more.answered_share) == (5, 2, 0.5)
    assert more.effective_sample_size == pytest.approx(4.0)
    # Watched for longer (a later end of data): nothing is open any more.
    later = reply_rate(posts, "brand", as_of=T0 + timedelta(days=30))
    assert (later.sample_size, later.answered, later.still_open) == (4, 2, 0)
    assert later.answered_share == 0.5 and later.effective_sample_size == 4.0
    # An answer after ``as_of`` is not seen yet, and a question after it is not asked yet.
    early = reply_rate(posts, "brand", as_of=T0 + timedelta(days=8, minutes=5))
    assert (early.sample_size, early.answered, early.still_open) == (4, 1, 2)


def simulated_account(p: float, seed: int, n: int = 300) -> tuple[Posts, float]:
    """Questions arrive over 20 days; a share p is answered, after a slow, heavy-tailed delay
    (lognormal, median a day). Answers that would come after the data ends are not in it.
    Returns the posts and the true share answered within 7 days."""
    rng = np.random.default_rng(seed)
    th = Thread()
    end = 20 * 24 * 60
    for i, asked in enumerate(np.sort(rng.uniform(0, end, n))):
        q = th.post(f"u{i}", float(asked), text="@brand ?")
        delay = float(rng.lognormal(np.log(24 * 60), 1.0))
        if rng.random() < p and delay <= 7 * 24 * 60 and asked + delay < end:
            th.post("brand", float(asked + delay), reply_to=q)
    th.post("zed", end, text="end")
    within_week = 0.9744  # P(lognormal(log 1 day, 1) <= 7 days) = Phi(ln 7)
    return Posts.from_records(th.rows), p * within_week


@pytest.mark.parametrize("p", [0.2, 0.55, 0.95])
def test_censored_estimate_is_unbiased_and_its_interval_covers(p):
    """Over 40 simulated accounts, with many questions still open when the data ends: the mean
    error is under 2 points, the 95% interval holds the true share in at least 85% of them, and
    the naive count (open questions as unanswered) is biased low."""
    errors, covered, naive = [], 0, []
    for seed in range(40):
        posts, truth = simulated_account(p, seed)
        r = reply_rate(posts, "brand")
        assert r.still_open > 0
        errors.append(r.answered_share - truth)
        covered += r.interval[0] <= truth <= r.interval[1]
        naive.append(r.answered / r.sample_size - truth)
    assert abs(np.mean(errors)) < 0.02
    assert covered >= 34
    assert np.mean(naive) < -0.05 * p


def test_reply_to_author_is_used_when_the_parent_post_is_not_in_the_input():
    th = Thread()
    th.post("ann", text="you said so", reply_to="999", reply_to_author="@Brand")
    assert reply_rate(th.posts(), "brand").sample_size == 1


def test_unicode_handles_match_case_insensitively_on_word_boundaries():
    assert mentioned_handles("Merci @Café_Ünïcode! et @ÉCOLE.") == ["café_ünïcode", "école"]
    assert mentioned_handles("x@café_ünïcode @@café") == []
    assert mentioned_handles("@alice.bsky.social hi") == [
        "alice",
        "alice.bsky",
        "alice.bsky.social",
    ]
    assert mentioned_handles("@bob@mastodon.social") == ["bob@mastodon", "bob@mastodon.social"]
    th = Thread()
    q = th.post("ann", text="@CAFÉ_ÜNÏCODE bonjour")
    th.post("Café_Ünïcode", 2, reply_to=q)
    th.post("bob", 3, text="@café_ünïcodeX not you")
    r = reply_rate(th.posts(), "@Café_Ünïcode")
    assert (r.handle, r.sample_size, r.answered) == ("café_ünïcode", 1, 1)


def test_numeric_ids_and_datetime64_times_are_accepted():
    posts = Posts(
        post_id=np.array([10, 11]),
        author=["ann", "brand"],
        created_at=np.array(["2024-01-01T00:00", "2024-01-01T00:09"], dtype="datetime64[s]"),
        in_reply_to_post_id=[None, 10.0],
        in_reply_to_author=None,
        text=np.array(["@brand hi", "hello"], dtype=object),
    )
    r = reply_rate(posts, "brand", as_of=datetime(2024, 2, 1, tzinfo=UTC))
    assert (r.answered, r.median_reply_seconds) == (1, 540.0)
    assert r.reasons[1].text == "median answer after 9 minutes"


def test_empty_input_and_undated_posts():
    empty = Posts(post_id=[], author=[], created_at=[])
    r = reply_rate(empty, "brand")
    assert (r.level, r.sample_size, r.reasons[0].code) == ("unknown", 0, "no_questions")
    assert reply_rates(empty) == {}
    th = Thread()
    th.post("ann", text="@brand a")
    th.rows[0]["created_at"] = None
    r = reply_rate(th.posts(), "brand")
    assert (r.sample_size, r.excluded) == (0, 1)
    assert "excluded_undated" in [x.code for x in r.reasons]


# --- levels and reasons -----------------------------------------------------------------------


def test_levels():
    assert reply_rate(ask_and_answer(100, 93, minutes_to_answer=9), "brand").level == "responsive"
    slow = reply_rate(ask_and_answer(100, 93, minutes_to_answer=90), "brand")
    assert slow.level == "mixed"
    assert "level_slow" in [x.code for x in slow.reasons]
    assert reply_rate(ask_and_answer(100, 70), "brand").level == "mixed"
    assert reply_rate(ask_and_answer(100, 49), "brand").level == "unresponsive"


def test_reasons_read_as_plain_words():
    r = reply_rate(ask_and_answer(100, 93, minutes_to_answer=9), "brand")
    texts = {x.code: x.text for x in r.reasons}
    assert texts["answered_count"].startswith("answered 93 of 100 questions within 7 days (93%")
    assert texts["median_reply"] == "median answer after 9 minutes"
    assert r.interval == pytest.approx(wilson_interval(93, 100))
    card = r.to_card()
    assert card["level"] == "responsive" and card["sample_size"] == 100
    assert card["reasons"][0]["code"] == "answered_count"


def test_unknown_when_thin():
    r = reply_rate(ask_and_answer(MIN_QUESTIONS - 1, MIN_QUESTIONS - 1), "brand")
    assert r.level == "unknown"
    assert r.answered_share == 1.0  # still reported, just not turned into a level
    assert "too_few_questions" in [x.code for x in r.reasons]
    assert reply_rate(ask_and_answer(MIN_QUESTIONS, MIN_QUESTIONS), "brand").level != "unknown"


def test_wilson_interval_known_values():
    # Wilson (1927); values as in Newcombe (1998), Table I: 81/263 -> 0.2553 to 0.3662.
    lo, hi = wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) is None


# --- equity -----------------------------------------------------------------------------------


def equity_posts(small=(40, 10), big=(30, 24)):
    th = Thread()
    followers = {}
    for band, (asked, answered), count in (("s", small, 50), ("b", big, 50_000)):
        for i in range(asked):
            handle = f"{band}{i}"
            followers[handle] = count
            q = th.post(handle, minutes=i, text="@brand ?")
            if i < answered:
                th.post("brand", minutes=i + 1, reply_to=q)
    return th.posts(), followers


def test_equity_favours_big_followings():
    posts, followers = equity_posts()
    r = reply_rate(posts, "brand", followers=followers)
    e = r.equity
    assert e.status == "favours_big"
    assert (e.small.asked, e.small.answered, e.big.asked, e.big.answered) == (40, 10, 30, 24)
    assert e.ratio == pytest.approx(0.8 / 0.25)
    assert e.difference_interval[0] > 0
    assert e.reason.text == "answers people with big followings 3.2x as often (80% vs 25%)"
    assert e.reason in r.reasons


def test_equity_even_and_favours_small():
    posts, followers = equity_posts(small=(40, 20), big=(30, 16))
    assert reply_rate(posts, "brand", followers=followers).equity.status == "even"
    posts, followers = equity_posts(small=(40, 36), big=(30, 6))
    assert reply_rate(posts, "brand", followers=followers).equity.status == "favours_small"


def test_equity_unknown_when_a_group_is_thin_or_counts_are_missing():
    posts, followers = equity_posts(small=(40, 10), big=(MIN_EQUITY_GROUP - 1, 19))
    e = reply_rate(posts, "brand", followers=followers).equity
    assert e.status == "unknown" and e.ratio is None
    assert "19 from people with 10,000 or more" in e.reason.text
    assert reply_rate(posts, "brand").equity.reason.text == (
        "follower counts of the askers are not known"
    )


def test_askers_between_the_bands_or_unknown_are_in_neither_group():
    posts, followers = equity_posts()
    followers = {h: (5_000 if h.startswith("s1") else c) for h, c in followers.items()}
    followers.pop("s0")
    e = reply_rate(posts, "brand", followers=followers).equity
    assert e.small.asked == 40 - 1 - 11  # s0 unknown, s1 and s10..s19 in between


# --- batch equals one by one; properties ------------------------------------------------------

handles = st.sampled_from(["brand", "Brand", "ann", "bob", "çé", "ÇÉ"])


@st.composite
def random_posts(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        words = draw(
            st.lists(st.sampled_from(["@brand", "@ANN", "@çé,", "@bob.x", "hi"]), max_size=3)
        )
        rows.append(
            {
                "post_id": str(i),
                "author": draw(handles),
                "created_at": T0 + timedelta(hours=draw(st.integers(0, 400))),
                "in_reply_to_post_id": draw(st.none() | st.integers(0, n).map(str)),
                "text": " ".join(words),
            }
        )
    return Posts.from_records(rows)


@settings(max_examples=150, deadline=None)
@given(random_posts())
def test_batch_matches_one_subject_at_a_time(posts):
    everyone = reply_rates(posts)
    for handle, batch in everyone.items():
        assert reply_rate(posts, handle) == batch
    assert set(everyone) <= {"brand", "ann", "bob", "çé"}


@settings(max_examples=150, deadline=None)
@given(random_posts())
def test_share_is_a_proportion_inside_its_interval(posts):
    for r in reply_rates(posts).values():
        if r.sample_size:
            assert 0.0 <= r.answered_share <= 1.0
            assert r.interval[0] <= r.answered_share <= r.interval[1]
            assert r.median_reply_seconds is None or 0 <= r.median_reply_seconds <= WINDOW_SECONDS


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(1, 5))
def test_an_unanswered_question_never_raises_the_share(asked, answered, extra):
    answered = min(answered, asked)
    before = reply_rate(ask_and_answer(asked, answered), "brand")
    after = reply_rate(ask_and_answer(asked + extra, answered), "brand")
    assert after.sample_size == asked + extra
    if asked:
        assert after.answered_share <= before.answered_share
        assert after.interval[1] <= before.interval[1]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="@ab._-xé\n!", max_size=30))
def test_mentions_agree_with_a_plain_regex(text):
    for subject in ("ab", "a.b", "é", "ab@x"):
        plain = re.compile(r"(?<![\w@])@" + re.escape(subject) + r"(?!\w|@\w)", re.IGNORECASE)
        assert (subject in mentioned_handles(text)) == bool(plain.search(text))


# --- the check on real data: Customer Support on Twitter --------------------------------------

TWCS = "twcs-sample/twcs_head5000.csv"


def independent_twcs_counts(path, customers_only) -> dict[str, tuple]:
    """Per brand: (questions, answered within 7 days, Kaplan-Meier share, median seconds).

    The issue's rule, written again: a customer tweet (inbound True; with customers_only=False,
    any tweet by another author, e.g. one supermarket teasing another) is addressed to a brand
    when it replies to that brand's tweet or mentions @brand; it is answered when a tweet by the
    brand has in_response_to_tweet_id equal to it, within 7 days. A question from the last 7 days
    of the file without an answer yet is censored when the file ends: the share is the textbook
    product-limit estimate, 1 - prod(1 - d/n) over the distinct answer delays, where n counts
    the questions still watched and unanswered at that delay. Answers that the head
    sample cut off (response_tweet_id naming tweets not in the file) cannot be seen: such a
    question counts as unanswered, as it would for the signal.
    """
    with open(path, newline="", encoding="utf-8") as f:
        raw = f.read()
    # One text holds bare carriage returns outside quotes, which csv would take for row ends;
    # a space instead changes no mention.
    rows = list(csv.DictReader(io.StringIO(re.sub(r"\r(?!\n)", " ", raw), newline="")))

    def when(row):
        return datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y").timestamp()

    def tweet(value):
        return str(int(float(value))) if value else None

    by_id = {row["tweet_id"]: row for row in rows}
    brands = {row["author_id"] for row in rows if row["inbound"] == "False"}
    mention = {b: re.compile(r"(?<![\w@])@" + re.escape(b) + r"(?!\w)", re.I) for b in brands}
    first_answer = {}
    for row in rows:
        parent = tweet(row["in_response_to_tweet_id"])
        if row["inbound"] == "False" and parent:
            key = (row["author_id"], parent)
            first_answer[key] = min(first_answer.get(key, when(row)), when(row))
    end = max(when(row) for row in rows)
    week = 7 * 24 * 3600
    watched = {}  # brand -> [(seconds, answered)]
    for row in rows:
        if customers_only and row["inbound"] != "True":
            continue
        parent = by_id.get(tweet(row["in_response_to_tweet_id"]))
        to = {parent["author_id"]} if parent and parent["inbound"] == "False" else set()
        to |= {b for b in brands if mention[b].search(row["text"])}
        to.discard(row["author_id"])
        for brand in to:
            answer = first_answer.get((brand, row["tweet_id"]))
            delay = None if answer is None else max(answer - when(row), 0.0)
            if delay is not None and delay <= week:
                watched.setdefault(brand, []).append((delay, True))
            else:
                watched.setdefault(brand, []).append((min(end - when(row), week), False))
    out = {}
    for b, items in watched.items():
        survive = 1.0
        for t in sorted({t for t, answered in items if answered}):
            at_risk = sum(1 for u, _ in items if u >= t)
            d = sum(1 for u, answered in items if answered and u == t)
            survive *= 1 - d / at_risk
        delays = [t for t, answered in items if answered]
        median = statistics.median(delays) if delays else None
        out[b.lower()] = (len(items), len(delays), 1 - survive, median)
    return out


@pytest.fixture(scope="module")
def twcs(datasets_dir):
    path = dataset_file(datasets_dir, TWCS)
    from genuine.formats import read

    records = list(read(path, "twcs"))
    inbound = np.array([rec.values["extra"]["inbound"] for rec in records])
    return path, Posts.from_records(records), inbound


@pytest.mark.parametrize("customers_only", [True, False], ids=["customers", "anyone"])
def test_twcs_matches_an_independent_count(twcs, customers_only):
    path, posts, inbound = twcs
    expected = independent_twcs_counts(path, customers_only)
    assert len(expected) > 40
    askable = inbound if customers_only else None
    got = reply_rates(posts, subjects=list(expected), askable=askable)
    for brand, (n, answered, share, median) in expected.items():
        r = got[brand]
        assert (brand, r.sample_size, r.answered) == (brand, n, answered)
        assert r.answered_share == pytest.approx(share, abs=1e-9)
        assert r.median_reply_seconds == median
    # Brands are the only accounts with questions from customers.
    assert {h for h, r in reply_rates(posts, askable=askable).items() if r.sample_size} >= set(
        expected
    )


def test_twcs_top_brands(twcs):
    """The figures recorded in site/docs/methodology/reply-rate.md (customers' questions only)."""
    _, posts, inbound = twcs
    got = reply_rates(posts, askable=inbound)
    top = sorted(got.values(), key=lambda r: -r.sample_size)[:5]
    assert [(r.handle, r.sample_size, r.answered) for r in top] == [
        ("chipotletweets", 230, 207),
        ("tesco", 201, 56),
        ("amazonhelp", 154, 117),
        ("applesupport", 143, 121),
        ("sainsburys", 123, 14),
    ]
    assert got["chipotletweets"].level == "responsive"  # 207/230 = 90%, median ~10 minutes
    assert got["tesco"].level == "unresponsive"
    # The 7-day window: only two brand answers in the file came later than that; 11 questions
    # from the file's last 7 days had no answer yet when it ends (censored, still counted).
    assert sum(r.late_answers for r in got.values()) == 2
    assert sum(r.still_open for r in got.values()) == 11
    assert sum(r.excluded for r in got.values()) == 0


def test_reply_rates_reuse_questions_found_before():
    from genuine.signals.posts import Posts
    from genuine.signals.reply_rate import find_questions, reply_rates

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    posts = Posts(
        post_id=["1", "2", "3", "4"],
        author=["brand", "a", "brand", "b"],
        created_at=[t0, t0, t0 + timedelta(minutes=5), t0 + timedelta(days=30)],
        in_reply_to_post_id=[None, "1", "2", None],
        in_reply_to_author=[None, "brand", "a", None],
        text=["hi", "help?", "sure", "@brand hello"],
    )
    given = reply_rates(posts, questions=find_questions(posts))
    assert given == reply_rates(posts)
    assert given["brand"].answered == 1
