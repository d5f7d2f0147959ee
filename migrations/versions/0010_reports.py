"""Periodic reports: the plans' indicators, the figures units enter, the reports as sent; the
plan's standing agency and place name; agencies' validity dates.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Reviewed by hand. New tables ``report_indicator``, ``report_value``, ``report_value_file``,
``sent_report``; plain ADD COLUMN on ``plan`` (the standing agency, its name, the place name)
and ``agency`` (valid_from, valid_to): on SQLite the foreign key of the new plan column is
written inline (no batch rebuild). On PostGIS partial covering indexes of submitted inspections and of the
register's violations by day (_pgx) serve the reports' aggregates of a window. The indicators of the 2024 plan come from the seed
(``seed_data/indicators.yaml``): run ``flask --app inspections seed`` after upgrading.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
# A report counts the window's submitted inspections by unit and team, and the register's
# violations of the window by unit, article and venue: on PostGIS index-only scans of these
# partial indexes (ignored by the models == migrations comparison).
REPORT_PGX = {
    "ix_inspection_submitted_on_pgx": "CREATE INDEX ix_inspection_submitted_on_pgx ON "
    "inspection (inspected_on) INCLUDE (venue_id, team_id) WHERE status = 'submitted'",
    "ix_recorded_violation_report_pgx": "CREATE INDEX ix_recorded_violation_report_pgx ON "
    "recorded_violation (inspected_on) INCLUDE (id, venue_id, legal_violation_id, fine_vnd) "
    "WHERE in_register IS TRUE",
}
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _pk(table):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table, column, referred):
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("agency", sa.Column("valid_from", sa.Date(), nullable=True))
    op.add_column("agency", sa.Column("valid_to", sa.Date(), nullable=True))
    op.add_column(
        "plan",
        sa.Column(
            "standing_agency_id",
            sa.Integer(),
            sa.ForeignKey("agency.id", name=op.f("fk_plan_standing_agency_id_agency")),
            nullable=True,
        ),
        inline_references=not postgres,
    )
    op.add_column("plan", sa.Column("standing_agency_name", sa.String(200), nullable=True))
    op.add_column("plan", sa.Column("place_name", sa.String(80), nullable=True))
    op.create_table(
        "report_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("target_no", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=True),
        sa.Column("compare", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("text_vi", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("numerator_vi", sa.String(300), nullable=False),
        sa.Column("numerator_en", sa.String(300), nullable=False),
        sa.Column("denominator_vi", sa.String(300), nullable=True),
        sa.Column("denominator_en", sa.String(300), nullable=True),
        sa.Column("target_pct", sa.Numeric(6, 2), nullable=True),
        sa.Column("target_text_vi", sa.String(120), nullable=True),
        sa.Column("target_text_en", sa.String(120), nullable=True),
        _fk("report_indicator", "plan_id", "plan"),
        _pk("report_indicator"),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_report_indicator_plan_id_code")),
    )
    op.create_index(op.f("ix_report_indicator_plan_id"), "report_indicator", ["plan_id"])
    op.create_table(
        "report_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(20), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=True),
        sa.Column("denominator", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        _fk("report_value", "area_id", "area"),
        _fk("report_value", "indicator_id", "report_indicator"),
        _fk("report_value", "updated_by_id", "user_account"),
        _pk("report_value"),
        sa.UniqueConstraint(
            "indicator_id",
            "window",
            "area_id",
            name=op.f("uq_report_value_indicator_id_window_area_id"),
        ),
    )
    op.create_index(op.f("ix_report_value_indicator_id"), "report_value", ["indicator_id"])
    op.create_index(op.f("ix_report_value_area_id"), "report_value", ["area_id"])
    op.create_index("ix_report_value_window_area", "report_value", ["window", "area_id"])
    op.create_table(
        "report_value_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("report_value_file", "created_by_id", "user_account"),
        _fk("report_value_file", "value_id", "report_value"),
        _pk("report_value_file"),
    )
    op.create_index(op.f("ix_report_value_file_value_id"), "report_value_file", ["value_id"])
    op.create_table(
        "sent_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(20), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(60), nullable=True),
        sa.Column("sent_at", TS, nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("body", JSONType, nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("xlsx_name", sa.String(200), nullable=True),
        sa.Column("xlsx_sha256", sa.String(64), nullable=True),
        sa.Column("pdf_name", sa.String(200), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("reopened_at", TS, nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        _fk("sent_report", "area_id", "area"),
        _fk("sent_report", "plan_id", "plan"),
        _fk("sent_report", "reopened_by_id", "user_account"),
        _fk("sent_report", "sent_by_id", "user_account"),
        _pk("sent_report"),
        sa.UniqueConstraint(
            "window", "area_id", "version", name=op.f("uq_sent_report_window_area_id_version")
        ),
    )
    op.create_index(op.f("ix_sent_report_plan_id"), "sent_report", ["plan_id"])
    op.create_index(op.f("ix_sent_report_area_id"), "sent_report", ["area_id"])
    if postgres:
        for statement in REPORT_PGX.values():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in REPORT_PGX:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index(op.f("ix_sent_report_area_id"), table_name="sent_report")
    op.drop_index(op.f("ix_sent_report_plan_id"), table_name="sent_report")
    op.drop_table("sent_report")
    op.drop_index(op.f("ix_report_value_file_value_id"), table_name="report_value_file")
    op.drop_table("report_value_file")
    op.drop_index("ix_report_value_window_area", table_name="report_value")
    op.drop_index(op.f("ix_report_value_area_id"), table_name="report_value")
    op.drop_index(op.f("ix_report_value_indicator_id"), table_name="report_value")
    op.drop_table("report_value")
    op.drop_index(op.f("ix_report_indicator_plan_id"), table_name="report_indicator")
    op.drop_table("report_indicator")
    op.drop_column("plan", "place_name")
    op.drop_column("plan", "standing_agency_name")
    op.drop_column("plan", "standing_agency_id")
    op.drop_column("agency", "valid_to")
    op.drop_column("agency", "valid_from")
