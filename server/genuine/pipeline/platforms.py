"""Whether this server can audit a platform live, and why not: the one answer api, web,
directory, the CLI and the scheduler share (the rule itself is genuine.sources.unsupported)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genuine.sources import available, unsupported


@dataclass(frozen=True)
class Verdict:
    """`ok`, or `why` not in words for anyone using the server, and `fix` in words for its
    operator (the configuration that would make it auditable; None when nothing can)."""

    platform: str
    ok: bool
    why: str | None = None
    fix: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def can_audit(config: Mapping[str, Any], platform: str) -> Verdict:
    """Can this server, with `config`, fetch `platform` accounts live (audits, bio checks)?"""
    problem = unsupported(platform, config)
    if problem is None:
        return Verdict(platform, True)
    if problem.setting is None:  # nothing the operator can do: say exactly why
        return Verdict(platform, False, str(problem))
    return Verdict(platform, False, f"this server has no live source for {platform}", str(problem))


def auditable(config: Mapping[str, Any]) -> list[str]:
    """The platforms `can_audit` says yes to, in the order of genuine.sources.SOURCES."""
    return available(config)
