"""The `genuine` command line: one click group, one module per command family.

Each module in `genuine.commands` exposes `commands`, a list of click commands
or groups; registering a new family is one line in `COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
import sys

import click
from flask.cli import FlaskGroup

COMMAND_MODULES = [
    "genuine.commands.db",
    "genuine.commands.data",
    "genuine.commands.keys",
    "genuine.commands.model",
    "genuine.commands.score",
    "genuine.commands.rings",
    "genuine.commands.export",
    "genuine.commands.audit",
    "genuine.commands.users",
    "genuine.commands.directory",
    "genuine.commands.serve",
    "genuine.commands.labeler",
    "genuine.commands.jetstream",
]


def _create_app():
    from genuine import create_app

    return create_app()


class GenuineGroup(FlaskGroup):
    """Every command: an unreachable database or Redis is one line and exit 1, no traceback."""

    def invoke(self, ctx: click.Context):
        from genuine.outages import for_cli

        try:
            return super().invoke(ctx)
        except Exception as exc:
            unavailable = for_cli(exc)
            if unavailable is None:
                raise
            raise unavailable from None


@click.group(cls=GenuineGroup, create_app=_create_app, add_default_commands=True)
def cli() -> None:
    """Genuine: authenticity badges for social-media accounts."""


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).commands:
        cli.add_command(_command)


def main() -> None:
    cli.main(prog_name="genuine", args=sys.argv[1:])
