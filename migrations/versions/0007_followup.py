"""Violation history and follow-up: register bookkeeping on recorded violations, follow-ups
with evidence files, fine payments, reviewer notes, tips.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Reviewed by hand. Only plain ALTER TABLE ADD COLUMN on ``recorded_violation`` (no batch
rebuild); existing rows are brought into the register by one UPDATE. On PostGIS a partial
index serves the register's newest-first pages (name ends in _pgx: PostGIS-only).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
RV_COLUMNS = [
    ("inspected_on", sa.Date()),
    ("remedy_status", sa.String(16)),
    ("remedied_on", sa.Date()),
    ("paid_on", sa.Date()),
]


def _pk(table):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table, column, referred):
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade():
    op.add_column(
        "recorded_violation",
        sa.Column("in_register", sa.Boolean(), server_default="0", nullable=False),
    )
    op.add_column(
        "recorded_violation",
        sa.Column("agency_mask", sa.BigInteger(), server_default="0", nullable=False),
    )
    for name, type_ in RV_COLUMNS:
        op.add_column("recorded_violation", sa.Column(name, type_, nullable=True))
    op.execute(
        "UPDATE recorded_violation SET "
        "inspected_on = (SELECT i.inspected_on FROM inspection i "
        "WHERE i.id = recorded_violation.inspection_id), "
        "in_register = (superseded_by_id IS NULL AND (SELECT i.status FROM inspection i "
        "WHERE i.id = recorded_violation.inspection_id) = 'submitted'), "
        "remedy_status = CASE WHEN remedy IS NOT NULL THEN 'open' END, "
        "agency_mask = (SELECT coalesce(sum(1 << a.agency_id), 0) FROM inspection_agency a "
        "WHERE a.inspection_id = recorded_violation.inspection_id)"
    )
    op.create_index(
        "ix_recorded_violation_register",
        "recorded_violation",
        ["in_register", "inspected_on", "id"],
    )
    op.create_index(
        "ix_recorded_violation_venue_register",
        "recorded_violation",
        ["venue_id", "in_register", "inspected_on"],
    )
    op.create_index(
        "ix_recorded_violation_remedy", "recorded_violation", ["remedy_status", "remedy_deadline"]
    )
    op.create_table(
        "violation_followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("violation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("violation_followup", "violation_id", "recorded_violation"),
        _fk("violation_followup", "inspection_id", "inspection"),
        _fk("violation_followup", "created_by_id", "user_account"),
        _pk("violation_followup"),
    )
    op.create_index(
        op.f("ix_violation_followup_violation_id"), "violation_followup", ["violation_id"]
    )
    op.create_table(
        "followup_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("followup_file", "followup_id", "violation_followup"),
        _pk("followup_file"),
    )
    op.create_index(op.f("ix_followup_file_followup_id"), "followup_file", ["followup_id"])
    op.create_table(
        "fine_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("violation_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("receipt_no", sa.String(60), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("fine_payment", "violation_id", "recorded_violation"),
        _fk("fine_payment", "created_by_id", "user_account"),
        _pk("fine_payment"),
    )
    op.create_index(op.f("ix_fine_payment_violation_id"), "fine_payment", ["violation_id"])
    op.create_table(
        "reviewer_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("violation_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience_roles", sa.String(200), nullable=False),
        sa.Column("audience_agencies", sa.String(200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("reviewer_note", "venue_id", "venue"),
        _fk("reviewer_note", "violation_id", "recorded_violation"),
        _fk("reviewer_note", "author_id", "user_account"),
        _pk("reviewer_note"),
    )
    op.create_index(op.f("ix_reviewer_note_venue_id"), "reviewer_note", ["venue_id"])
    op.create_index(op.f("ix_reviewer_note_violation_id"), "reviewer_note", ["violation_id"])
    op.create_table(
        "tip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("verification", sa.Text(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("tip", "venue_id", "venue"),
        _fk("tip", "district_id", "area"),
        _fk("tip", "inspection_id", "inspection"),
        _fk("tip", "created_by_id", "user_account"),
        _pk("tip"),
    )
    op.create_index(op.f("ix_tip_venue_id"), "tip", ["venue_id"])
    op.create_index(op.f("ix_tip_district_id"), "tip", ["district_id"])
    op.create_index("ix_tip_open_due", "tip", ["closed_on", "due_on"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_recorded_violation_register_on_pgx ON recorded_violation "
            "(inspected_on DESC, id DESC) WHERE in_register"
        )
        # "highest fine first" (no fine last; read backwards: "lowest first", no fine first)
        op.execute(
            "CREATE INDEX ix_recorded_violation_register_fine_pgx ON recorded_violation "
            "(fine_vnd DESC NULLS LAST, id DESC) WHERE in_register"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_recorded_violation_register_fine_pgx")
        op.execute("DROP INDEX IF EXISTS ix_recorded_violation_register_on_pgx")
    op.drop_table("tip")
    op.drop_table("reviewer_note")
    op.drop_table("fine_payment")
    op.drop_table("followup_file")
    op.drop_table("violation_followup")
    for name in (
        "ix_recorded_violation_remedy",
        "ix_recorded_violation_venue_register",
        "ix_recorded_violation_register",
    ):
        op.drop_index(name, table_name="recorded_violation")
    for name, _type in RV_COLUMNS:
        op.drop_column("recorded_violation", name)
    op.drop_column("recorded_violation", "agency_mask")
    op.drop_column("recorded_violation", "in_register")
