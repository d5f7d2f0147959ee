"""Command-line interface: `flask --app inspections <command>`.

Every command validates its input like the pages and the API do, prints what it did, and
exits non-zero with a clear message on bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from marshmallow import Schema, ValidationError, fields, validate

from .dbtypes import utcnow
from .errors import InspectionsError
from .extensions import db
from .uow import unit


def fail(message: str) -> None:
    """Stop the command with exit code 1 and the message."""
    raise click.ClickException(message)


def run_service(fn, *args, **kwargs):
    """Call a service as one unit of work; fail with its message on a domain error."""
    try:
        with unit():
            return fn(*args, **kwargs)
    except InspectionsError as exc:
        fail(exc.message)
    except ValidationError as exc:
        fail(json.dumps(exc.messages, ensure_ascii=False))


# ---------------------------------------------------------------- seed


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also load the demo venues, teams and inspections.")
@click.option(
    "--admin-password",
    envvar="INSPECTIONS_ADMIN_PASSWORD",
    default=None,
    help="With --demo: password of the demo administrator 'admin' "
    "(env INSPECTIONS_ADMIN_PASSWORD).",
)
def seed_command(demo: bool, admin_password: str | None) -> None:
    """Load sectors, agencies, areas, boundaries, catalogue (idempotent)."""
    from . import seeding

    total = run_service(
        seeding.run, demo=demo, echo=click.echo, password=admin_password if demo else None
    )
    if demo and admin_password:
        from .accounts.demo import ensure_demo_accounts

        created = run_service(ensure_demo_accounts, admin_password)
        total += created
        click.echo(f"demo accounts: {created} created")
    _analyze()
    click.echo(f"seed done: {total} changes")


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (dbadmin.analyze)."""
    from .dbadmin import analyze

    run_service(lambda: analyze(db.session.connection()))


@click.command("demo")
@click.option("--url", default="http://127.0.0.1:5000/", help="Where the app will listen.")
def demo_command(url: str) -> None:
    """Prepare the demo: migrate, seed with demo data, create demo accounts, print the login."""
    import os

    from flask import current_app
    from flask_migrate import upgrade

    from . import seeding
    from .accounts.demo import DEMO_USERS, ensure_demo_accounts, new_demo_password

    upgrade()
    pw_file = os.path.join(current_app.instance_path, "demo-password")
    if not os.path.exists(pw_file):
        with open(os.open(pw_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as fh:
            fh.write(new_demo_password())
    with open(pw_file) as fh:
        password = fh.read().strip()
    run_service(seeding.run, demo=True, echo=click.echo, password=password)
    run_service(ensure_demo_accounts, password)
    _analyze()
    click.echo("")
    click.echo("=" * 64)
    click.echo(f"  Open {url}")
    click.echo(f"  Sign in as: admin / {password}")
    others = ", ".join(u for u, *_ in DEMO_USERS if u != "admin")
    click.echo(f"  Other demo accounts (same password): {others}")
    click.echo(
        "  District team inspectors (same password): kt593ld, kt593ca, kt593vh, kt593ub … kt602ub"
    )
    click.echo(f"  (password kept in {pw_file})")
    click.echo("=" * 64)


# ---------------------------------------------------------------- areas

areas_cli = AppGroup("areas", help="Administrative units and their boundaries.")


@areas_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--level", type=click.Choice(["district", "commune", "province"]), required=True)
@click.option(
    "--valid-from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The map the features are for: the units in force on this day (2025-07-01: today's "
    "communes; default: today's map, the former one for districts). Codes were reused on "
    "1 July 2025, so features match within this map only.",
)
@click.option("--dry-run", is_flag=True, help="Validate and report; change nothing.")
def areas_import(path: str, level: str, valid_from, dry_run: bool) -> None:
    """Load official boundaries from a GeoJSON file, matching features by GSO code."""
    from .areas.services import load_boundary_file

    report = run_service(
        load_boundary_file,
        path,
        level,
        valid_from=valid_from.date() if valid_from else None,
        dry_run=dry_run,
    )
    click.echo(
        f"{'dry run: ' if dry_run else ''}{len(report.updated)} {level} boundaries "
        f"{'would be ' if dry_run else ''}replaced, {len(report.unchanged)} unchanged "
        f"(map of {report.as_of:%d/%m/%Y})"
    )
    if report.unmatched_features:
        click.echo(
            "features with no matching area (skipped): " + ", ".join(report.unmatched_features)
        )
    if report.areas_without_feature:
        click.echo(
            "areas not in the file (kept as they were): " + ", ".join(report.areas_without_feature)
        )
    if report.successors_rebuilt:
        click.echo(f"today's units rebuilt from these boundaries: {report.successors_rebuilt}")
    if not dry_run:
        click.echo(f"venues whose units changed: {report.venues_moved}")


@areas_cli.command("build-demo")
@click.option(
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the two GeoJSON files (default: seed_data/areas/).",
)
def areas_build_demo(output: str | None) -> None:
    """Rebuild the approximate demo boundaries from the commune points."""
    from .areas import demo
    from .seeding import seed_dir

    data = json.loads((seed_dir() / "areas/binh_thuan.json").read_text(encoding="utf-8"))
    districts, communes = demo.build(data)
    folder = Path(output) if output else seed_dir() / "areas"
    folder.mkdir(parents=True, exist_ok=True)
    for name, fc in (("demo_districts.geojson", districts), ("demo_communes.geojson", communes)):
        (folder / name).write_text(json.dumps(fc, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"wrote {folder / name} ({len(fc['features'])} features)")


class _LocateArgs(Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)
    as_of = fields.Date(load_default=None)


@areas_cli.command("locate")
@click.argument("lat")
@click.argument("lon")
@click.option("--as-of", default=None, help="The map of this day (YYYY-MM-DD; default today).")
def areas_locate(lat: str, lon: str, as_of: str | None) -> None:
    """Print the units of a point (LAT LON in decimal degrees): the former district and commune,
    and the commune-level unit on the map of the day."""
    from .areas.services import locate

    args = run_service(_LocateArgs().load, {"lat": lat, "lon": lon, "as_of": as_of})
    where = run_service(locate, args["lat"], args["lon"], args["as_of"])
    commune, unit = where.commune, where.unit
    click.echo(
        f"district {where.district.code} {where.district.name}; commune "
        f"{commune.code + ' ' + commune.name if commune else '-'}"
        + (f"; on {where.as_of:%d/%m/%Y}: {unit.code} {unit.name}" if unit else "")
        + (f" (snapped, {where.snapped_m:.0f} m outside)" if where.snapped_m else "")
    )


@areas_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def areas_load(path: str) -> None:
    """Load a unit list of today's map (the format of seed_data/areas/lam_dong_2025.json):
    the province, its units and their predecessors, as one unit of work; then today's
    polygons built from the former ones and the venues placed on today's map."""
    from .areas.services import load_todays_map

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"Cannot read {path} as JSON: {exc}")
    changed = run_service(load_todays_map, data)
    click.echo(f"units and links changed: {changed}")


# ---------------------------------------------------------------- inspections


@click.command("relink-inspections")
@click.option("--check", is_flag=True, help="Only count broken links; exit 1 if there are any.")
def relink_command(check: bool) -> None:
    """Rebuild each venue's chain of submitted inspections (coverage reads it).

    The app keeps the chains itself; this repairs a database whose inspections were changed
    by hand in SQL.
    """
    from .visits.chain import broken_links, relink

    broken = broken_links(db.session.connection())
    if check:
        click.echo(f"inspections with a broken link: {broken}")
        if broken:
            raise click.exceptions.Exit(1)
        return
    with unit() as session:
        changed = relink(session.connection())
    click.echo(f"inspections relinked: {changed} (broken before: {broken})")


# ---------------------------------------------------------------- maintenance


@click.command("grant-app-role")
@click.argument("role")
def grant_app_role_command(role: str) -> None:
    """PostgreSQL: let ROLE (the role the app connects as) read and write rows, and only
    INSERT and SELECT the audit trail. Run as the owner role after every `db upgrade`."""
    from .dbadmin import grant_app_role

    def grant() -> None:
        grant_app_role(db.session.connection(), role)

    run_service(grant)
    click.echo(f"{role}: rows of every table; audit_event: INSERT and SELECT only")


@click.command("prune")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def prune_command(dry_run: bool) -> None:
    """Delete idempotency records and login attempts older than their retention.

    Retention: INSPECTIONS_IDEMPOTENCY_RETENTION_DAYS (60) and
    INSPECTIONS_LOGIN_ATTEMPT_RETENTION_DAYS (90). Run it daily (cron or a systemd timer).
    """
    from flask import current_app

    from . import retention

    settings = run_service(retention.Retention.from_config, current_app.config)
    now = utcnow()
    if dry_run:
        counts = retention.count_prunable(settings, now)
    else:
        counts = run_service(retention.prune, settings, now)
    verb = "would be deleted" if dry_run else "deleted"
    for table, n in counts.items():
        click.echo(f"{table}: {n} {verb}")


# ---------------------------------------------------------------- backups


class _BackupArgs(Schema):
    path = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class _RestoreArgs(_BackupArgs):
    force = fields.Boolean(load_default=False)


def _backup_context():
    from flask import current_app

    return db.engine, Path(current_app.config["UPLOAD_FOLDER"]), db.metadata.tables.keys()


@click.command("backup")
@click.argument("path")
def backup_command(path: str) -> None:
    """Back up the database and every stored file into the new folder PATH, with a manifest of
    row counts and SHA-256 checksums (README, "Backups"). Runs while the app serves."""
    from . import backup

    args = run_service(_BackupArgs().load, {"path": path})
    engine, uploads, tables = _backup_context()
    db.session.remove()
    done = run_service(backup.make_backup, engine, uploads, Path(args["path"]), tables, click.echo)
    click.echo(
        f"backup written to {done.path}: {sum(done.tables.values())} rows in "
        f"{len(done.tables)} tables, {done.files} files ({done.file_bytes} bytes), "
        f"database copy {done.database_bytes} bytes, migration {done.revision}"
    )


@click.command("restore")
@click.argument("path")
@click.option("--force", is_flag=True, help="Replace a database or upload folder holding data.")
def restore_command(path: str, force: bool) -> None:
    """Restore the backup folder PATH after checking it whole; a damaged backup is refused and
    nothing changes. Stop the app first; on PostgreSQL run it as the owner role, then
    `flask grant-app-role` and `flask db upgrade`."""
    from . import backup

    args = run_service(_RestoreArgs().load, {"path": path, "force": force})
    engine, uploads, tables = _backup_context()
    db.session.remove()
    done = run_service(
        backup.restore_backup,
        engine,
        uploads,
        Path(args["path"]),
        tables,
        force=args["force"],
        echo=click.echo,
    )
    click.echo(
        f"restored {sum(done.tables.values())} rows in {len(done.tables)} tables and "
        f"{done.files} files from {done.path} (migration {done.revision}); on PostgreSQL run "
        "`flask grant-app-role ROLE` now, then `flask db upgrade` if the code is newer"
    )


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    from .accounts.cli import users_cli

    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(areas_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(relink_command)
    app.cli.add_command(prune_command)
    app.cli.add_command(grant_app_role_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
