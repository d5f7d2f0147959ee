"""`flask users ...`: create, list, disable accounts and manage API tokens."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..audit.services import record, said
from ..cli import run_service
from ..extensions import db
from ..uow import unit
from . import services
from .models import ApiToken, User
from .permissions import ROLES

users_cli = AppGroup("users", help="Accounts and API tokens.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--agency", "agency_code", required=True, help="Agency code, e.g. labour.")
@click.option("--area", "area_code", default=None, help="GSO code of the home area.")
@click.option("--full-name", default=None)
@click.option("--phone", default=None)
def create(username, role, agency_code, area_code, full_name, phone):
    """Create an account; the password comes from INSPECTIONS_NEW_PASSWORD or a prompt."""
    password = os.environ.get("INSPECTIONS_NEW_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    user = run_service(
        services.create_user,
        username=username,
        password=password,
        role=role,
        agency_code=agency_code,
        area_code=area_code,
        full_name=full_name or username,
        phone=phone,
    )
    click.echo(
        f"created {user.username} ({user.role}, {user.agency.code}"
        f"{', ' + user.home_area.code if user.home_area else ''})"
    )


@users_cli.command("list")
def list_users():
    """List accounts."""
    for u in db.session.scalars(select(User).order_by(User.username)):
        area = u.home_area.code if u.home_area else "-"
        state = "active" if u.active else "disabled"
        click.echo(
            f"{u.username:20} {u.role:12} {u.agency.code:18} {area:6} {state:9} {u.full_name}"
        )


@users_cli.command("disable")
@click.argument("username")
def disable(username):
    """Disable an account (ends its sessions and revokes its tokens)."""
    user = run_service(services.get_user, username)
    run_service(services.set_active, user, False)
    click.echo(f"disabled {user.username}")


@users_cli.command("enable")
@click.argument("username")
def enable(username):
    """Enable a disabled account."""
    user = run_service(services.get_user, username)
    run_service(services.set_active, user, True)
    click.echo(f"enabled {user.username}")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="A label to recognise the token by.")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Expire after N days.")
def token(username, name, days):
    """Create an API token and print it once (only its hash is stored)."""
    user = run_service(services.get_user, username)
    if not user.active:
        raise click.ClickException(f"{username} is disabled")
    with unit():
        clear = services.create_token(user, name=name, days=days)
        record(
            "token_created",
            user,
            summary=said("Token %(prefix)s… (%(name)s)", prefix=clear[:12], name=name),
        )
    click.echo(clear)


@users_cli.command("tokens")
@click.argument("username")
def tokens(username):
    """List a user's tokens (prefix, name, state)."""
    user = run_service(services.get_user, username)
    for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        state = "revoked" if t.revoked_at else "active"
        click.echo(f"{t.prefix}…  {t.name:20} {state:8} created {t.created_at:%Y-%m-%d}")


@users_cli.command("revoke")
@click.argument("username")
@click.option("--prefix", default=None, help="Only the token starting with this prefix.")
def revoke(username, prefix):
    """Revoke a user's API tokens."""
    user = run_service(services.get_user, username)
    with unit():
        n = services.revoke_tokens(user, prefix)
        record("token_revoked", user, summary=said("%(n)s token(s) revoked.", n=n))
    click.echo(f"revoked {n} token(s)")
