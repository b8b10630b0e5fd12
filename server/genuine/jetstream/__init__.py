"""Bluesky's public Jetstream firehose, toward cards for every account it sees (issue 13).

So far only `events.parse`: one Jetstream frame → a follow, post, profile, handle change or
account status, or a refusal with its reason. No I/O, never raises. The ingester (batches,
durable cursor, `genuine jetstream`) is not built yet.
"""
