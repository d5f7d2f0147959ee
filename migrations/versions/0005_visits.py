"""On-site inspections: checklists, members, answers, GPS proof, photos, signatures,
amendments, idempotency; the legal catalogue and recorded violations.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Reviewed by hand. Only plain ALTER TABLE ADD COLUMN on ``inspection`` (no batch rebuild).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# New plain columns of inspection: (name, type)
INSPECTION_COLUMNS = [
    ("client_key", sa.String(64)),
    ("start_latitude", sa.Float()),
    ("start_longitude", sa.Float()),
    ("start_accuracy_m", sa.Float()),
    ("start_fix_at", TS),
    ("start_distance_m", sa.Float()),
    ("submit_latitude", sa.Float()),
    ("submit_longitude", sa.Float()),
    ("submit_accuracy_m", sa.Float()),
    ("submit_fix_at", TS),
    ("submit_distance_m", sa.Float()),
    ("presence", sa.String(16)),
    ("presence_reason", sa.Text()),
    ("representative_name", sa.String(160)),
    ("representative_role", sa.String(120)),
    ("notes", sa.Text()),
    ("cancelled_at", TS),
    ("cancel_reason", sa.Text()),
]
# New foreign-key columns of inspection: (name, referred table)
INSPECTION_FKS = [
    ("checklist_template_id", "checklist_template"),
    ("cancelled_by_id", "user_account"),
]


def _pk(table):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table, column, referred):
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade():
    op.create_table(
        "legal_violation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("decree", sa.String(40), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.Column("clause", sa.String(8), nullable=True),
        sa.Column("point", sa.String(8), nullable=True),
        sa.Column("title_vi", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("offender_types", JSON, nullable=False),
        sa.Column("fine_individual_min", sa.BigInteger(), nullable=True),
        sa.Column("fine_individual_max", sa.BigInteger(), nullable=True),
        sa.Column("fine_organisation_min", sa.BigInteger(), nullable=True),
        sa.Column("fine_organisation_max", sa.BigInteger(), nullable=True),
        sa.Column("sectors", JSON, nullable=False),
        sa.Column("measures", JSON, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("replaced_by", sa.String(40), nullable=True),
        sa.Column("sources", JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _pk("legal_violation"),
        sa.UniqueConstraint("code", name=op.f("uq_legal_violation_code")),
    )
    op.create_table(
        "checklist_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title_vi", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _fk("checklist_template", "sector_id", "sector"),
        _fk("checklist_template", "created_by_id", "user_account"),
        _pk("checklist_template"),
        sa.UniqueConstraint(
            "sector_id", "version", name=op.f("uq_checklist_template_sector_id_version")
        ),
    )
    op.create_index(op.f("ix_checklist_template_sector_id"), "checklist_template", ["sector_id"])
    op.create_table(
        "checklist_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("group_vi", sa.String(120), nullable=False),
        sa.Column("group_en", sa.String(120), nullable=False),
        sa.Column("text_vi", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("basis", sa.String(400), nullable=True),
        sa.Column("proposes", JSON, nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        _fk("checklist_item", "template_id", "checklist_template"),
        _pk("checklist_item"),
        sa.UniqueConstraint("template_id", "code", name=op.f("uq_checklist_item_template_id_code")),
    )
    op.create_index(op.f("ix_checklist_item_template_id"), "checklist_item", ["template_id"])

    # inspection: new columns in place (ALTER TABLE ADD COLUMN on both databases).
    for name, type_ in INSPECTION_COLUMNS:
        op.add_column("inspection", sa.Column(name, type_, nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, referred in INSPECTION_FKS:
        fk_name = op.f(f"fk_inspection_{column}_{referred}")
        if sqlite:
            op.execute(
                f"ALTER TABLE inspection ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {fk_name} REFERENCES {referred} (id)"
            )
        else:
            op.add_column("inspection", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(fk_name, "inspection", referred, [column], ["id"])
    op.create_index(
        op.f("ix_inspection_checklist_template_id"), "inspection", ["checklist_template_id"]
    )
    op.create_index("ix_inspection_inspected_at", "inspection", ["inspected_at"])
    op.create_index(
        "ix_inspection_created_by_client_key",
        "inspection",
        ["created_by_id", "client_key"],
        unique=True,
    )

    op.create_table(
        "inspection_agency",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        _fk("inspection_agency", "inspection_id", "inspection"),
        _fk("inspection_agency", "agency_id", "agency"),
        sa.PrimaryKeyConstraint("inspection_id", "agency_id", name=op.f("pk_inspection_agency")),
    )
    op.create_table(
        "inspection_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sa.String(160), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        _fk("inspection_member", "inspection_id", "inspection"),
        _fk("inspection_member", "user_id", "user_account"),
        _fk("inspection_member", "agency_id", "agency"),
        _pk("inspection_member"),
    )
    op.create_index(
        op.f("ix_inspection_member_inspection_id"), "inspection_member", ["inspection_id"]
    )
    op.create_table(
        "inspection_amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("inspection_amendment", "inspection_id", "inspection"),
        _fk("inspection_amendment", "created_by_id", "user_account"),
        _pk("inspection_amendment"),
    )
    op.create_index(
        op.f("ix_inspection_amendment_inspection_id"), "inspection_amendment", ["inspection_id"]
    )
    op.create_table(
        "inspection_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        _fk("inspection_answer", "inspection_id", "inspection"),
        _fk("inspection_answer", "item_id", "checklist_item"),
        _fk("inspection_answer", "amendment_id", "inspection_amendment"),
        _fk("inspection_answer", "superseded_by_id", "inspection_amendment"),
        _pk("inspection_answer"),
    )
    op.create_index(
        op.f("ix_inspection_answer_inspection_id"), "inspection_answer", ["inspection_id"]
    )
    op.create_table(
        "inspection_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("client_key", sa.String(64), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(200), nullable=False),
        sa.Column("caption", sa.String(300), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("inspection_photo", "inspection_id", "inspection"),
        _fk("inspection_photo", "item_id", "checklist_item"),
        _fk("inspection_photo", "uploaded_by_id", "user_account"),
        _pk("inspection_photo"),
        sa.UniqueConstraint(
            "inspection_id", "client_key", name=op.f("uq_inspection_photo_inspection_id_client_key")
        ),
    )
    op.create_index(
        op.f("ix_inspection_photo_inspection_id"), "inspection_photo", ["inspection_id"]
    )
    op.create_table(
        "inspection_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("signer_name", sa.String(160), nullable=True),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("stored_name", sa.String(200), nullable=True),
        sa.Column("signed_at", TS, nullable=False),
        _fk("inspection_signature", "inspection_id", "inspection"),
        _pk("inspection_signature"),
        sa.UniqueConstraint(
            "inspection_id", "role", name=op.f("uq_inspection_signature_inspection_id_role")
        ),
    )
    op.create_index(
        op.f("ix_inspection_signature_inspection_id"), "inspection_signature", ["inspection_id"]
    )
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", JSON, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("idempotency_record", "user_id", "user_account"),
        _pk("idempotency_record"),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_record_user_id_key")),
    )
    op.create_index(op.f("ix_idempotency_record_created_at"), "idempotency_record", ["created_at"])
    op.create_table(
        "recorded_violation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("legal_violation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("offender_type", sa.String(16), nullable=False),
        sa.Column("offender_name", sa.String(200), nullable=True),
        sa.Column("fine_vnd", sa.BigInteger(), nullable=True),
        sa.Column("measures", JSON, nullable=False),
        sa.Column("remedy", sa.Text(), nullable=True),
        sa.Column("remedy_deadline", sa.Date(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        _fk("recorded_violation", "inspection_id", "inspection"),
        _fk("recorded_violation", "venue_id", "venue"),
        _fk("recorded_violation", "legal_violation_id", "legal_violation"),
        _fk("recorded_violation", "item_id", "checklist_item"),
        _fk("recorded_violation", "amendment_id", "inspection_amendment"),
        _fk("recorded_violation", "superseded_by_id", "inspection_amendment"),
        _fk("recorded_violation", "supersedes_id", "recorded_violation"),
        _pk("recorded_violation"),
    )
    for column in ("inspection_id", "venue_id", "legal_violation_id"):
        op.create_index(op.f(f"ix_recorded_violation_{column}"), "recorded_violation", [column])
    op.create_index(
        "ix_recorded_violation_venue_current",
        "recorded_violation",
        ["venue_id", "superseded_by_id"],
    )


def downgrade():
    op.drop_table("recorded_violation")
    op.drop_table("idempotency_record")
    op.drop_table("inspection_signature")
    op.drop_table("inspection_photo")
    op.drop_table("inspection_answer")
    op.drop_table("inspection_amendment")
    op.drop_table("inspection_member")
    op.drop_table("inspection_agency")
    op.drop_index("ix_inspection_created_by_client_key", table_name="inspection")
    op.drop_index("ix_inspection_inspected_at", table_name="inspection")
    op.drop_index(op.f("ix_inspection_checklist_template_id"), table_name="inspection")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, referred in INSPECTION_FKS:
        if not sqlite:
            op.drop_constraint(
                op.f(f"fk_inspection_{column}_{referred}"), "inspection", type_="foreignkey"
            )
        op.drop_column("inspection", column)
    for name, _type in INSPECTION_COLUMNS:
        op.drop_column("inspection", name)
    op.drop_table("checklist_item")
    op.drop_table("checklist_template")
    op.drop_table("legal_violation")
