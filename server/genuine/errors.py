"""`UserError`, the one-line CLI error, in a module of its own so that packages the commands
use (genuine.spark, genuine.cards) can raise it without importing `genuine.commands`, which
would make an import cycle; `genuine.commands` re-exports it."""

from __future__ import annotations

import click


class UserError(click.ClickException):
    """A mistake in what the user asked for: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)
