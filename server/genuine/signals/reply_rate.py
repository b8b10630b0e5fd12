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
* **Right-censoring.** A question asked less than 7 days before the data ends (``as_of``,
  default the newest post in the input) may still get its answer. It stays in the sample,
  censored: the answered share is the Kaplan-Meier estimate of "answered within 7 days", each
  unanswered question counting for the time it has been watched (the end of the data minus its
  time), so a live audit's recent questions inform the share instead of being thrown away.
  Leaving them out wastes them; counting them as unanswered biases the share low. Without such
  questions the estimate is exactly answered / asked. Undated questions, and questions after
  ``as_of``, are left out. Answers after ``as_of`` are not seen.

Levels (the answered share comes with a 95% Wilson score interval, Wilson 1927, taken at the
estimate's effective sample size under censoring, Dorey & Korn 1987):

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
* ``unknown``: fewer than ``MIN_QUESTIONS`` = 30 questions, counted at the effective sample size
  when some are still open (they tell less than questions watched for the whole week). 14 is the
  smallest sample at which no 95% Wilson interval can contain both 50% and 90%; at 30 the widest
  interval (at a 50% share) is +-17 points, narrower than the 40-point mixed band, so a "responsive"
  account's lower bound stays near 74% and an "unresponsive" one's upper bound below 67%.

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

Indexing the posts (handle codes, reply links, mention parsing) lives in posts.py, finding the
questions and their answer delays in questions.py; this module only estimates and words.

Reason codes: answered_count, median_reply, late_answers, still_open, excluded_undated,
no_questions, too_few_questions, level_responsive, level_slow, level_mixed, level_unresponsive,
equity_unknown, equity_even, equity_favours_big, equity_favours_small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from genuine.handles import normalise as normalize_handle
from genuine.signals.posts import Posts
from genuine.signals.questions import WINDOW_SECONDS, Flags, Questions, When, find_questions
from genuine.signals.stats import KaplanMeier, kaplan_meier, newcombe_difference
from genuine.signals.wording import duration, pct, plural

RESPONSIVE_SHARE = 0.90
RESPONSIVE_MEDIAN_SECONDS = 15 * 60
UNRESPONSIVE_SHARE = 0.50
MIN_QUESTIONS = 30
SMALL_FOLLOWING = 1_000  # askers with fewer followers than this
BIG_FOLLOWING = 10_000  # askers with at least this many followers
MIN_EQUITY_GROUP = 20


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
    excluded: int = 0  # undated, or asked after the end of the data: not in the sample
    still_open: int = 0  # unanswered and watched for less than the window: censored
    effective_sample_size: float = 0.0  # as informative as this many fully watched questions

    def to_card(self) -> dict[str, Any]:
        """The ``reply_rate`` entry of a badge card (DESIGN.md)."""
        card = asdict(self)
        drop = ("handle", "answered", "late_answers", "excluded", "still_open")
        for key in (*drop, "effective_sample_size"):
            del card[key]
        card["interval"] = list(self.interval) if self.interval else None
        card["reasons"] = [asdict(r) for r in self.reasons]
        return card


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
    time = np.where(ans, q.delay, q.watched)  # when the answer came, or how long we watched
    km = kaplan_meier(tg[c], m, time[c], ans[c], window)
    band = c & (small | big)
    km_bands = kaplan_meier(2 * tg[band] + big[band], 2 * m, time[band], ans[band], window)
    with np.errstate(invalid="ignore"):
        late = c & (q.delay > window) & (q.delay <= q.watched)
        still_open = c & ~ans & ~late & (q.watched < window)
    counts = np.stack([np.bincount(tg[x], minlength=m) for x in (late, ~c, still_open)])
    # Medians per target: sort answered delays by (target, delay), take the middle of each run.
    sel = c & ans
    order = np.lexsort((q.delay[sel], tg[sel]))
    d = q.delay[sel][order]
    start, cnt = np.searchsorted(tg[sel][order], np.arange(m)), km.events
    median = np.full(m, np.nan)
    has = cnt > 0
    median[has] = (d[start[has] + (cnt[has] - 1) // 2] + d[start[has] + cnt[has] // 2]) / 2
    if only is None:
        only = [q.names[i] for i in range(n_authors) if km.items[i] or counts[1, i]]
    out: dict[str, ReplyRate] = {}
    for h in only:
        i = codes.get(h)
        if i is None:
            sample, late_n, excluded, open_n, med = _Sample(0, 0, None, None, 0.0), 0, 0, 0, None
            groups = (sample, sample)
        else:
            sample = _Sample.of(km, i)
            late_n, excluded, open_n = counts[:, i].tolist()
            med = None if math.isnan(median[i]) else float(median[i])
            groups = (_Sample.of(km_bands, 2 * i), _Sample.of(km_bands, 2 * i + 1))
        equity = _equity(*groups, given=followers is not None)
        out[h] = _result(h, sample, med, late_n, excluded, open_n, equity, window)
    return out


@dataclass(frozen=True, slots=True)
class _Sample:
    """One account's (or one band's) questions: the estimate and what it rests on."""

    asked: int
    answered: int
    share: float | None
    interval: tuple[float, float] | None
    effective: float

    @classmethod
    def of(cls, km: KaplanMeier, i: int) -> _Sample:
        n = int(km.items[i])
        share = float(km.share[i]) if n else None
        return cls(n, int(km.events[i]), share, km.interval(i), float(km.effective[i]))

    def group(self) -> GroupShare:
        return GroupShare(self.asked, self.answered, self.share, self.interval)


def _equity(small_sample: _Sample, big_sample: _Sample, *, given: bool) -> Equity:
    small, big = small_sample.group(), big_sample.group()
    thin = min(small_sample.effective, big_sample.effective) < MIN_EQUITY_GROUP
    if not given or thin:
        small_n, big_n = small.asked, big.asked
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
    sample: _Sample,
    median: float | None,
    late: int,
    excluded: int,
    still_open: int,
    equity: Equity,
    window: float,
) -> ReplyRate:
    n, k, share, interval = sample.asked, sample.answered, sample.share, sample.interval
    days = duration(window)
    reasons = [Reason("no_questions", "no one addressed this account in the posts we have")]
    if share is not None and interval is not None:
        lo, hi = pct(interval[0]), pct(interval[1])
        text = f"answered {k:,} of {plural(n, 'question')} within {days}"
        estimate = "an estimated " if still_open else ""
        reasons = [
            Reason("answered_count", f"{text} ({estimate}{pct(share)}, 95% interval {lo}–{hi})")
        ]
    if median is not None:
        reasons.append(Reason("median_reply", f"median answer after {duration(median)}"))
    if late:
        text = f"{plural(late, 'answer')} came after {days} and did not count"
        reasons.append(Reason("late_answers", text))
    if still_open:
        text = (
            f"{plural(still_open, 'question')} asked less than {days} before the data ends "
            "had no answer yet: each counts for the time it was watched (Kaplan–Meier)"
        )
        reasons.append(Reason("still_open", text))
    if excluded:
        text = f"left out {plural(excluded, 'undated question')}"
        reasons.append(Reason("excluded_undated", text))
    fast = median is not None and median <= RESPONSIVE_MEDIAN_SECONDS
    if share is None or sample.effective < MIN_QUESTIONS:
        level, code = "unknown", "too_few_questions"
        text = f"only {plural(n, 'question')}; at least {MIN_QUESTIONS} are needed for a level"
        if n >= MIN_QUESTIONS:
            text = (
                f"{plural(n, 'question')}, but so many are recent that they weigh as "
                f"{sample.effective:.0f} watched for {days}; {MIN_QUESTIONS} are needed for a level"
            )
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
        handle,
        level,
        share,
        interval,
        median,
        n,
        k,
        equity,
        tuple(reasons),
        late,
        excluded,
        still_open,
        sample.effective,
    )
