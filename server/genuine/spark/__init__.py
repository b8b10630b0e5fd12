"""Follow-back ring detection as a PySpark job (`genuine rings --engine spark`, issue 17).

The same method as `genuine.signals.rings` (read that first), written with DataFrame
operations so that it runs in local mode on a laptop and unchanged on a Spark cluster:

- `session`: the SparkSession (local[N] by default), with clear errors when pyspark or
  Java is missing;
- `input`: follows (and accounts) from Parquet written by `genuine export follows`, or from
  a dataset folder; bad input is one clear line;
- the engine modules (graph, strangers, decide, context, engine): the detection itself.

pyspark is an optional extra: `pip install -e '.[spark]'`; Java 17 from Debian's
openjdk-17-jre-headless.
"""
