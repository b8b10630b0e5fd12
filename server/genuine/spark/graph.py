"""Graph primitives of the ring method as Spark DataFrame operations (`rings_graph` twin).

Conventions: accounts are long ids; a graph is a DataFrame of directed edges `(a, b)`
holding both directions of every mutual follow; a group labelling is `(id, g)` where
`g` is the smallest id of the group (so groups sort as the in-process engine numbers them:
scipy labels components in the order of their smallest account). Nothing is collected
to the driver here; loops that need a fixed point cut their lineage every pass (`cut`).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

# Label propagation stops with an error past this many passes: each pass moves the smallest
# id at least one hop (and pointer jumping usually halves the rest), so a component needs at
# most its diameter + 1 passes; dense groups have diameters of a few hops.
MAX_COMPONENT_PASSES = 200


def cut(df: DataFrame) -> DataFrame:
    """Drop `df`'s lineage; the first action that needs it stores it. On a cluster that is a
    reliable checkpoint (files in the checkpoint directory, safe when an executor is lost);
    in local mode the executors' memory, which is much faster and loses nothing."""
    sc = df.sparkSession.sparkContext
    if sc.getCheckpointDir() and not sc.master.startswith("local"):
        return df.checkpoint(eager=False)
    return df.localCheckpoint(eager=False)


def degrees(edges: DataFrame) -> DataFrame:
    """`(id, deg)`: edges per account (accounts without edges are absent)."""
    return edges.groupBy(F.col("a").alias("id")).agg(F.count("*").alias("deg"))


def restrict(edges: DataFrame, keep: DataFrame) -> DataFrame:
    """Edges whose two ends are both in `keep` (a DataFrame with an `id` column)."""
    ids = keep.select("id")
    return (
        edges.join(ids.withColumnRenamed("id", "a"), "a", "left_semi")
        .join(ids.withColumnRenamed("id", "b"), "b", "left_semi")
        .select("a", "b")
    )


def until_stable(edges: DataFrame, step, max_passes: int | None = None) -> DataFrame:
    """Apply `step` (edges -> fewer edges) until the edge count stops changing."""
    cur = cut(edges)
    n, passes = cur.count(), 0
    while n and (max_passes is None or passes < max_passes):
        nxt = cut(step(cur))
        m, passes = nxt.count(), passes + 1
        if m == n:
            return nxt
        cur, n = nxt, m
    return cur


def k_core(edges: DataFrame, k: int) -> DataFrame:
    """The edges of the k-core: drop accounts with fewer than k neighbours left, repeatedly."""
    return until_stable(edges, lambda e: restrict(e, degrees(e).where(F.col("deg") >= k)))


def common_neighbours(pairs: DataFrame, edges: DataFrame) -> DataFrame:
    """`(a, b, n)`: for the given `(a, b)` pairs (each once), how many neighbours they share
    in `edges`.

    Only pairs with n > 0 appear. Each pair meets the neighbour lists of its two ends and
    intersects them (`array_intersect`, in the JVM): one row per pair through two joins,
    instead of a row per wedge through a join, a semi-join and a grouping (docs-notes/spark.md
    has the figures).
    """
    lists = edges.groupBy(F.col("a").alias("id")).agg(F.collect_list("b").alias("nb"))
    na = lists.select(F.col("id").alias("a"), F.col("nb").alias("na"))
    nb = lists.select(F.col("id").alias("b"), F.col("nb").alias("nb"))
    n = F.size(F.array_intersect("na", "nb"))
    both = pairs.select("a", "b").join(na, "a").join(nb, "b")
    return both.select("a", "b", n.alias("n")).where(F.col("n") > 0)


def edge_support(edges: DataFrame) -> DataFrame:
    """`(a, b, n)`: triangles on each edge (both directions; edges with none are absent)."""
    once = common_neighbours(edges.where(F.col("a") < F.col("b")), edges)
    back = once.select(F.col("b").alias("a"), F.col("a").alias("b"), "n")
    return once.unionByName(back)


def truss_edges(edges: DataFrame, min_support: int, max_passes: int = 6) -> DataFrame:
    """Approximate k-truss: keep edges on at least `min_support` triangles, in whole passes."""

    def peel(e: DataFrame) -> DataFrame:
        return edge_support(e).where(F.col("n") >= min_support).select("a", "b")

    return until_stable(edges, peel, max_passes)


def components(edges: DataFrame, min_size: int) -> DataFrame:
    """`(id, g)` for accounts in connected components of at least `min_size` accounts.

    Label propagation in Spark SQL: every account takes the smallest label among itself and
    its neighbours, then the label of its label (pointer jumping), until nothing changes.
    Raises RuntimeError after MAX_COMPONENT_PASSES passes instead of answering wrongly.
    """
    edges = cut(edges.select("a", "b"))
    label = cut(edges.select(F.col("a").alias("id")).distinct().withColumn("g", F.col("id")))
    total = label.agg(F.sum("g")).first()[0]
    for _ in range(MAX_COMPONENT_PASSES):
        seen = edges.join(label.select(F.col("id").alias("b"), F.col("g").alias("gb")), "b")
        least = seen.groupBy(F.col("a").alias("id")).agg(F.min("gb").alias("gn"))
        step = label.join(least, "id").select("id", F.least("g", "gn").alias("g"))
        jump = step.join(step.select(F.col("id").alias("g"), F.col("g").alias("gg")), "g").select(
            "id", F.least("g", "gg").alias("g")
        )
        label = cut(jump)
        # Labels only ever decrease, so an unchanged sum means no label changed.
        before, total = total, label.agg(F.sum("g")).first()[0]
        if total == before:
            size = label.groupBy("g").agg(F.count("*").alias("size"))
            big = size.where(F.col("size") >= min_size).select("g")
            return label.join(big, "g", "left_semi").select("id", "g")
    raise RuntimeError(
        f"connected components did not settle in {MAX_COMPONENT_PASSES} passes "
        "(a chain of groups longer than any ring); raise MAX_COMPONENT_PASSES"
    )


def group_density(edges: DataFrame, groups: DataFrame) -> DataFrame:
    """`(g, size, density)`: mutual pairs among a group's members over all member pairs."""
    ga = groups.select(F.col("id").alias("a"), F.col("g"))
    gb = groups.select(F.col("id").alias("b"), F.col("g").alias("gb"))
    inside = edges.join(ga, "a").join(gb, "b").where(F.col("g") == F.col("gb"))
    pairs = inside.groupBy("g").agg((F.count("*") / 2.0).alias("pairs"))
    size = groups.groupBy("g").agg(F.count("*").alias("size"))
    possible = F.col("size") * (F.col("size") - 1) / 2.0
    return size.join(pairs, "g", "left").select(
        "g",
        "size",
        F.when(possible > 0, F.coalesce("pairs", F.lit(0.0)) / possible)
        .otherwise(0.0)
        .alias("density"),
    )
