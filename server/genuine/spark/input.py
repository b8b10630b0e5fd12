"""The Spark engine's input: follows (and accounts) as DataFrames, one entry per platform.

`load_input(spark, path, platform)` accepts

- a folder written by `genuine export follows`: DIR/follows/platform=P/*.parquet and
  DIR/accounts/platform=P/*.parquet (Hive partitioning; bench/rings_spark_data.py writes
  the same layout with integer ids);
- a Parquet file, or a folder of Parquet files, with follower, followee and optionally
  followed_at and platform columns (without platform, --platform names it);
- a dataset folder with follows.csv (and accounts.csv), read by the in-process reader
  (`genuine.cards.folder`) and turned into DataFrames: small data only.

Every entry is (platform, follows, accounts): follows has exactly `follower`, `followee`
(both strings, or both long integers: the type is kept) and `followed_at` (double seconds
since the epoch, null unknown); accounts has `handle` (the follower's type), `bio` and
`created_at` (double seconds), or is None without account data. Bad input is a UserError of
one line naming the file or folder: missing columns, wrong types, no follows, self-follows or
duplicate follows (counted in one aggregate pass, with an example), an unknown platform.
"""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from genuine.errors import UserError
from genuine.handles import PLATFORMS

Entry = tuple[str, DataFrame, DataFrame | None]
INTEGRAL = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
NUMERIC = (*INTEGRAL, T.FloatType, T.DoubleType, T.DecimalType)


def load_input(
    spark: SparkSession, path: Path, platform: str | None, check: bool = True
) -> list[Entry]:
    """Follows and accounts of each platform found at `path` (only `platform` if given).

    `check` runs the aggregate pass refusing empty graphs, self-follows, duplicates and
    null ids (one shuffle of the follows per platform); the column checks always run."""
    if platform is not None and platform not in PLATFORMS:
        raise UserError(f"unknown platform {platform!r} (one of: {', '.join(PLATFORMS)})")
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    if path.is_dir() and (path / "follows.csv").is_file():
        entries = _from_csv(spark, path, platform)
    elif path.is_dir() and (path / "follows").is_dir():
        entries = _from_export(spark, path, platform)
    elif (path.is_file() and path.suffix == ".parquet") or (path.is_dir() and _has_parquet(path)):
        entries = _from_parquet(spark, path, platform)
    else:
        raise UserError(
            f"{path}: not a `genuine export follows` folder, Parquet files, "
            "nor a dataset folder with follows.csv"
        )
    if not entries:
        only = f" for platform {platform}" if platform else ""
        raise UserError(f"{path}: no follows{only}")
    if check:
        for name, follows, _ in entries:
            _check_follows(follows, f"{path} (platform {name})")
    return entries


def _has_parquet(folder: Path) -> bool:
    return any(p.suffix == ".parquet" and p.stat().st_size for p in folder.rglob("*.parquet"))


def _read(spark: SparkSession, path: Path) -> DataFrame:
    try:
        return spark.read.parquet(str(path))
    except Exception as exc:  # pyspark's AnalysisException: unreadable or not Parquet
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: cannot read as Parquet: {first}") from None


def _partitions(folder: Path, platform: str | None) -> dict[str, Path]:
    found = {}
    for child in sorted(folder.glob("platform=*")):
        name = child.name.removeprefix("platform=")
        if child.is_dir() and _has_parquet(child) and platform in (None, name):
            found[name] = child
    return found


def _from_export(spark: SparkSession, path: Path, platform: str | None) -> list[Entry]:
    follows = _partitions(path / "follows", platform)
    accounts = _partitions(path / "accounts", platform) if (path / "accounts").is_dir() else {}
    entries = []
    for name, folder in follows.items():
        _known(name, folder)
        f = _follows(_read(spark, folder), folder)
        a = None
        if name in accounts:
            a = _accounts(_read(spark, accounts[name]), accounts[name], f)
        entries.append((name, f, a))
    return entries


def _known(name: str, where: Path) -> None:
    if name not in PLATFORMS:
        raise UserError(f"{where}: unknown platform {name!r} (one of: {', '.join(PLATFORMS)})")


def _from_parquet(spark: SparkSession, path: Path, platform: str | None) -> list[Entry]:
    df = _read(spark, path)
    if "platform" not in df.columns:
        if platform is None:
            raise UserError(f"{path}: no platform column; name the platform with --platform")
        return [(platform, _follows(df, path), None)]
    if not isinstance(df.schema["platform"].dataType, T.StringType):
        raise UserError(f"{path}: platform is {df.schema['platform'].dataType.simpleString()}")
    if platform is not None:
        return [(platform, _follows(df.where(F.col("platform") == platform), path), None)]
    names = sorted(r[0] for r in df.select("platform").distinct().collect())
    entries = []
    for name in names:
        if name is None:
            raise UserError(f"{path}: follows without a platform")
        _known(name, path)
        entries.append((name, _follows(df.where(F.col("platform") == name), path), None))
    return entries


def _type(df: DataFrame, name: str) -> T.DataType:
    return df.schema[name].dataType


def _ids(df: DataFrame, where: Path, names: tuple[str, ...]) -> list[Column]:
    """The id columns, as strings or as longs; mixed or other types are refused."""
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise UserError(f"{where}: no {' or '.join(missing)} column (columns: {df.columns})")
    kinds = {n: _type(df, n) for n in names}
    for n, kind in kinds.items():
        if not isinstance(kind, (T.StringType, *INTEGRAL)):
            raise UserError(f"{where}: {n} is {kind.simpleString()}; ids are strings or integers")
    strings = {n: isinstance(k, T.StringType) for n, k in kinds.items()}
    if len(set(strings.values())) > 1:
        text = ", ".join(f"{n} is {k.simpleString()}" for n, k in kinds.items())
        raise UserError(f"{where}: {text}; ids must all be strings or all integers")
    cast = "string" if all(strings.values()) else "long"
    return [F.col(n).cast(cast).alias(n) for n in names]


def epoch_seconds(df: DataFrame, name: str, where: Path) -> Column:
    """Column `name` as double seconds since the epoch (null when absent or unknown):
    timestamps (with or without a time zone; naive ones are UTC) or numbers of seconds."""
    if name not in df.columns:
        return F.lit(None).cast("double").alias(name)
    kind = _type(df, name)
    col = F.col(name)
    if isinstance(kind, T.TimestampNTZType):
        col = col.cast("timestamp")  # read as UTC: the session's time zone
        return (F.unix_micros(col) / F.lit(1_000_000.0)).alias(name)
    if isinstance(kind, T.TimestampType):
        return (F.unix_micros(col) / F.lit(1_000_000.0)).alias(name)
    if isinstance(kind, NUMERIC):
        return col.cast("double").alias(name)
    raise UserError(f"{where}: {name} is {kind.simpleString()}; want a timestamp or seconds")


def _follows(df: DataFrame, where: Path) -> DataFrame:
    return df.select(
        *_ids(df, where, ("follower", "followee")), epoch_seconds(df, "followed_at", where)
    )


def _accounts(df: DataFrame, where: Path, follows: DataFrame) -> DataFrame:
    [handle] = _ids(df, where, ("handle",))
    want = _type(follows, "follower")
    have = _type(df, "handle")
    if isinstance(want, T.StringType) != isinstance(have, T.StringType):
        raise UserError(
            f"{where}: handle is {have.simpleString()} but follower is {want.simpleString()}"
        )
    if "bio" in df.columns and not isinstance(_type(df, "bio"), T.StringType):
        raise UserError(f"{where}: bio is {_type(df, 'bio').simpleString()}; want a string")
    bio = F.col("bio") if "bio" in df.columns else F.lit(None).cast("string")
    return df.select(handle, bio.alias("bio"), epoch_seconds(df, "created_at", where))


def _check_follows(follows: DataFrame, where: str) -> None:
    """One aggregate pass: no follows, null ids, self-follows, duplicates -> UserError."""
    a, b, n = F.col("follower"), F.col("followee"), F.col("count")
    pair = F.concat_ws(" -> ", a.cast("string"), b.cast("string"))
    row = (
        follows.groupBy("follower", "followee")
        .count()
        .agg(
            F.sum(n).alias("rows"),
            F.sum(F.when(a.isNull() | b.isNull(), n).otherwise(0)).alias("nulls"),
            F.sum(F.when(a == b, n).otherwise(0)).alias("selfs"),
            F.min(F.when(a == b, pair)).alias("self_example"),
            F.sum(F.when(n > 1, n - 1).otherwise(0)).alias("dups"),
            F.min(F.when(n > 1, pair)).alias("dup_example"),
        )
        .first()
    )
    if not row["rows"]:
        raise UserError(f"{where}: no follows")
    if row["nulls"]:
        raise UserError(f"{where}: {row['nulls']:,} follows without a follower or followee")
    if row["selfs"]:
        raise UserError(
            f"{where}: {row['selfs']:,} self-follows (e.g. {row['self_example']}); "
            "the Spark engine refuses them"
        )
    if row["dups"]:
        raise UserError(
            f"{where}: {row['dups']:,} duplicate follows (e.g. {row['dup_example']}); "
            "the Spark engine refuses them"
        )


def _from_csv(spark: SparkSession, path: Path, platform: str | None) -> list[Entry]:
    """A dataset folder through the in-process reader, as DataFrames (small data)."""
    import numpy as np
    import pyarrow as pa

    from genuine.cards.folder import load_follows_from_folder

    entries = []
    for data in load_follows_from_folder(path, platform):
        names = data.handles.astype(str)
        times = (
            data.followed_at
            if data.followed_at is not None
            else np.full(data.follower.size, np.nan)
        )
        follows = pa.table(
            {
                "follower": pa.array(names[data.follower], pa.string()),
                "followee": pa.array(names[data.followee], pa.string()),
                "followed_at": pa.array(times, pa.float64(), from_pandas=True),
            }
        )
        accounts = None
        if data.bios is not None:
            accounts = spark.createDataFrame(
                pa.table(
                    {
                        "handle": pa.array(names, pa.string()),
                        "bio": pa.array(data.bios.tolist(), pa.string()),
                        "created_at": pa.array(data.created_at, pa.float64(), from_pandas=True),
                    }
                )
            )
        entries.append((data.platform, spark.createDataFrame(follows), accounts))
    return entries
