"""SQLModel tables, one module per domain. Import this package to register them all."""

from genuine.models.accounts import Account, Follow, Post, Snapshot, lookup_key
from genuine.models.audits import Audit
from genuine.models.badges import AccountReport, BadgeCard, Dispute
from genuine.models.directory import Conflict, DirectoryLog, Review, Submission
from genuine.models.users import ApiKey, OutboxMessage, User

__all__ = [
    "Account",
    "AccountReport",
    "ApiKey",
    "Audit",
    "BadgeCard",
    "Conflict",
    "DirectoryLog",
    "Dispute",
    "Follow",
    "OutboxMessage",
    "Post",
    "Review",
    "Snapshot",
    "Submission",
    "User",
    "lookup_key",
]
