"""Audit events. Rows are only ever inserted; the database refuses updates and deletes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

JSONType = JSON().with_variant(JSONB(), "postgresql")

ACTIONS = (
    "create",
    "update",
    "status",
    "amend",
    "delete",
    "login",
    "login_failed",
    "logout",
    "password",
    "token_created",
    "token_revoked",
    "token_rejected",
    "export",
    "import",
    "denied",
    "merge",
    "submit",
    "cancel",
)


class AuditEvent(Model):
    """One thing that happened, with the fields it changed as {field: [old, new]}."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(24), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(String(500))  # in English
    # {"id": English message, "args": {...}}: the summary shown in the reader's language
    summary_message: Mapped[dict | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    )
    changes: Mapped[dict | None] = mapped_column(JSONType)
    address: Mapped[str | None] = mapped_column(String(64))
