"""The audit trail's summaries in the reader's language.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Reviewed by hand. One nullable column, ``audit_event.summary_message`` (the summary's message id
and arguments, JSON): the pages translate it, ``summary`` keeps the English text. Rows already
written keep NULL and show their stored text; the append-only trigger refuses updates of rows,
not a new column.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.add_column("audit_event", sa.Column("summary_message", JSON, nullable=True))


def downgrade():
    op.drop_column("audit_event", "summary_message")
