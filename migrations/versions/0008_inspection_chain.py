"""Coverage at national scale: each submitted inspection knows the date of its venue's next
one, and each venue the date of its latest.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

Reviewed by hand. Plain ALTER TABLE ADD COLUMN on ``inspection`` and ``venue`` (no batch
rebuild), filled by one UPDATE each (the chain with a window function: SQLite ≥ 3.33 and
PostgreSQL both take UPDATE ... FROM), then a partial index on submitted inspections that
coverage reads by range; on PostGIS the covering index of venues for coverage (_pgx) also
carries the new venue column. From here on inspections/visits/chain.py keeps both columns.
The fill rewrites every venue and submitted inspection once: on a large PostgreSQL database,
``VACUUM FULL venue, inspection; VACUUM ANALYZE;`` afterwards gives the space back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FILL = """
UPDATE inspection SET next_submitted_on = chain.nxt
FROM (SELECT id,
             coalesce(lead(inspected_on) OVER (PARTITION BY venue_id
                                               ORDER BY inspected_on, id),
                      '9999-12-31') AS nxt
      FROM inspection WHERE status = 'submitted') AS chain
WHERE inspection.id = chain.id
"""
FILL_VENUE = """
UPDATE venue SET last_submitted_on = (SELECT max(i.inspected_on) FROM inspection i
                                      WHERE i.venue_id = venue.id AND i.status = 'submitted')
"""
COVERAGE_PGX = (
    "CREATE INDEX ix_venue_coverage_pgx ON venue (id) "
    "INCLUDE (district_id, commune_id, sector_id, opened_on, closed_on{extra}) "
    "WHERE merged_into_id IS NULL"
)


def upgrade():
    op.add_column("inspection", sa.Column("next_submitted_on", sa.Date(), nullable=True))
    op.add_column("venue", sa.Column("last_submitted_on", sa.Date(), nullable=True))
    op.execute(FILL)
    op.execute(FILL_VENUE)
    op.create_index(
        "ix_inspection_submitted_chain",
        "inspection",
        ["next_submitted_on", "inspected_on", "venue_id"],
        postgresql_where=sa.text("status = 'submitted'"),
        sqlite_where=sa.text("status = 'submitted'"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_venue_coverage_pgx")
        op.execute(COVERAGE_PGX.format(extra=", last_submitted_on"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_venue_coverage_pgx")
        op.execute(COVERAGE_PGX.format(extra=""))
    op.drop_column("venue", "last_submitted_on")
    op.drop_index("ix_inspection_submitted_chain", table_name="inspection")
    op.drop_column("inspection", "next_submitted_on")
