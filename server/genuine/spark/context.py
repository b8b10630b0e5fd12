"""Dense mutual groups in Spark: twin of `genuine.signals.rings_decide.context_groups`.

Triangle support by joins (`graph.edge_support`), truss peeling in whole passes, k-cores,
connected components by label propagation; a component too sparse as a whole is searched
again with one more triangle required per edge, up to `max_support`.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from genuine.spark import graph as sg


def groups_at(adj: DataFrame, usable: DataFrame, support: int, p) -> DataFrame:
    """`(id, g)`: the dense groups among `usable` at one support level (`_groups_at`)."""
    edges = sg.restrict(adj, usable)
    if p.method == "core":
        return sg.components(sg.k_core(edges, p.core_k), p.min_size)
    core = sg.k_core(edges, support + 1)  # no edge outside it can have the support
    strong = sg.truss_edges(core, support)
    return sg.components(sg.k_core(strong, p.min_ties), p.min_size)


def context_groups(adj: DataFrame, usable: DataFrame, p) -> DataFrame:
    """`(id, g)` for every account in a dense group (labels: the group's smallest id)."""
    if p.method not in ("truss", "core"):
        raise ValueError(f"unknown method {p.method!r}; use 'truss' or 'core'")
    done_all: DataFrame | None = None
    active, support = usable.select("id"), p.min_support
    while True:
        group = sg.cut(groups_at(adj, active, support, p))
        last = p.method == "core" or support >= p.max_support
        dense = sg.group_density(adj, group)
        if not last:
            dense = dense.where(F.col("density") >= p.split_density)
        done = group.join(dense.select("g"), "g", "left_semi").select("id", "g")
        done_all = done if done_all is None else done_all.unionByName(done)
        active = sg.cut(group.join(done, "id", "left_anti").select("id"))
        if last or not active.limit(1).count():
            return sg.cut(done_all)
        support += 1
