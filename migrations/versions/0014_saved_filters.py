"""Saved filters of the venue list: a coordinator fills a round from one.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Reviewed by hand. New table ``saved_filter`` (owner, name, the list's query arguments as JSON);
nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_filter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_saved_filter_owner_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filter")),
    )
    op.create_index(op.f("ix_saved_filter_owner_id"), "saved_filter", ["owner_id"])


def downgrade():
    op.drop_index(op.f("ix_saved_filter_owner_id"), table_name="saved_filter")
    op.drop_table("saved_filter")
