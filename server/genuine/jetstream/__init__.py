"""Bluesky's public Jetstream firehose, toward cards for every account it sees (issue 13).

- `events.parse`: one Jetstream frame → a follow, post, profile, handle change or account
  status, or a refusal with its reason. No I/O, never raises.
- `batch.apply`: one batch of events and its cursor → the store, in the caller's transaction.
- `client.Ingester`: the long-running loop behind `genuine jetstream` (reconnects, replay from
  the stored cursor, batches, bad frames counted); `stats`: its counters and `--status`.
"""
