"""Corroborating evidence for follow-back rings: hashtags, lockstep follows, bunched sign-ups.

None of these convicts on its own: friends who met at a conference follow each other in
one afternoon, and a batch of colleagues may open accounts the same week. They are
reported next to the structural evidence so that a reader can weigh them, and the
follow-back hashtag is the only one allowed to stand in for reciprocity when an account
has too few followers outside its group to measure that (see `genuine.signals.rings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from genuine.signals.wording import duration, pct

# Tags and phrases that advertise following back anyone who follows.
FOLLOW_BACK_PATTERN = re.compile(
    r"#(?:team)?follow ?back\b|#ifb\b|#?\bf4f\b|#?\bfollow ?(?:4|for) ?follow\b"
    r"|\bfollow(?:ing)?[ -]?back\b|#?\bfollowtrain\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: a stable machine code and a sentence for people."""

    code: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


def follow_back_tag(bio: str | None) -> str | None:
    """The follow-back hashtag or phrase in a bio, as written, or None."""
    if not bio:
        return None
    found = FOLLOW_BACK_PATTERN.search(bio)
    return found.group(0) if found else None


def lockstep_counts(
    follower: np.ndarray, followed_at: np.ndarray, n_nodes: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per account: its follows given, and the most of them that fall in one `window` seconds.

    Pass only the follows of interest (e.g. inside a ring). Vectorised: follows are sorted by
    (follower, time) and for each follow we count the follows of the same account that start
    no later than `window` seconds after it.
    """
    total = np.bincount(follower, minlength=n_nodes)
    best = np.zeros(n_nodes, dtype=np.int64)
    if follower.size == 0:
        return total, best
    t = followed_at - followed_at.min()
    key = follower.astype(np.int64) * (int(t.max()) + window + 1) + t
    key.sort()
    ahead = np.searchsorted(key, key + window, side="right") - np.arange(key.size)
    owner = np.searchsorted(np.cumsum(total), np.arange(key.size), side="right")
    np.maximum.at(best, owner, ahead)
    return total, best


def creation_peers(created_at: np.ndarray, window: int) -> np.ndarray:
    """For each account of one group: how many other members were created within `window` s."""
    order = np.sort(created_at)
    hi = np.searchsorted(order, created_at + window, side="right")
    lo = np.searchsorted(order, created_at - window, side="left")
    return hi - lo - 1


def dense_reason(mutual_in: int, size: int, density: float) -> Reason:
    return Reason(
        "dense_mutual_group",
        f"follows and is followed back by {mutual_in} of the {size - 1} other accounts "
        f"in a group whose mutual-follow density is {pct(density)}",
    )


def follow_back_reason(
    outside: int, back: int, min_outside: int, baseline: float, lift: float
) -> Reason:
    """How it treats strangers, against the typical account of the same data."""
    if outside < min_outside:
        return Reason(
            "outside_followers_few",
            f"has only {outside} followers who share no mutual follow with it, too few "
            f"(under {min_outside}) to measure whether it follows back strangers",
        )
    share = back / outside
    elevated = baseline + lift * (1 - baseline)
    # Which of the two rates, the usual one or the elevated one, explains the counts better.
    llr = back * np.log(elevated / baseline) + (outside - back) * np.log(
        (1 - elevated) / (1 - baseline)
    )
    code = "follows_back_strangers" if llr > 0 else "selective_follow_back"
    return Reason(
        code,
        f"followed back {back} of its {outside} followers who share no mutual follow with "
        f"it ({pct(share)}; the typical account in this data follows back {pct(baseline)} "
        "of such strangers)",
    )


def hashtag_reason(tag: str) -> Reason:
    return Reason("follow_back_hashtag", f"its bio advertises following back: {tag!r}")


def lockstep_reason(best: int, total: int, window: int) -> Reason:
    return Reason(
        "lockstep_follows",
        f"{best} of its {total} follows inside the group were made within {duration(window)}",
    )


def creation_reason(peers: int, window: int) -> Reason:
    return Reason(
        "bunched_creation",
        f"was registered within {duration(window)} of {peers} other members",
    )
