"""Graph primitives for follow-back ring detection, vectorised over numpy / scipy.sparse.

Everything works on integer account ids 0..n_nodes-1 and whole arrays at a time: no
Python loop runs per edge or per account, so ten million follows take seconds. The
mutual-follow graph is the heart of it: a follow-back ring lives in the mutual graph,
while camouflage (ring members following popular accounts, who do not follow back)
never enters it at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

# Products one chunk of the triangle count may create; bounds the memory to ~0.3 GB.
CHUNK_WORK = 20_000_000


@dataclass(frozen=True)
class FollowIndex:
    """Deduplicated follows, sorted by (follower, followee), with per-account degrees.

    `mutual[i]` says whether follow i is followed back; `followed_at` is float seconds
    (NaN where unknown). `in_degree` counts followers,
    `out_degree` followees and `mutual_degree` the followers an account follows back.
    """

    n_nodes: int
    follower: np.ndarray
    followee: np.ndarray
    followed_at: np.ndarray | None
    mutual: np.ndarray
    in_degree: np.ndarray
    out_degree: np.ndarray
    mutual_degree: np.ndarray


def build_index(
    follower: np.ndarray,
    followee: np.ndarray,
    n_nodes: int | None = None,
    followed_at: np.ndarray | None = None,
) -> FollowIndex:
    """Drop self-follows and duplicates (keeping the first timestamp) and find mutual pairs."""
    src = np.asarray(follower, dtype=np.int64)
    dst = np.asarray(followee, dtype=np.int64)
    if src.shape != dst.shape or src.ndim != 1:
        raise ValueError("follower and followee must be 1-D arrays of the same length")
    if followed_at is not None and np.shape(followed_at) != src.shape:
        raise ValueError("followed_at must have one timestamp per follow")
    if src.size and min(src.min(), dst.min()) < 0:
        raise ValueError("account ids must be non-negative integers")
    top = int(max(src.max(), dst.max())) + 1 if src.size else 0
    n = top if n_nodes is None else int(n_nodes)
    if n < top:
        raise ValueError(f"n_nodes={n} but the follows mention account id {top - 1}")
    ok = src != dst
    key = src[ok] * n + dst[ok]
    key, first = np.unique(key, return_index=True)
    times = None if followed_at is None else np.asarray(followed_at, dtype=np.float64)[ok][first]
    src, dst = key // n, key % n
    # A follow is mutual when its unordered pair occurs twice: sort the pairs, mark twins.
    # (Sorting is cache-friendly; 10M random binary searches are five times slower.)
    pair = np.minimum(src, dst) * n + np.maximum(src, dst)
    order = np.argsort(pair)
    twin = pair[order[1:]] == pair[order[:-1]]
    mutual = np.zeros(key.size, dtype=bool)
    mutual[order[1:][twin]] = True
    mutual[order[:-1][twin]] = True
    idx_dtype = np.int32 if n < 2**31 else np.int64
    return FollowIndex(
        n_nodes=n,
        follower=src.astype(idx_dtype),
        followee=dst.astype(idx_dtype),
        followed_at=times,
        mutual=mutual,
        in_degree=np.bincount(dst, minlength=n),
        out_degree=np.bincount(src, minlength=n),
        mutual_degree=np.bincount(src[mutual], minlength=n),
    )


def mutual_adjacency(index: FollowIndex, keep: np.ndarray | None = None) -> sparse.csr_matrix:
    """Symmetric 0/1 CSR matrix of mutual follows, optionally only among `keep` accounts."""
    m = index.mutual
    a, b = index.follower[m], index.followee[m]
    if keep is not None:
        ok = keep[a] & keep[b]
        a, b = a[ok], b[ok]
    return _symmetric(a, b, index.n_nodes)


def _symmetric(a: np.ndarray, b: np.ndarray, n: int) -> sparse.csr_matrix:
    """CSR from directed pairs that already contain both directions."""
    data = np.ones(a.size, dtype=np.int32)
    mat = sparse.csr_matrix((data, (a, b)), shape=(n, n))
    mat.sum_duplicates()
    mat.sort_indices()
    return mat


def k_core(adj: sparse.csr_matrix, k: int) -> np.ndarray:
    """Mask of accounts in the k-core: repeatedly drop those with fewer than k neighbours left."""
    alive = np.diff(adj.indptr) >= k
    while True:
        deg = adj @ alive.astype(np.int32)
        still = alive & (deg >= k)
        if still.sum() == alive.sum():
            return still
        alive = still


def edge_support(adj: sparse.csr_matrix) -> sparse.csr_matrix:
    """For each mutual edge, the number of triangles on it (common mutual neighbours).

    Computed in row chunks of bounded work (sum of neighbour degrees), so a few busy
    accounts cannot blow up memory. Edges with no triangle are absent from the result.
    """
    n = adj.shape[0]
    if adj.nnz == 0:
        return sparse.csr_matrix((n, n), dtype=np.int32)
    deg = np.diff(adj.indptr).astype(np.int64)
    work = np.cumsum(adj @ deg)
    rows, cols, vals = [], [], []
    start = 0
    while start < n:
        base = work[start - 1] if start else 0
        stop = int(np.searchsorted(work, base + CHUNK_WORK, side="right"))
        stop = min(n, max(stop, start + 1))
        block = adj[start:stop]
        tri = (block @ adj).multiply(block).tocoo()
        rows.append(tri.row.astype(np.int64) + start)
        cols.append(tri.col)
        vals.append(tri.data.astype(np.int32))
        start = stop
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    return sparse.csr_matrix((v, (r, c)), shape=(n, n))


def truss_edges(adj: sparse.csr_matrix, min_support: int, max_passes: int = 6) -> sparse.csr_matrix:
    """Approximate k-truss: keep mutual edges on at least `min_support` triangles.

    Ring members share many mutual neighbours; a background account that follows a
    couple of ring members (and is followed back) shares almost none, so its edges fall
    away here while the ring holds together. Support is recomputed on the surviving
    edges until nothing changes (or `max_passes`), which is the usual truss peeling done
    in whole passes instead of one edge at a time.
    """
    cur = adj
    for _ in range(max_passes):
        sup = edge_support(cur)
        sup.data = (sup.data >= min_support).astype(np.int32)
        sup.eliminate_zeros()
        if sup.nnz == cur.nnz:
            return sup
        cur = sup
    return cur


def restrict(adj: sparse.csr_matrix, keep: np.ndarray) -> sparse.csr_matrix:
    """The same matrix with every edge touching an account outside `keep` removed."""
    mask = sparse.diags_array(keep.astype(adj.dtype), dtype=adj.dtype)
    out = (mask @ adj @ mask).tocsr()
    out.eliminate_zeros()
    return out


def components(adj: sparse.csr_matrix, min_size: int) -> np.ndarray:
    """Group label per account (connected components of `adj`), -1 outside groups of min_size."""
    _, label = connected_components(adj, directed=False)
    size = np.bincount(label)
    has_edge = np.diff(adj.indptr) > 0
    good = has_edge & (size[label] >= min_size)
    out = np.full(adj.shape[0], -1, dtype=np.int64)
    _, out[good] = np.unique(label[good], return_inverse=True)
    return out


def within_group_counts(index: FollowIndex, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per account: followers from its own group, and how many of those it follows back."""
    g_src, g_dst = group[index.follower], group[index.followee]
    same = (g_src >= 0) & (g_src == g_dst)
    followers_in = np.bincount(index.followee[same], minlength=index.n_nodes)
    back_in = np.bincount(index.followee[same & index.mutual], minlength=index.n_nodes)
    return followers_in, back_in


def group_density(index: FollowIndex, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Mutual-edge density per group: mutual pairs among members / all member pairs."""
    g_src, g_dst = group[index.follower], group[index.followee]
    same = (g_src >= 0) & (g_src == g_dst) & index.mutual
    pairs = np.bincount(g_src[same], minlength=n_groups) / 2.0
    size = np.bincount(group[group >= 0], minlength=n_groups).astype(np.float64)
    possible = size * (size - 1) / 2.0
    return np.divide(pairs, possible, out=np.zeros(n_groups), where=possible > 0)


def ties_to(index: FollowIndex, group: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per account: mutual follows with members of its own group that are in `target`."""
    g_src, g_dst = group[index.follower], group[index.followee]
    hit = index.mutual & (g_src >= 0) & (g_src == g_dst) & target[index.followee]
    return np.bincount(index.follower[hit], minlength=index.n_nodes)


def embedded_ties(adj: sparse.csr_matrix, rows: np.ndarray) -> sparse.csr_matrix:
    """For accounts in `rows` only: their mutual edges that close at least one triangle.

    A tie that shares a mutual neighbour is embedded in a circle (friends of friends); a
    tie to a stranger who was merely followed back is not. Same chunked product as
    `edge_support`, restricted to the rows asked for.
    """
    n = adj.shape[0]
    picked = np.flatnonzero(rows)
    if picked.size == 0 or adj.nnz == 0:
        return sparse.csr_matrix((n, n), dtype=np.int32)
    deg = np.diff(adj.indptr).astype(np.int64)
    work = np.cumsum((adj @ deg)[picked])
    out_r, out_c = [], []
    start = 0
    while start < picked.size:
        base = work[start - 1] if start else 0
        stop = int(np.searchsorted(work, base + CHUNK_WORK, side="right"))
        stop = min(picked.size, max(stop, start + 1))
        block = adj[picked[start:stop]]
        tri = (block @ adj).multiply(block).tocoo()
        out_r.append(picked[start:stop][tri.row])
        out_c.append(tri.col)
        start = stop
    r, c = np.concatenate(out_r), np.concatenate(out_c)
    return sparse.csr_matrix((np.ones(r.size, dtype=np.int32), (r, c)), shape=(n, n))
