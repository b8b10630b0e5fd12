"""`genuine keys create|list|revoke` and `genuine disputes list|resolve`: admin chores."""

from __future__ import annotations

from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from genuine.commands import UserError
from genuine.commands.data import require_schema
from genuine.db import get_db
from genuine.models import ApiKey, Dispute
from genuine.models.users import hash_key, new_key


@click.group("keys")
def keys() -> None:
    """API keys for the write endpoints."""


@keys.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May also list disputes and other admin data.")
@with_appcontext
def create(name: str, admin: bool) -> None:
    """Create a key called NAME and print it (it is stored only as a hash)."""
    require_schema()
    key = new_key()
    with get_db().session() as session, session.begin():
        session.add(ApiKey(name=name[:100], key_hash=hash_key(key), admin=admin))
    click.echo(key)
    click.echo(f"created {'admin ' if admin else ''}key {name!r}; it is not shown again", err=True)


@keys.command("list")
@with_appcontext
def list_keys() -> None:
    """Keys by id, name and state (never the keys themselves)."""
    require_schema()
    with get_db().session() as session:
        for key in session.execute(sa.select(ApiKey).order_by(ApiKey.id)).scalars():
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            click.echo(f"{key.id:>4}  {key.name:<30} {'admin' if key.admin else '     '}  {state}")


@keys.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def revoke(key_id: int) -> None:
    """Revoke the key with id KEY_ID."""
    require_schema()
    with get_db().session() as session, session.begin():
        key = session.get(ApiKey, key_id)
        if key is None:
            raise UserError(f"no key with id {key_id}")
        key.revoked_at = datetime.now(UTC)
    click.echo(f"revoked key {key_id}")


@click.group("disputes")
def disputes() -> None:
    """Disputed badges."""


@disputes.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include resolved disputes.")
@with_appcontext
def list_disputes(show_all: bool) -> None:
    """Open disputes, oldest first."""
    require_schema()
    query = sa.select(Dispute).order_by(Dispute.id)
    if not show_all:
        query = query.where(Dispute.status == "open")
    with get_db().session() as session:
        for d in session.execute(query).scalars():
            click.echo(
                f"{d.id:>4}  {d.status:<8} {d.platform}:{d.handle}  {d.badge or 'all badges'}  "
                f"{d.created_at:%Y-%m-%d}  {d.contact}\n      {d.reason[:200]}"
            )


@disputes.command("resolve")
@click.argument("dispute_id", type=int)
@click.option("--note", required=True, help="What was decided, shown on the report.")
@with_appcontext
def resolve(dispute_id: int, note: str) -> None:
    """Resolve dispute DISPUTE_ID with a note."""
    require_schema()
    with get_db().session() as session, session.begin():
        dispute = session.get(Dispute, dispute_id)
        if dispute is None:
            raise UserError(f"no dispute with id {dispute_id}")
        dispute.status, dispute.resolution = "resolved", note[:4000]
        dispute.resolved_at = datetime.now(UTC)
    click.echo(f"resolved dispute {dispute_id}")


commands = [keys, disputes]
