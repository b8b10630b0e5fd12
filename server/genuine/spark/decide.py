"""The ring decision in Spark: twin of `genuine.signals.rings_decide.decide` (read its steps).

Per-account work runs as DataFrame joins and aggregates; the per-group numbers (pooled
rates, the tie model's means, the final test per group) are a row per group, collected and
computed with the in-process engine's numpy code, then joined back. Groups are few (one
per core or ring), accounts and follows are not.
"""

from __future__ import annotations

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from genuine.signals import rings_decide as rd
from genuine.signals import rings_stats as rs
from genuine.spark import graph as sg
from genuine.spark import strangers as st


def per_group(df: DataFrame, *cols: str) -> dict[str, np.ndarray]:
    """Collect a small per-group table as numpy columns, ordered by `g`."""
    rows = df.select("g", *cols).orderBy("g").collect()
    return {c: np.array([r[c] for r in rows]) for c in ("g", *cols)}


def ordinary_circle(adj, rows: DataFrame, counts: DataFrame, base, alt, p) -> DataFrame:
    """`(id)` of the accounts in `rows` whose triangle-embedded ties, pooled, follow back
    strangers like everybody (`rings_decide.ordinary_circle`); `counts` is (id, total, back)."""
    pairs = adj.join(rows.select(F.col("id").alias("a")), "a", "left_semi")
    embedded = sg.common_neighbours(pairs, adj)
    nb = (
        embedded.join(counts.select(F.col("id").alias("b"), "total", "back"), "b")
        .groupBy(F.col("a").alias("id"))
        .agg(F.sum("total").alias("nt"), F.sum("back").alias("nb"))
    )
    llr = st.log_lr(F.col("nb"), F.col("nt"), base, alt)
    return nb.where((F.col("nt") >= p.min_outside_followers) & (llr < 0)).select("id")


def cores(adj: DataFrame, keep: DataFrame, p) -> DataFrame:
    """`(id, g)`: k-core, peeling of the loosely tied, components (`rings_decide._cores`)."""
    cadj = sg.restrict(adj, keep)
    for _ in range(6):
        cadj = sg.k_core(cadj, p.min_ring_ties)
        deg = sg.degrees(cadj)
        around = (
            cadj.join(deg.select(F.col("id").alias("b"), F.col("deg").alias("db")), "b")
            .groupBy(F.col("a").alias("id"))
            .agg(F.sum("db").alias("around"))
        )
        deg = deg.join(around, "id").select(
            "id", (F.col("deg") < p.peel_share * (F.col("around") / F.col("deg"))).alias("loose")
        )
        deg = sg.cut(deg)
        if not deg.where("loose").limit(1).count():
            break
        cadj = sg.restrict(cadj, deg.where(~F.col("loose")))
    return sg.components(cadj, p.min_size)


def tie_evidence(spark, adj, group: DataFrame, outsiders: DataFrame):
    """`rings_decide._tie_evidence`: the members' tie llr `(id, llr)` and, for `outsiders`,
    their most-tied group with the ties and their llr `(id, near, ties, llr)`."""
    ga = group.select(F.col("id").alias("a"), "g")
    gb = group.select(F.col("id").alias("b"), F.col("g").alias("gb"))
    tied = adj.join(ga, "a", "left").join(gb, "b", "left")
    inside = (
        tied.where(F.col("g") == F.col("gb"))
        .groupBy(F.col("a").alias("id"))
        .agg(F.count("*").alias("t"))
    )
    members = group.join(inside, "id", "left").na.fill(0, ["t"])
    # Outsiders: the group they share most ties with (the smallest label among equals).
    into = tied.where(F.col("g").isNull() & F.col("gb").isNotNull()).join(
        outsiders.select(F.col("id").alias("a")), "a", "left_semi"
    )
    per = into.groupBy("a", "gb").agg(F.count("*").alias("ties"))
    best = per.groupBy(F.col("a").alias("id")).agg(
        F.min(F.struct((-F.col("ties")).alias("neg"), F.col("gb").alias("near"))).alias("m")
    )
    near = sg.cut(best.select("id", F.col("m.near").alias("near"), (-F.col("m.neg")).alias("ties")))

    sizes = members.groupBy("g").agg(F.count("*").alias("size"), F.sum("t").alias("t_sum"))
    seen = near.groupBy(F.col("near").alias("g")).agg(
        F.count("*").alias("count"), F.sum("ties").alias("tie_sum")
    )
    tab = per_group(sizes.join(seen, "g", "left").na.fill(0), "size", "t_sum", "count", "tie_sum")
    mu = tab["t_sum"] / np.maximum(tab["size"], 1)
    nu = np.maximum(tab["tie_sum"] / np.maximum(tab["count"], 1), 1.0)
    mu = np.maximum(mu, nu)
    rows = [
        (int(g), float(x), float(y))
        for g, x, y in zip(tab["g"], np.log(mu / nu), mu - nu, strict=True)
    ]
    model = spark.createDataFrame(rows, "g long, L double, D double")
    member_llr = members.join(model, "g").select(
        "id", (F.col("t") * F.col("L") - F.col("D")).alias("llr")
    )
    outsider = near.join(model.withColumnRenamed("g", "near"), "near").select(
        "id", "near", "ties", (F.col("ties") * F.col("L") - F.col("D")).alias("llr")
    )
    return sg.cut(member_llr), sg.cut(outsider)


def rate_terms(spark, group: DataFrame, counts: DataFrame, base: float, floor: float):
    """`(g, hit, miss)`: the logs of each group's pooled stranger rate (`pooled_rate`)."""
    sums = (
        group.join(counts, "id")
        .groupBy("g")
        .agg(F.sum("back").alias("k"), F.sum("total").alias("s"))
    )
    tab = per_group(sums, "k", "s")
    n = tab["g"].size
    rate = rd.pooled_rate(np.arange(n), tab["k"].astype(float), tab["s"].astype(float), floor)
    return st.group_terms(spark, tab["g"], base, rate)


def says_member():
    """Ties (llr) and counts (the group's pooled rate against the baseline) say member."""
    return (
        F.col("llr") + st.log_lr_by(F.col("back"), F.col("total"), F.col("hit"), F.col("miss")) > 0
    )


def decide(spark, fol: DataFrame, nodes: DataFrame, adj: DataFrame, p):
    """Steps 1-6 of `rings_decide.decide` on follows `fol` and accounts `nodes` (with `hub`).

    Returns (follows with `stranger`, accounts with total, back (without strangers from a
    decided group's own members), measured, candidate, in_circle and ring_group (null
    outside rings), baseline, elevated rate).
    """
    fol, counts = st.stranger_counts(fol, adj)
    base = st.baseline(counts, p)
    alt = rs.elevated_rate(base, p.lift)
    llr = st.log_lr(F.col("back"), F.col("total"), base, alt)
    acc = nodes.join(counts, "id", "left").na.fill(0, ["total", "back"])
    acc = acc.withColumn("measured", F.col("total") >= p.min_outside_followers)
    acc = acc.withColumn("candidate", F.col("measured") & (llr > 0) & ~F.col("hub"))
    acc = sg.cut(acc.withColumn("strong", llr > p.candidate_llr))
    circle = ordinary_circle(adj, acc.where("candidate"), acc, base, alt, p)
    acc = sg.cut(
        acc.join(circle.withColumn("in_circle", F.lit(True)), "id", "left").na.fill(
            False, ["in_circle"]
        )
    )
    core = sg.cut(cores(adj, acc.where("candidate AND strong AND NOT in_circle"), p))

    # Growth: accounts tied into a core join it when ties and counts together say member.
    eligible = acc.where("measured AND NOT hub AND NOT in_circle").join(core, "id", "left_anti")
    _, near = tie_evidence(spark, adj, core, eligible)
    terms = rate_terms(spark, core, acc, base, alt).withColumnRenamed("g", "near")
    fits = (
        near.where(F.col("ties") >= p.min_ring_ties)
        .join(terms, "near")
        .join(acc.select("id", "total", "back"), "id")
        .where(says_member())
        .select("id", F.col("near").alias("g"))
    )
    group = sg.cut(core.unionByName(fits))

    # Count again without strangers from inside the group; keep who still says member.
    gs = group.select(F.col("id").alias("src"), F.col("g").alias("gs"))
    gd = group.select(F.col("id").alias("dst"), F.col("g").alias("gd"))
    inner = (
        fol.where("stranger")
        .join(gs, "src")
        .join(gd, "dst")
        .where(F.col("gs") == F.col("gd"))
        .groupBy(F.col("dst").alias("id"))
        .agg(F.count("*").alias("it"), F.sum(F.col("mutual").cast("long")).alias("ib"))
    )
    out = (
        acc.join(inner, "id", "left")
        .na.fill(0, ["it", "ib"])
        .select(
            "id",
            (F.col("total") - F.col("it")).alias("total"),
            (F.col("back") - F.col("ib")).alias("back"),
        )
    )
    out = sg.cut(out)
    terms = rate_terms(spark, group, out, base, alt)
    outsiders = acc.where("measured AND NOT hub").join(group, "id", "left_anti")
    member_llr, _ = tie_evidence(spark, adj, group, outsiders)
    keep = (
        group.join(terms, "g")
        .join(out, "id")
        .join(member_llr, "id")
        .where(F.col("total") >= p.min_outside_followers)
        .where(says_member())
        .select("id")
    )
    group = sg.cut(sg.components(sg.restrict(adj, keep), p.min_size))
    final = out.join(group, "id").select("id", "g", "total", "back")

    # Decide per group on the pooled strangers of all its members.
    tab = per_group(
        final.groupBy("g").agg(
            F.sum("back").alias("k"), F.sum("total").alias("s"), F.count("*").alias("size")
        ),
        "k",
        "s",
        "size",
    )
    k, s = tab["k"].astype(float), tab["s"].astype(float)
    q = np.divide(k, s, out=np.zeros(k.size), where=s > 0)
    strong = rs.log_lr(k, s, base, np.clip(q, alt, 0.999)) >= p.min_group_llr
    ring = (tab["size"] >= p.min_size) & (q >= alt) & strong
    rings = spark.createDataFrame([(int(g),) for g in tab["g"][ring]], "ring_group long")
    decided = final.join(rings, final.g == rings.ring_group, "left").select(
        "id", F.col("total").alias("t2"), F.col("back").alias("b2"), "ring_group"
    )
    acc = acc.join(decided, "id", "left").select(
        "id", "in_degree", "mutual_degree", "hub", "measured", "candidate", "in_circle",
        F.coalesce("t2", "total").alias("total"), F.coalesce("b2", "back").alias("back"),
        "ring_group",
    )  # fmt: skip
    return fol, sg.cut(acc), base, alt
