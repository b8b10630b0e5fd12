"""SQLModel tables, one module per domain. Import this package to register them all."""

from genuine.models.accounts import Account, Follow, Post, Snapshot, lookup_key, normalise_handle
from genuine.models.badges import BadgeCard

__all__ = [
    "Account",
    "BadgeCard",
    "Follow",
    "Post",
    "Snapshot",
    "lookup_key",
    "normalise_handle",
]
