"""Migrations run from empty on the test's database kind, down again, and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from inspections.dbtypes import include_in_migrations
from inspections.extensions import db
from tests.conftest import dispose_database, make_app, new_database_url


def test_upgrade_downgrade_upgrade_from_empty(db_kind, tmp_path):
    url = new_database_url(db_kind, tmp_path, "migrations")
    try:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"area", "venue", "sector", "agency", "user_account", "audit_event"} <= tables
            downgrade(revision="base")
            remaining = set(inspect(db.engine).get_table_names()) & {"area", "venue", "audit_event"}
            assert remaining == set()
            upgrade()
            with db.engine.connect() as conn:
                ctx = MigrationContext.configure(
                    conn, opts={"include_object": include_in_migrations, "compare_type": True}
                )
                diffs = compare_metadata(ctx, db.metadata)
            assert diffs == [], f"models and migrations differ: {diffs}"
            db.engine.dispose()
    finally:
        dispose_database(url)
