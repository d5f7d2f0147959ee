"""Two administrative maps side by side: predecessors of today's units, and each venue's unit
on today's map.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Reviewed by hand. Since 1 July 2025 local government has two levels and codes were reused, so
the ``area`` table holds both maps (unique (code, valid_from) already allows it). New:
- ``area.point_lat/point_lon`` (a unit's point where it has no polygon) and ``area.area_km2``;
- ``area_predecessor``: successor, predecessor, whether the predecessor went WHOLE into it or
  was SPLIT among several (and whether this one got the main part);
- ``venue.commune_2025_id``: the venue's commune-level unit on today's map (``district_id`` and
  ``commune_id`` stay the former map). Plain ADD COLUMN (no batch rebuild of the spatial
  table): on SQLite the foreign key is written inline.
The units themselves come from the seed: run ``flask --app inspections seed`` after upgrading;
it loads today's units and places every venue on today's map. On PostGIS the covering index of
venues for coverage (_pgx) also carries the new column.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COVERAGE_PGX = (
    "CREATE INDEX ix_venue_coverage_pgx ON venue (id) "
    "INCLUDE (district_id, commune_id, sector_id, opened_on, closed_on, last_submitted_on"
    "{extra}) WHERE merged_into_id IS NULL"
)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in ("point_lat", "point_lon", "area_km2"):
        op.add_column("area", sa.Column(name, sa.Float(), nullable=True))
    op.create_table(
        "area_predecessor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("main_part", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["area.id"],
            name=op.f("fk_area_predecessor_predecessor_id_area"),
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"], ["area.id"], name=op.f("fk_area_predecessor_successor_id_area")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_predecessor")),
        sa.UniqueConstraint(
            "successor_id",
            "predecessor_id",
            name=op.f("uq_area_predecessor_successor_id_predecessor_id"),
        ),
    )
    op.create_index(op.f("ix_area_predecessor_successor_id"), "area_predecessor", ["successor_id"])
    op.create_index(
        op.f("ix_area_predecessor_predecessor_id"), "area_predecessor", ["predecessor_id"]
    )
    op.add_column(
        "venue",
        sa.Column(
            "commune_2025_id",
            sa.Integer(),
            sa.ForeignKey("area.id", name=op.f("fk_venue_commune_2025_id_area")),
            nullable=True,
        ),
        inline_references=not postgres,
    )
    op.create_index(op.f("ix_venue_commune_2025_id"), "venue", ["commune_2025_id"])
    if postgres:
        op.execute("DROP INDEX IF EXISTS ix_venue_coverage_pgx")
        op.execute(COVERAGE_PGX.format(extra=", commune_2025_id"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_venue_coverage_pgx")
        op.execute(COVERAGE_PGX.format(extra=""))
    op.drop_index(op.f("ix_venue_commune_2025_id"), table_name="venue")
    op.drop_column("venue", "commune_2025_id")
    op.drop_index(op.f("ix_area_predecessor_predecessor_id"), table_name="area_predecessor")
    op.drop_index(op.f("ix_area_predecessor_successor_id"), table_name="area_predecessor")
    op.drop_table("area_predecessor")
    for name in ("area_km2", "point_lon", "point_lat"):
        op.drop_column("area", name)
