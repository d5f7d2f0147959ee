"""Foundation: areas with boundaries, sectors, agencies, venues.

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Reviewed by hand. Runs on SpatiaLite and PostGIS; PostGIS also gets a trigram index for
accent-free search and a geography index for "near me" (names ending in _pgx are PostGIS-only
and ignored by autogenerate).
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_vi", sa.String(160), nullable=False),
        sa.Column("name_en", sa.String(160), nullable=False),
        sa.Column("short_vi", sa.String(60), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("code", name=op.f("uq_agency_code")),
    )
    op.create_table(
        "sector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_vi", sa.String(120), nullable=False),
        sa.Column("name_en", sa.String(120), nullable=False),
        sa.Column("capacity_vi", sa.String(60), nullable=True),
        sa.Column("capacity_en", sa.String(60), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sector")),
        sa.UniqueConstraint("code", name=op.f("uq_sector_code")),
    )
    op.create_geospatial_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_en", sa.String(120), nullable=True),
        sa.Column("unit_type", sa.String(40), nullable=True),
        sa.Column("search_text", sa.String(240), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("ref_lat", sa.Float(), nullable=True),
        sa.Column("ref_lon", sa.Float(), nullable=True),
        sa.Column("successor_codes", sa.String(120), nullable=True),
        sa.Column("boundary_source", sa.String(200), nullable=True),
        sa.Column(
            "geom",
            Geometry(geometry_type="MULTIPOLYGON", srid=4326, spatial_index=False),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["area.id"], name=op.f("fk_area_parent_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("code", "valid_from", name=op.f("uq_area_code_valid_from")),
    )
    op.create_geospatial_index(
        "idx_area_geom", "area", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index(op.f("ix_area_code"), "area", ["code"])
    op.create_index(op.f("ix_area_level"), "area", ["level"])
    op.create_index(op.f("ix_area_parent_id"), "area", ["parent_id"])

    op.create_geospatial_table(
        "venue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("search_text", sa.String(600), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("registration_no", sa.String(40), nullable=True),
        sa.Column(
            "location",
            Geometry(geometry_type="POINT", srid=4326, spatial_index=False, nullable=False),
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("commune_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["commune_id"], ["area.id"], name=op.f("fk_venue_commune_id_area")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["area.id"], name=op.f("fk_venue_district_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sector.id"], name=op.f("fk_venue_sector_id_sector")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue")),
    )
    op.create_geospatial_index(
        "idx_venue_location",
        "venue",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    for col in ("commune_id", "district_id", "registration_no", "sector_id", "status"):
        op.create_index(op.f(f"ix_venue_{col}"), "venue", [col])
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_venue_search_trgm_pgx ON venue USING gin (search_text gin_trgm_ops)"
        )
        op.execute(
            "CREATE INDEX ix_venue_location_geog_pgx ON venue "
            "USING gist ((CAST(location AS geography)))"
        )


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_venue_location_geog_pgx")
        op.execute("DROP INDEX IF EXISTS ix_venue_search_trgm_pgx")
    for col in ("commune_id", "district_id", "registration_no", "sector_id", "status"):
        op.drop_index(op.f(f"ix_venue_{col}"), table_name="venue")
    op.drop_geospatial_index(
        "idx_venue_location", table_name="venue", column_name="location", postgresql_using="gist"
    )
    op.drop_geospatial_table("venue")
    for col in ("parent_id", "level", "code"):
        op.drop_index(op.f(f"ix_area_{col}"), table_name="area")
    op.drop_geospatial_index(
        "idx_area_geom", table_name="area", column_name="geom", postgresql_using="gist"
    )
    op.drop_geospatial_table("area")
    op.drop_table("sector")
    op.drop_table("agency")
