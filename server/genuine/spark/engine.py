"""`detect`: follow-back rings of one platform's follows on Spark, as a `RingResult`.

The graph work (mutual edges, strangers, cores, triangle support, truss peeling,
components) runs as DataFrame operations (`strangers`, `decide`, `context`). What the
driver receives is a row per account (the arrays a `RingResult` holds, as the in-process
engine keeps them) and the follows among ring members, so the verdicts, the final groups and
each member's evidence come from the in-process engine's own code (`rings.verdicts`,
`rings.build_rings`): the two engines cannot drift apart in wording or rules.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from genuine.signals import rings as sr
from genuine.signals import rings_decide as rd
from genuine.signals import rings_graph as rg
from genuine.spark import context as sc
from genuine.spark import decide as sd
from genuine.spark import graph as sg
from genuine.spark import strangers as st

# A bio can carry a follow-back tag only if it holds one of these (case-insensitive): the
# cheap filter that picks which bios go to the driver for the exact (Python) pattern.
TAG_HINT = "(?i)(follow|f4f|fb)"


def number_accounts(follows: DataFrame) -> DataFrame:
    """`(name, id)`: string account names numbered 0..n-1 in sorted (code point) order.

    Range partitions sorted within themselves, then each partition's offset (a row per
    partition to the driver): the whole numbering stays distributed.
    """
    names = follows.select(F.col("follower").alias("name")).union(
        follows.select(F.col("followee").alias("name"))
    )
    names = names.distinct().repartitionByRange("name").sortWithinPartitions("name")
    names = sg.cut(
        names.select(
            "name",
            F.spark_partition_id().alias("pid"),
            F.monotonically_increasing_id().alias("mid"),
        )
    )
    counts = dict(names.groupBy("pid").count().collect())
    offsets, start = [], 0
    for pid in range(max(counts, default=-1) + 1):
        offsets.append((pid, start))
        start += counts.get(pid, 0)
    base = follows.sparkSession.createDataFrame(offsets, "pid int, offset long")
    low = F.col("mid") - F.shiftleft(F.col("pid").cast("long"), 33)
    return sg.cut(
        names.join(F.broadcast(base), "pid").select("name", (F.col("offset") + low).alias("id"))
    )


def _numbered(follows: DataFrame, accounts: DataFrame | None):
    """Follows as `(src, dst, t)` longs, accounts as `(id, bio, created_at)`, and names."""
    if dict(follows.dtypes)["follower"] != "string":
        fol = follows.select(
            F.col("follower").cast("long").alias("src"),
            F.col("followee").cast("long").alias("dst"),
            F.col("followed_at").alias("t"),
        )
        acc = None
        if accounts is not None:
            acc = accounts.select(F.col("handle").cast("long").alias("id"), "bio", "created_at")
        return fol, acc, None
    names = number_accounts(follows)
    src = names.select(F.col("name").alias("follower"), F.col("id").alias("src"))
    dst = names.select(F.col("name").alias("followee"), F.col("id").alias("dst"))
    fol = follows.join(src, "follower").join(dst, "followee")
    fol = fol.select("src", "dst", F.col("followed_at").alias("t"))
    acc = None
    if accounts is not None:
        acc = accounts.join(names.withColumnRenamed("name", "handle"), "handle")
        acc = acc.select("id", "bio", "created_at")
    return fol, acc, names


def _arrays(df: DataFrame, n: int, defaults: dict[str, object]) -> dict[str, np.ndarray]:
    """Collect `df` (an `id` column and the `defaults`' columns) into arrays of length n;
    accounts absent from `df` (and nulls) take the default."""
    table = df.na.fill(defaults).select("id", *defaults).toArrow()
    ids = table.column("id").to_numpy()
    out = {}
    for col, default in defaults.items():
        arr = np.full(n, default, dtype=np.asarray(default).dtype)
        arr[ids] = table.column(col).to_numpy(zero_copy_only=False)
        out[col] = arr
    return out


def detect(
    follows: DataFrame,
    accounts: DataFrame | None = None,
    *,
    params: sr.RingParams | None = None,
    prefix: str | None = None,
    n_nodes: int | None = None,
) -> tuple[sr.RingResult, np.ndarray | None]:
    """Rings among `follows` (follower, followee, followed_at) as `detect_rings` finds them.

    Returns the result (account ids as the in-process engine numbers them: sorted names, or
    the integer ids themselves) and the names (None for integer ids). Ring ids hash
    "prefix:name" (or the name) of the members, as `FollowData.detect` does.
    """
    p = params or sr.RingParams()
    spark = follows.sparkSession
    fol, acc_in, names = _numbered(follows, accounts)
    fol, nodes = st.follow_index(fol)
    nodes = sg.cut(nodes.withColumn("hub", F.col("mutual_degree") > p.max_mutual_degree))
    adj = st.mutual_edges(fol, nodes)
    fol, acc, base, alt = sd.decide(spark, fol, nodes, adj, p)
    usable = acc.where("NOT hub AND ring_group IS NULL")
    group = sc.context_groups(adj, usable, p)
    unmeasured = group.join(acc.where("NOT measured"), "id", "left_semi")
    circle = sd.ordinary_circle(adj, unmeasured, acc, base, alt, p)

    table = sg.cut(  # stored: the id count and the collect below read it once
        acc.join(group.withColumnRenamed("g", "group"), "id", "left")
        .join(circle.withColumn("circle", F.lit(True)), "id", "left")
        .na.fill(False, ["circle"])
    )
    if n_nodes is None:
        n_nodes = int(table.agg(F.max("id")).first()[0] or -1) + 1
    cols = _arrays(
        table,
        n_nodes,
        {
            "in_degree": 0, "mutual_degree": 0, "hub": False, "measured": False,
            "candidate": False, "in_circle": False, "circle": False, "total": 0, "back": 0,
            "ring_group": -1, "group": -1,
        },
    )  # fmt: skip
    ring_group, group_arr = cols["ring_group"], cols["group"]
    _, ring_group[ring_group >= 0] = np.unique(ring_group[ring_group >= 0], return_inverse=True)
    _, group_arr[group_arr >= 0] = np.unique(group_arr[group_arr >= 0], return_inverse=True)
    d = rd.Decision(
        base, alt, cols["total"], cols["back"], cols["measured"], cols["candidate"],
        cols["in_circle"], ring_group, int(ring_group.max(initial=-1)) + 1,
    )  # fmt: skip
    bios = np.full(n_nodes, None, dtype=object)
    if acc_in is not None:
        for row in acc_in.where(F.col("bio").rlike(TAG_HINT)).select("id", "bio").collect():
            if 0 <= row["id"] < n_nodes:
                bios[row["id"]] = row["bio"]
    tags, tagged = sr.follow_back_tags(bios, (group_arr >= 0) | (ring_group >= 0), n_nodes)
    final, status, group_size = sr.verdicts(
        d, group_arr, cols["circle"], tagged, cols["in_degree"], cols["hub"], p
    )
    name_arr = None if names is None else _names(names, n_nodes)
    labels = None
    if name_arr is not None:
        labels = np.char.add(f"{prefix}:", name_arr) if prefix else name_arr
    rings = _rings(spark, fol, acc_in, labels, final, tags, prefix, p, d)
    ring_index = np.full(n_nodes, -1, dtype=np.int64)
    for i, ring in enumerate(rings):
        ring_index[ring.members] = i
    result = sr.RingResult(
        rings=rings, params=p, ring_index=ring_index, status=status,
        in_degree=cols["in_degree"], mutual_degree=cols["mutual_degree"],
        group_size=group_size, outside_followers=d.strangers, outside_back=d.strangers_back,
        labels=labels, baseline=base,
    )  # fmt: skip
    return result, name_arr


def _names(names: DataFrame, n: int) -> np.ndarray:
    table = names.select("id", "name").toArrow()
    out = np.empty(n, dtype=object)
    out[table.column("id").to_numpy()] = table.column("name").to_numpy(zero_copy_only=False)
    return out.astype(str)


def _rings(spark, fol, acc_in, all_labels, final, tags, prefix, p, d) -> list[sr.Ring]:
    """The rings with their evidence: the follows among members go to the driver.
    `all_labels` are the accounts' labels (None for integer ids: "prefix:id")."""
    members = np.flatnonzero(final >= 0)
    if members.size == 0:
        return []
    ids = spark.createDataFrame([(int(i),) for i in members], "id long")
    inside = fol.join(ids.withColumnRenamed("id", "src"), "src", "left_semi").join(
        ids.withColumnRenamed("id", "dst"), "dst", "left_semi"
    )
    t = inside.select("src", "dst", "t", "mutual").toArrow()
    local = {int(g): i for i, g in enumerate(members)}  # ascending: sorted stays sorted
    src = np.searchsorted(members, t.column("src").to_numpy())
    dst = np.searchsorted(members, t.column("dst").to_numpy())
    times = t.column("t").to_numpy(zero_copy_only=False).astype(np.float64)
    m = members.size
    sub = rg.FollowIndex(
        n_nodes=m, follower=src, followee=dst, followed_at=times,
        mutual=t.column("mutual").to_numpy(zero_copy_only=False).astype(bool),
        in_degree=np.bincount(dst, minlength=m), out_degree=np.bincount(src, minlength=m),
        mutual_degree=np.zeros(m, dtype=np.int64),
    )  # fmt: skip
    created = None
    if acc_in is not None:
        created = np.full(m, np.nan)
        rows = acc_in.join(ids, "id", "left_semi").select("id", "created_at").collect()
        for row in rows:
            if row["created_at"] is not None:
                created[local[int(row["id"])]] = row["created_at"]
    if all_labels is not None:
        labels = all_labels[members]
    else:
        labels = np.char.add(f"{prefix}:", members.astype(str)) if prefix else members.astype(str)
    final_c = final[members]
    density = rg.group_density(sub, final_c, int(final_c.max()) + 1)
    d_c = replace(
        d,
        strangers=d.strangers[members],
        strangers_back=d.strangers_back[members],
    )
    local_rings = sr.build_rings(sub, final_c, density, tags[members], created, labels, p, d_c)
    return [
        sr.Ring(
            ring.id,
            members[ring.members],
            ring.density,
            {int(members[k]): reasons for k, reasons in ring.evidence.items()},
        )
        for ring in local_rings
    ]
