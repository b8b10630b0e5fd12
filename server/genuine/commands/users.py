"""`genuine users create|grant|list`: people who sign in to submit and review profiles."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from genuine.commands import UserError
from genuine.commands.data import require_schema
from genuine.db import get_db
from genuine.directory import log, people
from genuine.directory.forms import EMAIL
from genuine.models import User
from genuine.models.users import ROLES


@click.group("users")
def users() -> None:
    """Consultants, reviewers and admins of the directory."""


@users.command("create")
@click.argument("email")
@click.option("--name", help="Shown to other people (default: the part before the @).")
@click.option("--role", type=click.Choice(ROLES), default="consultant", show_default=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="GENUINE_NEW_PASSWORD",
    help="Prompted for when not given (or set GENUINE_NEW_PASSWORD).",
)
@with_appcontext
def create(email: str, name: str | None, role: str, password: str) -> None:
    """Create a person who signs in with EMAIL."""
    require_schema()
    if not EMAIL.regex.match(email) or len(email) > 254:
        raise UserError(f"{email!r} is not an email address")
    if not people.PASSWORD_MIN <= len(password) <= people.PASSWORD_MAX:
        raise UserError(f"the password needs {people.PASSWORD_MIN} to 200 characters")
    with get_db().session() as session, session.begin():
        if people.by_email(session, email):
            raise UserError(f"{email} already has an account")
        user = people.create_user(session, email, name or email.split("@")[0], password, role)
        log.record(session, "user_created", role=role, user_id=user.id)
    click.echo(f"created {role} {user.email} (id {user.id})")


@users.command("grant")
@click.argument("role", type=click.Choice(ROLES))
@click.argument("email")
@with_appcontext
def grant(role: str, email: str) -> None:
    """Give the person with EMAIL the ROLE (reviewer, admin, or consultant to take it back)."""
    require_schema()
    with get_db().session() as session, session.begin():
        user = people.by_email(session, email)
        if user is None:
            raise UserError(f"no account uses {email}")
        before, user.role = user.role, role
        log.record(session, "role_granted", user_id=user.id, role=role, before=before)
    click.echo(f"{user.email} is now {role} (was {before})")


@users.command("list")
@with_appcontext
def list_users() -> None:
    """Everyone, by id, with their role."""
    require_schema()
    with get_db().session() as session:
        for user in session.execute(sa.select(User).order_by(User.id)).scalars():
            click.echo(f"{user.id:>4}  {user.role:<10}  {user.email}  {user.name}")


commands = [users]
