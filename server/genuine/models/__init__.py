"""SQLModel tables, one module per domain. Import this package to register them all."""

from genuine.models.accounts import Account, Follow, Post, Snapshot, lookup_key, normalise_handle
from genuine.models.badges import AccountReport, BadgeCard, Dispute
from genuine.models.users import ApiKey

__all__ = [
    "Account",
    "AccountReport",
    "ApiKey",
    "BadgeCard",
    "Dispute",
    "Follow",
    "Post",
    "Snapshot",
    "lookup_key",
    "normalise_handle",
]
