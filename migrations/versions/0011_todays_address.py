"""Each venue's address on today's administrative map, beside the address as written.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Reviewed by hand. ``venue.address_2025`` (up to 300 characters): what the written address says
below the commune (house, street, quarter) followed by the venue's unit on today's map and its
province ("12 Trần Hưng Đạo, KP 3, Phường Mũi Né, Tỉnh Lâm Đồng"), kept by the venue's write
path (``venues/services.py``). Plain ADD COLUMN; existing venues get their value from
``flask --app inspections venues reindex`` (the seed runs it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("venue", sa.Column("address_2025", sa.String(300), nullable=True))


def downgrade():
    op.drop_column("venue", "address_2025")
