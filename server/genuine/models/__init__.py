"""SQLModel tables, one module per domain. Import this package to register them all."""

from genuine.models.accounts import Account, Follow, Post, Snapshot, lookup_key
from genuine.models.audits import Audit
from genuine.models.badges import AccountReport, BadgeCard, Dispute
from genuine.models.directory import Conflict, DirectoryLog, Review, Submission
from genuine.models.ingest import BlueskyActor, FollowRkey, IngestCursor
from genuine.models.labels import Label  # noqa: F401  (the labeler, issue 14)
from genuine.models.users import ApiKey, OutboxMessage, User

__all__ = [
    "Account",
    "AccountReport",
    "ApiKey",
    "Audit",
    "BadgeCard",
    "BlueskyActor",
    "Conflict",
    "DirectoryLog",
    "Dispute",
    "Follow",
    "FollowRkey",
    "IngestCursor",
    "OutboxMessage",
    "Post",
    "Review",
    "Snapshot",
    "Submission",
    "User",
    "lookup_key",
]
