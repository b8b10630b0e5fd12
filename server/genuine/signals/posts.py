"""Posts as parallel columns, indexed once for the signals that read conversations.

A few million posts arrive as Python lists of strings (ids, handles, texts). Dicts of millions
of strings and per-post Python loops are what makes that slow, so `PostIndex` turns them into
integer codes once: every handle (author, replied-to author, mentioned handle) gets a code,
every reply gets the row of the post it answers, and every ``@mention`` becomes a (post, code)
pair. The signals (reply_rate.py) then work on numpy arrays only.

Mentions follow the rule in reply_rate.py: the ``@`` must not follow a word character or
another ``@``; the handle must not continue with a word character or an ``@instance`` part; a
token such as ``@delta.support`` may address "delta.support" or "delta" (every cut before "."
or "-" is a candidate).
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np

from genuine.handles import normalise

_COLUMNS = ("post_id", "author", "created_at", "in_reply_to_post_id", "in_reply_to_author", "text")

# The longest handle-like token after "@"; every prefix cut before "." or "-" is a candidate too.
_TOKEN_RE = re.compile(r"(?<![\w@])@(\w+(?:[.-]\w+)*(?:@\w+(?:[.-]\w+)*)?)")


def mentioned_handles(text: str | None) -> list[str]:
    """Every handle an ``@mention`` in ``text`` could address (normalised, in order)."""
    out: list[str] = []
    for token in _TOKEN_RE.findall(text) if text and "@" in text else ():
        token = token.lower()
        out.extend(token[:i] for i, ch in enumerate(token) if ch in ".-")
        out.append(token)
    return out


def _id(value: Any) -> str:
    """A post id or handle as text ("" when missing); 3.0 from a float column is "3"."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


def _ids(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values.astype(str)
    return np.array([v if type(v) is str else _id(v) for v in values], dtype=str)


def epoch_seconds(values: Any) -> np.ndarray:
    """Epoch seconds (NaN when missing) from datetimes (naive = UTC), datetime64 or numbers."""
    arr = np.asarray(values)
    if np.issubdtype(arr.dtype, np.datetime64):
        out = arr.astype("datetime64[ns]").astype(np.float64) / 1e9
        out[np.isnat(arr)] = np.nan
        return out
    if np.issubdtype(arr.dtype, np.number):
        return arr.astype(np.float64)

    def one(v: Any) -> float:
        if isinstance(v, datetime):
            return (v if v.tzinfo else v.replace(tzinfo=UTC)).timestamp()
        return math.nan if v is None else float(v)

    return np.array([one(v) for v in arr], dtype=np.float64)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building millions of small lists makes the cyclic GC rescan them over and over (3x
    slower at 3M posts); none of them form cycles, so pause it meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, eq=False)  # columns may be numpy arrays: compare by identity
class Posts:
    """Posts as parallel columns. ``created_at``: aware datetimes (naive = UTC), datetime64 or
    epoch seconds. Missing optional columns mean "no replies" / "no text". Ids are unique."""

    post_id: Sequence[Any]
    author: Sequence[str]
    created_at: Sequence[Any] | np.ndarray
    in_reply_to_post_id: Sequence[Any] | None = None
    in_reply_to_author: Sequence[str | None] | None = None
    text: Sequence[str | None] | None = None

    @classmethod
    def from_records(cls, records: Iterable[Any]) -> Posts:
        """From post value dicts, or from the records ``genuine.formats.read`` yields."""
        cols: dict[str, list[Any]] = {k: [] for k in _COLUMNS}
        for rec in records:
            if hasattr(rec, "values") and not isinstance(rec, Mapping):
                if getattr(rec, "kind", "post") != "post":
                    continue
                rec = rec.values
            for k in _COLUMNS:
                cols[k].append(rec.get(k))
        return cls(**cols)

    def __len__(self) -> int:
        return len(self.post_id)

    @cached_property
    def index(self) -> PostIndex:
        """Built on first use and kept: every signal over the same posts shares it."""
        with _gc_paused():
            return PostIndex(self)


class PostIndex:
    """Integer codes for handles and posts: everything later is numpy on these arrays."""

    def __init__(self, posts: Posts) -> None:
        n = len(posts.post_id)
        self.codes: dict[str, int] = {}
        self.author_code = self.factorize(posts.author)
        self.n_authors = len(self.codes)  # codes below this are accounts that posted
        self.t = epoch_seconds(posts.created_at) if n else np.zeros(0)
        self.parent = np.full(n, -1, dtype=np.int64)
        self.parent_author = np.full(n, -1, dtype=np.int64)
        if posts.in_reply_to_post_id is not None and n:
            # Sorted ids and a binary search: much faster than a dict of millions of strings.
            ids = _ids(posts.post_id)
            order = np.argsort(ids, kind="stable")
            ids = ids[order]
            wanted = _ids(posts.in_reply_to_post_id)
            pos = np.minimum(np.searchsorted(ids, wanted), n - 1)
            hit = (ids[pos] == wanted) & (wanted != "")
            self.parent[hit] = order[pos[hit]]
            self.parent_author[hit] = self.author_code[self.parent[hit]]
        if posts.in_reply_to_author is not None and n:
            named = self.factorize(posts.in_reply_to_author)
            fill = (self.parent_author < 0) & (named >= 0)
            self.parent_author[fill] = named[fill]
        self.mention_post, self.mention_code = self._mentions(posts.text)
        self.names = list(self.codes)

    def code(self, handle: str) -> int:
        return self.codes.setdefault(handle, len(self.codes))

    def factorize(self, handles: Iterable[Any]) -> np.ndarray:
        """Handle codes (-1 for missing): a dict over raw values, normalising each once."""
        raw: dict[Any, int] = {}
        codes = np.fromiter((raw.setdefault(h, len(raw)) for h in handles), dtype=np.int64)
        normal = [normalise(_id(h)) for h in raw]
        return np.array([self.code(h) if h else -1 for h in normal] + [-1], np.int64)[codes]

    def _mentions(self, texts: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
        """(post, handle code) for every handle each text mentions, CSR-style over tokens."""
        texts = () if texts is None else texts
        which = [i for i, s in enumerate(texts) if isinstance(s, str) and "@" in s]
        found = [_TOKEN_RE.findall(texts[i]) for i in which]
        per_post = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        raw: dict[str, int] = {}
        occ = np.fromiter((raw.setdefault(t, len(raw)) for t in chain.from_iterable(found)), int)
        cands = [[self.code(h) for h in mentioned_handles("@" + t)] for t in raw]
        lens = np.array([len(c) for c in cands], dtype=np.int64)
        flat = np.fromiter(chain.from_iterable(cands), dtype=np.int64)
        post = np.repeat(np.asarray(which, dtype=np.int64), per_post)
        k = lens[occ]
        within = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        return np.repeat(post, k), flat[np.repeat((np.cumsum(lens) - lens)[occ], k) + within]
