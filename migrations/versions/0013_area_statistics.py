"""Extended planner statistics on the administrative units (PostgreSQL).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Reviewed by hand. Since both administrative maps live in one ``area`` table, "the units of the
next level under this province" (``parent_id = :p AND level = :l``) is a pair of correlated
columns: a province's children all have one level. Without being told, PostgreSQL multiplies
the two selectivities and, on the national benchmark (700 former districts beside 3,321 of
today's communes), expects 121 units where there are 700, then 6,000 venues where there are
200,000, and chooses 200,000 single-row index lookups (the report's annex: 0.8 s instead of a
hash join). ``CREATE STATISTICS … (dependencies, mcv)`` tells it; ``ANALYZE`` (autovacuum, or
the seed) fills them. SQLite has no equivalent and needs none at its scale.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS IF NOT EXISTS st_area_parent_level (dependencies, mcv) "
            "ON parent_id, level FROM area"
        )
        op.execute("ANALYZE area")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_area_parent_level")
