"""Shared fixtures: a real database (SpatiaLite or PostGIS), the app, clients, factories.

Run with ``--db sqlite`` (default) or ``--db postgis``. The database is created once per
session, migrated from empty and seeded with the reference data; each test runs inside a
transaction that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from inspections import create_app
from inspections.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get(
    "INSPECTIONS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_PASSWORD = "correct-horse-battery"


def pytest_sessionstart(session):
    """Compile the Vietnamese catalogue when it is missing or older than the .po (make does it
    at install with pybabel; this covers running pytest straight after editing translations)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = ROOT / "inspections/translations/vi/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as src, mo.open("wb") as out:
            write_mo(out, read_po(src, locale="vi"))
    # the hashed and compressed static files the live server serves (make does it at install)
    from inspections import assets

    if assets.stale():
        assets.build()


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("sqlite", "postgis"),
        default=os.environ.get("INSPECTIONS_TEST_DB", "sqlite"),
        help="database to run the suite on",
    )


def pytest_report_header(config):
    return f"database: {config.getoption('--db')}"


# ---------------------------------------------------------------- databases


# The two roles of a PostgreSQL deployment (README, "Deploying on PostGIS"): the owner runs the
# migrations and the seed; the suite itself runs as the app role, which may only INSERT and
# SELECT the audit trail. Passwords equal the names (test clusters only).
PG_OWNER, PG_APP = "inspections_test_owner", "inspections_test_app"


def _ensure_pg_roles(conn) -> None:
    for role in (PG_OWNER, PG_APP):
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            continue
        try:
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{role}'"))
        except Exception:  # another test run created it at the same moment
            if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
                raise


def pg_url(database: str, role: str | None = None) -> str:
    """A URL of the test cluster for a database, as the admin or as one of the two roles."""
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    if role:
        scheme, _sep, rest = base.partition("://")
        base = f"{scheme}://{role}:{role}@{rest.rsplit('@', 1)[-1]}"
    return f"{base}/{database}"


def create_pg_database(prefix: str = "inspections_test") -> str:
    """A new PostGIS database owned by the owner role; returns the owner's URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        _ensure_pg_roles(conn)
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {PG_OWNER}'))
    admin.dispose()
    eng = create_engine(pg_url(name), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    eng.dispose()
    return pg_url(name, PG_OWNER)


def app_role_url(url: str) -> str:
    """The URL the app runs with: on PostGIS the app role after the owner granted it its
    rights (flask grant-app-role); on SQLite the same file."""
    if not url.startswith("postgresql"):
        return url
    from inspections.dbadmin import grant_app_role

    eng = create_engine(url)
    with eng.begin() as conn:
        grant_app_role(conn, PG_APP)
    eng.dispose()
    return pg_url(url.rsplit("/", 1)[1], PG_APP)


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def db_kind(pytestconfig) -> str:
    return pytestconfig.getoption("--db")


def new_database_url(kind: str, tmp_dir: Path, label: str) -> str:
    """A fresh empty database of the chosen kind."""
    if kind == "postgis":
        return create_pg_database()
    return f"sqlite:///{tmp_dir / f'{label}.db'}"


def dispose_database(url: str) -> None:
    if url.startswith("postgresql"):
        drop_pg_database(url)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own g, locale, db session), as in production,
    even though the test itself runs inside an app context."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


def make_app(url: str, tmp_dir: Path, **extra):
    """An app on the given database, configured for tests."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
            "UPLOAD_FOLDER": str(tmp_dir / "uploads"),
            "TILE_URL": "",
            # Assertions read English; Vietnamese (the real default) is tested explicitly.
            "DEFAULT_LOCALE": "en",
            # Plain static names in pages; the hashed ones are tested explicitly (and served
            # by the browser tests' live server).
            "STATIC_DIGEST": False,
            **extra,
        }
    )
    application.test_client_class = IsolatedClient
    return application


def migrate_and_seed(app, demo: bool = False) -> None:
    """Upgrade from empty and load the seed, committing (used once per database)."""
    from flask_migrate import upgrade

    from inspections import seeding
    from inspections.uow import unit

    with app.app_context():
        upgrade()
        with unit():
            seeding.run(demo=demo)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(db_kind, tmp_path_factory):
    tmp_dir = tmp_path_factory.mktemp("app")
    url = new_database_url(db_kind, tmp_dir, "suite")
    migrate_and_seed(make_app(url, tmp_dir))  # as the owner
    application = make_app(app_role_url(url), tmp_dir)
    with application.app_context():
        _create_role_users()
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    dispose_database(url)


# Accounts created once per session (argon2 is deliberately slow).
ROLE_USERS = {
    # username: (role, agency, area)
    "t_admin": ("admin", "labour", None),
    "t_coord": ("coordinator", "labour", "60"),
    "t_insp": ("inspector", "labour", "593"),
    "t_insp_pt": ("inspector", "police", "593"),
    "t_insp_lagi": ("inspector", "labour", "594"),
    "t_review": ("reviewer", "police", None),
    "t_viewer": ("viewer", "district_committee", "593"),
    # a district coordinator: teams and venues of 593 only, no province-wide plans
    "t_coord_pt": ("coordinator", "labour", "593"),
}


def _create_role_users() -> None:
    from inspections.accounts.services import create_user

    for username, (role, agency, area) in ROLE_USERS.items():
        create_user(
            username=username,
            password=TEST_PASSWORD,
            role=role,
            agency_code=agency,
            area_code=area,
            full_name=f"Test {username}",
        )


@pytest.fixture(autouse=True)
def _db_transaction(app):
    """Every test runs in a transaction rolled back at the end (savepoints for commits)."""
    with app.app_context():
        engines = db.engines  # the app's own mapping of bind keys to engines (public API)
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


# ---------------------------------------------------------------- clients and helpers


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def user(username: str):
    from inspections.accounts.models import User

    return db.session.scalar(db.select(User).where(User.username == username))


def phan_thiet_team():
    """Đoàn 593: t_insp (lead) and t_insp_pt, active since 2024, covering district 593."""
    from inspections.accounts.services import save_team

    return save_team(
        None,
        name="Đoàn liên ngành Phan Thiết",
        lead_agency_code="labour",
        active_from=date(2024, 1, 1),
        member_usernames=["t_insp", "t_insp_pt"],
        lead_username="t_insp",
        area_codes=["593"],
    )


def login(client, username: str):
    """Sign a test client in without the (slow) password check."""
    u = user(username)
    # the account's session token as stored now (a sign-out or password change rotates it)
    db.session.flush()
    db.session.expire(u, ["session_token"])
    with client.session_transaction() as sess:
        sess["_user_id"] = u.get_id()
        sess["_fresh"] = True
    return u


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no csrf token on {path}"
    return match.group(1)


@pytest.fixture
def as_user(client):
    """as_user("t_coord") signs the client in and returns the client."""

    def _as(username: str):
        login(client, username)
        return client

    return _as


@pytest.fixture
def token_for(app):
    """token_for("t_coord") returns a bearer header dict for that account."""
    from inspections.accounts.services import create_token

    def _token(username: str) -> dict:
        clear = create_token(user(username), name="test")
        db.session.flush()
        return {"Authorization": f"Bearer {clear}"}

    return _token


@pytest.fixture
def create_venue(app):
    """Factory: create_venue(name=..., lat=..., lon=..., sector="karaoke", ...)."""
    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.text import fold
    from inspections.venues.models import Sector, Venue

    def _create(
        name="Karaoke Hoàng Gia",
        lat=10.9290,
        lon=108.1020,
        sector="karaoke",
        address="12 Trần Hưng Đạo",
        status="operating",
        opened_on=date(2020, 1, 1),
        closed_on=None,
        **extra,
    ):
        sector_id = db.session.scalar(db.select(Sector.id).where(Sector.code == sector))
        venue = Venue(
            name=name,
            search_text=fold(f"{name} {address}"),
            sector_id=sector_id,
            address=address,
            location=point(lat, lon),
            status=status,
            opened_on=opened_on,
            closed_on=closed_on,
            **extra,
        )
        db.session.add(venue)
        db.session.flush()
        assign_venue_areas([venue.id])
        return db.session.get(Venue, venue.id)

    return _create


@pytest.fixture
def create_inspection(app):
    """Factory: create_inspection(venue, on=date(2024, 5, 1), status="submitted", team=None)."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from inspections.visits.models import Inspection

    def _create(venue, on=date(2024, 5, 1), status="submitted", team=None, **extra):
        at = datetime.combine(on, time(10, 0), ZoneInfo("Asia/Ho_Chi_Minh"))
        inspection = Inspection(
            venue_id=venue.id,
            team_id=team.id if team else None,
            status=status,
            inspected_at=at,
            inspected_on=on,
            submitted_at=at if status == "submitted" else None,
            **extra,
        )
        db.session.add(inspection)
        db.session.flush()
        return inspection

    return _create


def shared_file(name: str) -> Path:
    """A reference file of ../shared/data/, or skip the test saying why."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"reference data {path} is not present (only on development machines)")
    return path
