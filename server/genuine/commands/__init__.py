"""Command families of the `genuine` CLI; each module exposes `commands`."""

from __future__ import annotations

from genuine.errors import UserError

__all__ = ["UserError"]
