"""The inspection core (one visit to one venue, its status and local date); merged venues.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Reviewed by hand.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    # venue has a geometry column: on SpatiaLite never rebuild it (batch mode breaks the
    # geometry registration), add the column in place instead.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE venue ADD COLUMN merged_into_id INTEGER "
            "CONSTRAINT fk_venue_merged_into_id_venue REFERENCES venue (id)"
        )
    else:
        op.add_column("venue", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_venue_merged_into_id_venue"), "venue", "venue", ["merged_into_id"], ["id"]
        )
    op.create_index(op.f("ix_venue_merged_into_id"), "venue", ["merged_into_id"])
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("inspected_at", TS, nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_inspection_venue_id_venue")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_inspection_team_id_team")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    op.create_index(op.f("ix_inspection_venue_id"), "inspection", ["venue_id"])
    op.create_index(op.f("ix_inspection_team_id"), "inspection", ["team_id"])
    op.create_index(op.f("ix_inspection_status"), "inspection", ["status"])
    op.create_index(op.f("ix_inspection_inspected_on"), "inspection", ["inspected_on"])
    op.create_index(
        "ix_inspection_venue_status_on", "inspection", ["venue_id", "status", "inspected_on"]
    )


def downgrade():
    for name in (
        "ix_inspection_venue_status_on",
        "ix_inspection_inspected_on",
        "ix_inspection_status",
        "ix_inspection_team_id",
        "ix_inspection_venue_id",
    ):
        op.drop_index(name, table_name="inspection")
    op.drop_table("inspection")
    op.drop_index(op.f("ix_venue_merged_into_id"), table_name="venue")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_venue_merged_into_id_venue"), "venue", type_="foreignkey")
    op.drop_column("venue", "merged_into_id")
