"""Questions to an account and the delay of its answer, found on the posts index (posts.py).

The definitions (what is a question, what answers it, censoring at the end of the data) are
reply_rate.py's; this module finds them, vectorised, for one account or for all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from genuine.handles import normalise as normalize_handle
from genuine.signals.posts import Posts, epoch_seconds

WINDOW_SECONDS = 7 * 24 * 3600
Flags = Sequence[bool] | np.ndarray
When = datetime | float | None


@dataclass(frozen=True, slots=True)
class Questions:
    """One row per (question post, addressed account): arrays aligned with each other."""

    post: np.ndarray  # index into the Posts columns
    target: np.ndarray  # handle code of the addressed account
    asker: np.ndarray  # handle code of the author
    delay: np.ndarray  # seconds to the earliest answer by target; NaN if never answered
    answered: np.ndarray  # bool: answered within the window, and before the data ends
    counted: np.ndarray  # bool: dated and asked by the end of the data, so part of the sample
    watched: np.ndarray  # seconds from the question to the end of the data (NaN if undated)
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
    end = epoch_seconds([as_of])[0] if as_of is not None else t[np.isfinite(t)].max(initial=-np.inf)
    watched = end - t[post]
    with np.errstate(invalid="ignore"):
        counted = watched >= 0  # False when undated, or asked after ``as_of``
        answered = counted & (delay <= np.minimum(window_seconds, watched))
    return Questions(post, target, ac[post], delay, answered, counted, watched, index.names)
