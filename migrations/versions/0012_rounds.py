"""Inspection rounds: a team's list of venues for a period, and the venues it could not inspect.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02

Reviewed by hand. New tables ``inspection_round``, ``round_venue``, ``round_outcome``; nothing
existing changes. Whether a venue of a round is done is read from the inspections (never
stored).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _pk(table):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table, column, referred):
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade():
    op.create_table(
        "inspection_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("decision_no", sa.String(60), nullable=True),
        sa.Column("decision_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("unannounced", sa.Boolean(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("inspection_round", "team_id", "team"),
        _fk("inspection_round", "carried_from_id", "inspection_round"),
        _fk("inspection_round", "created_by_id", "user_account"),
        _pk("inspection_round"),
    )
    op.create_index(
        "ix_inspection_round_team_dates", "inspection_round", ["team_id", "ends_on", "starts_on"]
    )
    op.create_table(
        "round_venue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", TS, nullable=False),
        _fk("round_venue", "round_id", "inspection_round"),
        _fk("round_venue", "venue_id", "venue"),
        _fk("round_venue", "added_by_id", "user_account"),
        _pk("round_venue"),
        sa.UniqueConstraint("round_id", "venue_id", name=op.f("uq_round_venue_round_id_venue_id")),
    )
    op.create_index(op.f("ix_round_venue_round_id"), "round_venue", ["round_id"])
    op.create_index(op.f("ix_round_venue_venue_id"), "round_venue", ["venue_id"])
    op.create_table(
        "round_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("photo_key", sa.String(300), nullable=True),
        sa.Column("photo_sha256", sa.String(64), nullable=True),
        sa.Column("photo_type", sa.String(40), nullable=True),
        sa.Column("client_key", sa.String(200), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        _fk("round_outcome", "round_id", "inspection_round"),
        _fk("round_outcome", "venue_id", "venue"),
        _fk("round_outcome", "recorded_by_id", "user_account"),
        _pk("round_outcome"),
        sa.UniqueConstraint(
            "recorded_by_id",
            "client_key",
            name=op.f("uq_round_outcome_recorded_by_id_client_key"),
        ),
    )
    op.create_index(op.f("ix_round_outcome_venue_id"), "round_outcome", ["venue_id"])
    op.create_index("ix_round_outcome_round_venue", "round_outcome", ["round_id", "venue_id"])


def downgrade():
    op.drop_index("ix_round_outcome_round_venue", table_name="round_outcome")
    op.drop_index(op.f("ix_round_outcome_venue_id"), table_name="round_outcome")
    op.drop_table("round_outcome")
    op.drop_index(op.f("ix_round_venue_venue_id"), table_name="round_venue")
    op.drop_index(op.f("ix_round_venue_round_id"), table_name="round_venue")
    op.drop_table("round_venue")
    op.drop_index("ix_inspection_round_team_dates", table_name="inspection_round")
    op.drop_table("inspection_round")
