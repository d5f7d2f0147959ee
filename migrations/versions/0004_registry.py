"""Venue registry: address parts, certificate, owner, capacity, notes, QR label version;
licences, lifecycle events, pairs declared not duplicates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Reviewed by hand. venue has a geometry column: on SpatiaLite its new columns are added in
place (ALTER TABLE ADD COLUMN), never with batch mode, which would rebuild the table and
break SpatiaLite's geometry registration.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

VENUE_COLUMNS = [
    sa.Column("name_key", sa.String(200), nullable=True),
    sa.Column("house_no", sa.String(40), nullable=True),
    sa.Column("street", sa.String(160), nullable=True),
    sa.Column("address_commune", sa.String(120), nullable=True),
    sa.Column("address_commune_key", sa.String(120), nullable=True),
    sa.Column("security_cert_no", sa.String(60), nullable=True),
    sa.Column("security_cert_on", sa.Date(), nullable=True),
    sa.Column("owner_name", sa.String(160), nullable=True),
    sa.Column("owner_phone", sa.String(32), nullable=True),
    sa.Column("capacity", sa.Integer(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("earliest_expiry", sa.Date(), nullable=True),
    sa.Column("label_version", sa.Integer(), nullable=False, server_default="1"),
]
VENUE_INDEXES = ("name_key", "security_cert_no", "earliest_expiry")


def upgrade():
    for column in VENUE_COLUMNS:
        op.add_column("venue", column)
    for col in VENUE_INDEXES:
        op.create_index(op.f(f"ix_venue_{col}"), "venue", [col])
    op.create_index("ix_venue_search_order", "venue", ["search_text", "id"])
    op.create_index("ix_venue_district_order", "venue", ["district_id", "search_text", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # Counting the live registry (merged duplicates excluded) from a small index, with an
        # index-only scan, instead of reading the whole table: every list shows its total.
        op.execute("CREATE INDEX ix_venue_live_pgx ON venue (id) WHERE merged_into_id IS NULL")
    _fill_name_keys()

    op.create_table(
        "venue_licence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("number", sa.String(60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("issuer", sa.String(160), nullable=True),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_venue_licence_venue_id_venue")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_licence")),
    )
    op.create_index(op.f("ix_venue_licence_venue_id"), "venue_licence", ["venue_id"])
    op.create_index(op.f("ix_venue_licence_number"), "venue_licence", ["number"])
    op.create_index(op.f("ix_venue_licence_expires_on"), "venue_licence", ["expires_on"])
    op.create_index("ix_venue_licence_venue_expires", "venue_licence", ["venue_id", "expires_on"])

    op.create_table(
        "venue_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("other_venue_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_venue_event_venue_id_venue")
        ),
        sa.ForeignKeyConstraint(
            ["other_venue_id"], ["venue.id"], name=op.f("fk_venue_event_other_venue_id_venue")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_venue_event_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_event")),
    )
    op.create_index(op.f("ix_venue_event_venue_id"), "venue_event", ["venue_id"])

    op.create_table(
        "venue_distinct_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["low_id"], ["venue.id"], name=op.f("fk_venue_distinct_pair_low_id_venue")
        ),
        sa.ForeignKeyConstraint(
            ["high_id"], ["venue.id"], name=op.f("fk_venue_distinct_pair_high_id_venue")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_venue_distinct_pair_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_distinct_pair")),
        sa.UniqueConstraint(
            "low_id", "high_id", name=op.f("uq_venue_distinct_pair_low_id_high_id")
        ),
    )


def _name_key(name):
    """A frozen copy of venues.models.name_key (migrations must not import app code)."""
    text = (name or "").replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:200]


def _fill_name_keys():
    """Existing venues get the folded name the import matches on."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name FROM venue")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE venue SET name_key = :k WHERE id = :i"),
            [{"k": _name_key(name), "i": vid} for vid, name in rows],
        )


def downgrade():
    op.drop_table("venue_distinct_pair")
    op.drop_index(op.f("ix_venue_event_venue_id"), table_name="venue_event")
    op.drop_table("venue_event")
    for name in (
        "ix_venue_licence_venue_expires",
        "ix_venue_licence_expires_on",
        "ix_venue_licence_number",
        "ix_venue_licence_venue_id",
    ):
        op.drop_index(name, table_name="venue_licence")
    op.drop_table("venue_licence")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_venue_live_pgx")
    op.drop_index("ix_venue_district_order", table_name="venue")
    op.drop_index("ix_venue_search_order", table_name="venue")
    for col in VENUE_INDEXES:
        op.drop_index(op.f(f"ix_venue_{col}"), table_name="venue")
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): no table rebuild
    for column in reversed(VENUE_COLUMNS):
        op.drop_column("venue", column.name)
