"""PostgreSQL's two roles: the app role cannot change the audit trail, not even by disabling
its triggers; the owner can disable nothing by accident either (the trigger refuses)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from inspections.extensions import db
from tests.conftest import PG_OWNER, pg_url


@pytest.fixture
def postgres_only(db_kind):
    if db_kind != "postgis":
        pytest.skip("database roles exist only on PostgreSQL (run with --db postgis)")


def _refused(conn, statement: str) -> str:
    with pytest.raises(DBAPIError) as exc, conn.begin_nested():
        conn.execute(text(statement))
    return str(exc.value)


def test_the_app_role_may_only_insert_and_read_the_audit_trail(postgres_only, create_venue):
    create_venue()  # at least one audit row
    conn = db.session.connection()
    assert conn.execute(text("SELECT current_user")).scalar() == "inspections_test_app"
    assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() > 0
    for statement in (
        "UPDATE audit_event SET summary = 'x'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER ALL",
        "DROP TABLE audit_event",
    ):
        message = _refused(conn, statement)
        assert "permission denied" in message or "must be owner" in message, message


def test_the_owner_is_refused_by_the_trigger(postgres_only, app):
    database = app.config["DATABASE_URL"].rsplit("/", 1)[1]
    owner = create_engine(pg_url(database, PG_OWNER))
    try:
        with owner.connect() as conn:
            assert "append-only" in _refused(conn, "UPDATE audit_event SET summary = 'x'")
            assert "append-only" in _refused(conn, "TRUNCATE audit_event")
    finally:
        owner.dispose()


def test_grant_app_role_refuses_bad_names_and_sqlite(app, runner, db_kind):
    result = runner.invoke(args=["grant-app-role", "app; DROP TABLE venue"])
    assert result.exit_code == 1
    if db_kind == "postgis":
        assert "lower-case letters" in result.output
    else:
        assert "PostgreSQL" in result.output or "lower-case letters" in result.output
