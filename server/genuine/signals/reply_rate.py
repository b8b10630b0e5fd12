"""Reply rate: when people address an account, does it answer, how fast, and is it fair?

Definitions (the "Signals" issue, part 2):

* A **question** is a post by another account addressed to the subject: it replies to one of the
  subject's posts, or its text mentions ``@subject`` (case-insensitive; the ``@`` must not follow a
  word character or another ``@``, and the handle must not continue with a word character or an
  ``@instance`` part, so ``@delta`` is found in "@Delta, why" but not in "@deltafan" or
  "@delta@other.social"). A post that does both is one question. The subject's own posts never
  count (threads and self-replies are not questions).
* It is **answered** when a post by the subject replies to it (``in_reply_to_post_id`` equals its
  id) within ``window_seconds`` (7 days); the earliest such reply counts. Replies that carry an
  earlier timestamp than the question (clock skew in the source) count with delay 0.
* **Right-censoring.** A question asked less than 7 days before the data ends (``as_of``, default
  the newest post in the input) may still get its answer, so it is left out of the sample whether
  or not it was answered yet; counting only the unanswered ones, or counting them as unanswered,
  would bias the share. Undated questions are left out too.

Levels (the answered share comes with a 95% Wilson score interval, Wilson 1927):

* ``responsive``: share >= 90% and median time to answer <= 15 minutes. This is Facebook's
  "Very responsive to messages" Page badge (a response rate of 90% and a response time of
  15 minutes over the last 7 days), the one public yardstick people already know. Facebook
  measures private messages; we measure public replies, so our bar is, if anything, harder.
* ``unresponsive``: share < 50%, i.e. most people who address the account get no answer within a
  week. It is also the line Gunarathne, Rui & Seidmann drew for airlines on Twitter: they
  "respond to less than half of the tweets directed at them by complaining customers" ("When
  social media delivers customer service: differential customer treatment in the airline
  industry", MIS Quarterly 42(2), 2018, doi:10.25300/MISQ/2018/14290).
* ``mixed``: everything between: answers most but not nine in ten, or nine in ten but slowly.
* ``unknown``: fewer than ``MIN_QUESTIONS`` = 30 questions. 14 is the smallest sample at which
  no 95% Wilson interval can contain both 50% and 90%; at 30 the widest interval (at a 50%
  share) is +-17 points, narrower than the 40-point mixed band, so a "responsive" account's
  lower bound stays near 74% and an "unresponsive" one's upper bound below 67%.

Equity: the answered share for askers with fewer than 1,000 followers against askers with 10,000
or more (the pattern Gunarathne et al. found: airlines answer customers with more followers more
often and faster). Askers with unknown counts or in between are in neither group. Each group
needs ``MIN_EQUITY_GROUP`` = 20 questions (widest 95% interval +-20 points); fewer and a ratio
such as "3x" would rest on a handful of posts. The status says ``favours_big`` or
``favours_small`` only when Newcombe's hybrid score interval for the difference of the two
shares (Newcombe 1998, method 10) excludes zero, else ``even``. Equity is reported beside the
level and does not change it.

Known limits: a reply is treated as an answer whatever it says (including "please DM us");
follow-ups and "thanks!" tweets replying to the subject count as questions; mentions of an
account's other handles (a brand's main account when support answers) are not questions of the
support account; posts missing from the input (deleted, outside a sample) can only lower the
share.

Indexing the posts (handle codes, reply links, mention parsing) lives in posts.py; this module
only counts on the index.

Reason codes: answered_count, median_reply, late_answers, excluded_recent, no_questions,
too_few_questions, level_responsive, level_slow, level_mixed, level_unresponsive,
equity_unknown, equity_even, equity_favours_big, equity_favours_small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np

from genuine.handles import normalise as normalize_handle
from genuine.signals.posts import Posts, epoch_seconds
from genuine.signals.stats import newcombe_difference, wilson_interval
from genuine.signals.wording import duration, pct, plural

WINDOW_SECONDS = 7 * 24 * 3600
RESPONSIVE_SHARE = 0.90
RESPONSIVE_MEDIAN_SECONDS = 15 * 60
UNRESPONSIVE_SHARE = 0.50
MIN_QUESTIONS = 30
SMALL_FOLLOWING = 1_000  # askers with fewer followers than this
BIG_FOLLOWING = 10_000  # askers with at least this many followers
MIN_EQUITY_GROUP = 20
Flags = Sequence[bool] | np.ndarray
When = datetime | float | None


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class GroupShare:
    """Questions from one follower band and how many of them were answered."""

    asked: int
    answered: int
    share: float | None
    interval: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class Equity:
    status: str  # even | favours_big | favours_small | unknown
    small: GroupShare  # askers with < SMALL_FOLLOWING followers
    big: GroupShare  # askers with >= BIG_FOLLOWING followers
    ratio: float | None  # big share / small share (None when unknown or small share is 0)
    difference_interval: tuple[float, float] | None  # 95% interval of big - small share
    reason: Reason


@dataclass(frozen=True, slots=True)
class ReplyRate:
    handle: str
    level: str  # responsive | mixed | unresponsive | unknown
    answered_share: float | None
    interval: tuple[float, float] | None  # 95% Wilson
    median_reply_seconds: float | None
    sample_size: int  # questions counted
    answered: int
    equity: Equity
    reasons: tuple[Reason, ...]
    late_answers: int = 0  # answered, but after the window
    excluded: int = 0  # too recent or undated to judge

    def to_card(self) -> dict[str, Any]:
        """The ``reply_rate`` entry of a badge card (DESIGN.md)."""
        card = asdict(self)
        for key in ("handle", "answered", "late_answers", "excluded"):
            del card[key]
        card["interval"] = list(self.interval) if self.interval else None
        card["reasons"] = [asdict(r) for r in self.reasons]
        return card


@dataclass(frozen=True, slots=True)
class Questions:
    """One row per (question post, addressed account): arrays aligned with each other."""

    post: np.ndarray  # index into the Posts columns
    target: np.ndarray  # handle code of the addressed account
    asker: np.ndarray  # handle code of the author
    delay: np.ndarray  # seconds to the earliest answer by target; NaN if never answered
    answered: np.ndarray  # bool: answered within the window
    counted: np.ndarray  # bool: old enough and dated, so part of the sample
    names: list[str]  # handle of each code


def find_questions(
    posts: Posts,
    subject: str | None = None,
    *,
    as_of: When = None,
    window_seconds: float = WINDOW_SECONDS,
    askable: Flags | None = None,
) -> Questions:
    """All questions (to ``subject`` only, if given) with their answer delays, vectorised.

    ``askable``: one flag per post; only flagged posts can be questions (e.g. twcs ``inbound``,
    to count customers only). Any post can still be an answer.
    """
    index = posts.index
    ac, t = index.author_code, index.t
    reply_post = np.flatnonzero(index.parent_author >= 0)
    post = np.concatenate([reply_post, index.mention_post])
    target = np.concatenate([index.parent_author[reply_post], index.mention_code])
    keep = target != ac[post]  # an account never asks itself
    if subject is not None:
        keep &= target == index.codes.get(normalize_handle(subject), -1)
    if askable is not None:
        keep &= np.asarray(askable, dtype=bool)[post]
    k = np.int64(max(len(index.codes), 1))
    key = np.unique(post[keep] * k + target[keep])  # a post that replies and mentions: once
    post, target = key // k, key % k
    # Answers: posts replying to a post in the input, keyed by (parent post, replier).
    replies = np.flatnonzero(index.parent >= 0)
    akey = index.parent[replies] * k + ac[replies]
    order = np.lexsort((t[replies], akey))  # by key, then earliest first (NaN last)
    ukey, first = np.unique(akey[order], return_index=True)
    first_time = t[replies][order][first]
    pos = np.minimum(np.searchsorted(ukey, key), max(len(ukey) - 1, 0))
    found = ukey[pos] == key if len(ukey) else np.zeros(len(key), dtype=bool)
    delay = np.full(len(key), np.nan)
    delay[found] = np.maximum(first_time[pos[found]] - t[post[found]], 0.0)
    with np.errstate(invalid="ignore"):
        answered = delay <= window_seconds
        end = (
            epoch_seconds([as_of])[0]
            if as_of is not None
            else t[np.isfinite(t)].max(initial=-np.inf)
        )
        counted = t[post] <= end - window_seconds
    return Questions(post, target, ac[post], delay, answered, counted, index.names)


def reply_rate(
    posts: Posts,
    subject: str,
    *,
    followers: Mapping[str, int | None] | None = None,
    as_of: When = None,
    window_seconds: float = WINDOW_SECONDS,
    askable: Flags | None = None,
) -> ReplyRate:
    """The reply-rate signal for one account. ``followers``: asker handle -> follower count."""
    handle = normalize_handle(subject)
    q = find_questions(posts, handle, as_of=as_of, window_seconds=window_seconds, askable=askable)
    return _aggregate(q, followers, window_seconds, [handle])[handle]


def reply_rates(
    posts: Posts,
    *,
    subjects: Iterable[str] | None = None,
    followers: Mapping[str, int | None] | None = None,
    as_of: When = None,
    window_seconds: float = WINDOW_SECONDS,
    askable: Flags | None = None,
    questions: Questions | None = None,
) -> dict[str, ReplyRate]:
    """The signal for ``subjects``, or for every account that posted and was addressed at least
    once, in one vectorised pass (equal, account by account, to ``reply_rate``).

    Pass ``questions`` when the caller already has ``find_questions(posts, ...)`` with the
    same ``as_of``, ``window_seconds`` and ``askable``: it is not computed again."""
    q = questions or find_questions(
        posts, as_of=as_of, window_seconds=window_seconds, askable=askable
    )
    only = None if subjects is None else [normalize_handle(s) for s in subjects]
    return _aggregate(q, followers, window_seconds, only, posts.index.n_authors)


def _aggregate(
    q: Questions,
    followers: Mapping[str, int | None] | None,
    window: float,
    only: list[str] | None,
    n_authors: int = 0,
) -> dict[str, ReplyRate]:
    m = len(q.names)
    codes = {h: i for i, h in enumerate(q.names)}
    c, tg, ans = q.counted, q.target, q.answered
    fol = np.full(m + 1, -1, dtype=np.int64)
    for h, v in (followers or {}).items():
        if v is not None:
            fol[codes.get(normalize_handle(h), m)] = int(v)
    fol[m] = -1
    small = (fol[q.asker] >= 0) & (fol[q.asker] < SMALL_FOLLOWING)
    big = fol[q.asker] >= BIG_FOLLOWING
    masks = (c, c & ans, c & ~ans & ~np.isnan(q.delay), ~c, c & small, c & small & ans)
    counts = np.stack([np.bincount(tg[x], minlength=m) for x in (*masks, c & big, c & big & ans)])
    # Medians per target: sort answered delays by (target, delay), take the middle of each run.
    sel = c & ans
    order = np.lexsort((q.delay[sel], tg[sel]))
    d = q.delay[sel][order]
    start, cnt = np.searchsorted(tg[sel][order], np.arange(m)), counts[1]
    median = np.full(m, np.nan)
    has = cnt > 0
    median[has] = (d[start[has] + (cnt[has] - 1) // 2] + d[start[has] + cnt[has] // 2]) / 2
    if only is None:
        only = [q.names[i] for i in range(n_authors) if counts[0, i] or counts[3, i]]
    out: dict[str, ReplyRate] = {}
    for h in only:
        i = codes.get(h)
        n, k, late, excluded, *groups = (0,) * 8 if i is None else counts[:, i].tolist()
        med = None if i is None or math.isnan(median[i]) else float(median[i])
        equity = _equity(*groups, given=followers is not None)
        out[h] = _result(h, n, k, med, late, excluded, equity, window)
    return out


def _group(asked: int, answered: int) -> GroupShare:
    share = answered / asked if asked else None
    return GroupShare(asked, answered, share, wilson_interval(answered, asked))


def _equity(small_n: int, small_k: int, big_n: int, big_k: int, *, given: bool) -> Equity:
    small, big = _group(small_n, small_k), _group(big_n, big_k)
    if not given or small_n < MIN_EQUITY_GROUP or big_n < MIN_EQUITY_GROUP:
        why = (
            f"too few questions to compare ({small_n} from people with under "
            f"{SMALL_FOLLOWING:,} followers, {big_n} from people with {BIG_FOLLOWING:,} or more; "
            f"{MIN_EQUITY_GROUP} of each needed)"
            if given
            else "follower counts of the askers are not known"
        )
        return Equity("unknown", small, big, None, None, Reason("equity_unknown", why))
    assert small.share is not None and big.share is not None and small.interval and big.interval
    lower, upper = newcombe_difference(big.share, big.interval, small.share, small.interval)
    ratio = big.share / small.share if small.share > 0 else None
    both = f"({pct(big.share)} vs {pct(small.share)})"
    if lower > 0:
        status = "favours_big"
        how = "while not answering others" if ratio is None else "more often"
        if ratio is not None and ratio >= 1.5:
            how = f"{ratio:.1f}".removesuffix(".0") + "x as often"
        text = f"answers people with big followings {how} {both}"
    elif upper < 0:
        status = "favours_small"
        text = f"answers people with small followings more often than big ones {both}"
    else:
        status, text = "even", f"answers people with small and big followings alike {both}"
    return Equity(status, small, big, ratio, (lower, upper), Reason(f"equity_{status}", text))


def _result(
    handle: str,
    n: int,
    k: int,
    median: float | None,
    late: int,
    excluded: int,
    equity: Equity,
    window: float,
) -> ReplyRate:
    share, interval, days = (k / n if n else None), wilson_interval(k, n), duration(window)
    reasons = [Reason("no_questions", "no one addressed this account in the posts we have")]
    if share is not None and interval is not None:
        lo, hi = pct(interval[0]), pct(interval[1])
        text = f"answered {k:,} of {plural(n, 'question')} within {days}"
        reasons = [Reason("answered_count", f"{text} ({pct(share)}, 95% interval {lo}–{hi})")]
    if median is not None:
        reasons.append(Reason("median_reply", f"median answer after {duration(median)}"))
    if late:
        text = f"{plural(late, 'answer')} came after {days} and did not count"
        reasons.append(Reason("late_answers", text))
    if excluded:
        text = f"left out {plural(excluded, 'question')} from the last {days} of the data (or"
        reasons.append(Reason("excluded_recent", f"{text} undated): answers may still come"))
    fast = median is not None and median <= RESPONSIVE_MEDIAN_SECONDS
    if share is None or n < MIN_QUESTIONS:
        level, code = "unknown", "too_few_questions"
        text = f"only {plural(n, 'question')}; at least {MIN_QUESTIONS} are needed for a level"
    elif share < UNRESPONSIVE_SHARE:
        level, code, text = "unresponsive", "level_unresponsive", "answers fewer than half"
    elif share >= RESPONSIVE_SHARE and fast:
        level, code, text = "responsive", "level_responsive", "answers 9 in 10, within 15 minutes"
    elif share >= RESPONSIVE_SHARE:
        level, code, text = "mixed", "level_slow", "answers 9 in 10, but after 15 minutes"
    else:
        level, code, text = "mixed", "level_mixed", "answers most, but not 9 in 10"
    if n:
        reasons.append(Reason(code, text))
    reasons.append(equity.reason)
    return ReplyRate(
        handle, level, share, interval, median, n, k, equity, tuple(reasons), late, excluded
    )
