"""Plans (yearly targets) and the indexes the coverage query needs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

Reviewed by hand. The coverage aggregate reads, per venue, the latest submitted inspection up
to the end of the period; on PostGIS a partial index on submitted inspections and a covering
index on the venue columns the rule reads keep it to index-only scans joined by merging (names end in _pgx:
PostGIS-only, ignored by the models == migrations comparison).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("programme", sa.String(200), nullable=True),
        sa.Column("coverage_target_pct", sa.Numeric(5, 2), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=True),
        sa.Column("tips_target_pct", sa.Numeric(5, 2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("number", name=op.f("uq_plan_number")),
        sa.UniqueConstraint("year", name=op.f("uq_plan_year")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_inspection_submitted_venue_on_pgx ON inspection "
            "(venue_id, inspected_on) WHERE status = 'submitted'"
        )
        # Ordered by id like the per-venue aggregate of inspections: the planner merges the
        # two sorted streams (no hash of 200,000 venues) reading only these two indexes.
        op.execute(
            "CREATE INDEX ix_venue_coverage_pgx ON venue (id) "
            "INCLUDE (district_id, commune_id, sector_id, opened_on, closed_on) "
            "WHERE merged_into_id IS NULL"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_venue_coverage_pgx")
        op.execute("DROP INDEX IF EXISTS ix_inspection_submitted_venue_on_pgx")
    op.drop_table("plan")
