"""PostgreSQL administration the app's owner role runs: what the app's own role may do.

Production runs with two roles. The *owner* owns the tables and runs the migrations; the *app*
role, which the web processes connect as, reads and writes rows but owns nothing, so it can
neither alter a table nor disable a trigger, and on the audit trail it may only INSERT and
SELECT. An attacker who takes over the app cannot rewrite history, even with
``ALTER TABLE audit_event DISABLE TRIGGER``.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .errors import Invalid

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APPEND_ONLY = ("audit_event",)


def check_role_name(role: str) -> str:
    """A plain PostgreSQL role name (lower-case letters, digits, underscore), or Invalid."""
    if not ROLE_NAME.match(role or ""):
        raise Invalid(
            _("A role name is lower-case letters, digits and underscores: %(r)s", r=role),
            field="role",
        )
    return role


def grant_app_role(conn: Connection, role: str) -> None:
    """Give the app's role what the app needs and no more (run as the owner after migrating)."""
    if conn.dialect.name != "postgresql":
        raise Invalid(_("Database roles exist only on PostgreSQL."), field="database")
    role = check_role_name(role)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is None:
        raise Invalid(_("There is no PostgreSQL role %(r)s.", r=role), field="role")
    owned = list(
        conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tableowner = current_user ORDER BY tablename"
            )
        ).scalars()
    )
    statements = [f"GRANT USAGE ON SCHEMA public TO {role}"]
    for table in owned:
        if table in APPEND_ONLY or table == "alembic_version":
            privileges = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT"
            statements.append(f'REVOKE ALL ON TABLE "{table}" FROM {role}')
            statements.append(f'GRANT {privileges} ON TABLE "{table}" TO {role}')
        else:
            statements.append(f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "{table}" TO {role}')
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    for statement in statements:
        conn.execute(text(statement))


def analyze(conn: Connection) -> None:
    """Refresh the planner's statistics after a bulk load (seed, demo, restore). PostgreSQL
    keeps none for new rows until autovacuum comes by: meanwhile the coverage figures of a
    freshly seeded demo province took 270 ms instead of 20 (bench/load.py)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE"))
