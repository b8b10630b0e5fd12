"""The follow index and follow-back of strangers in Spark (twin of `rings_graph.build_index`
and `rings_stats.stranger_counts`), plus the log likelihood ratio as a column.

Scalars and per-group numbers are computed on the driver with the in-process engine's own
numpy functions (`rings_stats.lr_terms`, `graph_baseline`) and only multiplied in the JVM,
so both engines round alike.
"""

from __future__ import annotations

import numpy as np
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from genuine.signals import rings_stats as rs
from genuine.spark import graph as sg


def follow_index(follows: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Follows `(src, dst, t)` (no self-follows or duplicates) → follows with `mutual` and the
    reverse follow's time `t_rev`, and accounts `(id, in_degree, out_degree, mutual_degree)`."""
    rev = follows.select(
        F.col("dst").alias("src"), F.col("src").alias("dst"), F.col("t").alias("t_rev"),
        F.lit(True).alias("mutual"),
    )  # fmt: skip
    fol = follows.join(rev, ["src", "dst"], "left").select(
        "src", "dst", "t", "t_rev", F.coalesce("mutual", F.lit(False)).alias("mutual")
    )
    fol = sg.cut(fol)
    # Each follow counts once for its follower (out, mutual) and once for its followee (in):
    # one grouping of both ends (combined before the shuffle) gives all three degrees.
    one, zero = F.lit(1).cast("long"), F.lit(0).cast("long")
    ends = F.array(
        F.struct(F.col("src").alias("id"), one.alias("o"), F.col("mutual").cast("long").alias("m"),
                 zero.alias("i")),
        F.struct(F.col("dst").alias("id"), zero.alias("o"), zero.alias("m"), one.alias("i")),
    )  # fmt: skip
    nodes = (
        fol.select(F.explode(ends).alias("e"))
        .select("e.*")
        .groupBy("id")
        .agg(
            F.sum("o").alias("out_degree"),
            F.sum("m").alias("mutual_degree"),
            F.sum("i").alias("in_degree"),
        )
    )
    return fol, nodes  # the caller adds its hub flag and stores the result once


def mutual_edges(fol: DataFrame, nodes: DataFrame) -> DataFrame:
    """The mutual graph among accounts that are not hubs (`nodes.hub` false)."""
    keep = nodes.where(~F.col("hub")).select("id")
    edges = fol.where("mutual").select(F.col("src").alias("a"), F.col("dst").alias("b"))
    return sg.cut(sg.restrict(edges, keep))


def stranger_counts(fol: DataFrame, adj: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Follows with a `stranger` flag, and `(id, total, back)` per followed account.

    A follow f -> i is a stranger's when f and i share no neighbour in `adj`, and it is not
    itself f answering an earlier follow of i (known only where both times are known).
    """
    pairs = fol.select(F.col("dst").alias("a"), F.col("src").alias("b"))
    friends = sg.common_neighbours(pairs, adj).select(
        F.col("b").alias("src"), F.col("a").alias("dst"), F.lit(True).alias("friend")
    )
    answer = F.coalesce(F.col("mutual") & (F.col("t_rev") < F.col("t")), F.lit(False))
    fol = fol.join(friends, ["src", "dst"], "left").select(
        "src", "dst", "t", "t_rev", "mutual", (F.col("friend").isNull() & ~answer).alias("stranger")
    )
    fol = sg.cut(fol)
    counts = (
        fol.where("stranger")
        .groupBy(F.col("dst").alias("id"))
        .agg(F.count("*").alias("total"), F.sum(F.col("mutual").cast("long")).alias("back"))
    )
    return fol, sg.cut(counts)  # stored: the baseline and the accounts' table both read it


def baseline(counts: DataFrame, p) -> float:
    """The graph's follow-back rate of strangers, from the histogram of (total, back) pairs."""
    rows = counts.groupBy("total", "back").count().orderBy("total", "back").collect()
    if not rows:
        return rs.graph_baseline(*(np.zeros(0, dtype=np.int64),) * 3, p)
    hist = np.array([(r["total"], r["back"], r["count"]) for r in rows], dtype=np.int64)
    return rs.graph_baseline(hist[:, 0], hist[:, 1], hist[:, 2], p)


def log_lr(back: Column, total: Column, base: float, rate: float) -> Column:
    """`rings_stats.log_lr` for one rate: the logs from numpy, the products in the JVM."""
    hit, miss = (float(x) for x in rs.lr_terms(base, rate))
    back = back.cast("double")
    return back * F.lit(hit) + (total.cast("double") - back) * F.lit(miss)


def log_lr_by(back: Column, total: Column, hit: Column, miss: Column) -> Column:
    """`rings_stats.log_lr` with per-row logs (joined from a per-group table of `lr_terms`)."""
    back = back.cast("double")
    return back * hit + (total.cast("double") - back) * miss


def group_terms(spark, groups: np.ndarray, base: float, rates: np.ndarray) -> DataFrame:
    """A small `(g, hit, miss)` table: `lr_terms` of each group's rate."""
    hit, miss = rs.lr_terms(base, rates)
    rows = [(int(g), float(h), float(m)) for g, h, m in zip(groups, hit, miss, strict=True)]
    return spark.createDataFrame(rows, "g long, hit double, miss double")
