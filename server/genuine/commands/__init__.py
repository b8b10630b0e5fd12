"""Command families of the `genuine` CLI; each module exposes `commands`."""

from __future__ import annotations

import click


class UserError(click.ClickException):
    """A mistake in what the user asked for: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)
