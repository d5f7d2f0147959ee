"""Inspections (cuộc kiểm tra): one visit to one venue by one team.

This is the core every other capability reads (coverage counts submitted inspections by
``inspected_on``); the on-site workflow adds its own tables and columns around it.

A submitted inspection is never edited in place. Corrections are ``InspectionAmendment`` rows:
checklist answers and recorded violations get new rows that supersede the old ones (which stay,
marked), and the few scalar fields that may be corrected are overlaid from the amendments'
``changes``. Status moves draft → submitted, and either → cancelled (with a reason).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Agency, Team, User
from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model, db
from ..venues.models import Sector, Venue

if TYPE_CHECKING:
    from ..violations.models import RecordedViolation

JSONType = JSON().with_variant(JSONB(), "postgresql")

INSPECTION_STATUSES = ("draft", "submitted", "cancelled")
ANSWERS = ("compliant", "not_compliant", "not_applicable")
# How the GPS fixes relate to the venue's registered location (see services.presence_of).
PRESENCE = ("on_site", "off_site", "imprecise", "no_gps")
SIGNATURE_ROLES = ("lead", "representative")


class ChecklistTemplate(Model):
    """One version of a sector's checklist; versions are never changed once used."""

    __tablename__ = "checklist_template"
    __audited__ = True
    __table_args__ = (UniqueConstraint("sector_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    # "seed:checklists/karaoke.yaml" or "upload:<file name>"
    source: Mapped[str | None] = mapped_column(String(200))
    # SHA-256 of the canonical content, so an unchanged file is recognised.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    sector: Mapped[Sector] = relationship(lazy="joined")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="template", order_by="ChecklistItem.sort_order"
    )

    def title(self, locale: str = "vi") -> str:
        return self.title_en if locale == "en" else self.title_vi


class ChecklistItem(Model):
    """A statement of the compliant state ("no latch inside room doors")."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    group_vi: Mapped[str] = mapped_column(String(120))
    group_en: Mapped[str] = mapped_column(String(120))
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(String(400))
    # Catalogue codes a "not compliant" answer suggests (only those in force are offered).
    proposes: Mapped[list] = mapped_column(JSONType, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")

    def text(self, locale: str = "vi") -> str:
        return self.text_en if locale == "en" else self.text_vi

    def group(self, locale: str = "vi") -> str:
        return self.group_en if locale == "en" else self.group_vi


inspection_agency = Table(
    "inspection_agency",
    db.metadata,
    Column("inspection_id", ForeignKey("inspection.id"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
)


class Inspection(Model):
    """A visit; only submitted ones count, drafts can change, submitted ones are amended."""

    __tablename__ = "inspection"
    __audited__ = True
    __table_args__ = (
        Index("ix_inspection_venue_status_on", "venue_id", "status", "inspected_on"),
        Index("ix_inspection_created_by_client_key", "created_by_id", "client_key", unique=True),
        # Lists show the newest first.
        Index("ix_inspection_inspected_at", "inspected_at"),
        # Coverage: the latest submitted inspection of each venue up to a day, by range.
        Index(
            "ix_inspection_submitted_chain",
            "next_submitted_on",
            "inspected_on",
            "venue_id",
            postgresql_where=text("status = 'submitted'"),
            sqlite_where=text("status = 'submitted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # When the visit happened, and its calendar day in the province's time zone (what the
    # coverage rule compares: dates are inclusive and local).
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # The Idempotency-Key the phone generated when the inspection was started.
    client_key: Mapped[str | None] = mapped_column(String(64))
    checklist_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("checklist_template.id"), index=True
    )
    # GPS proof: the fix when the inspection started and when it was submitted, with the
    # distance to the venue's registered location as the database computed it.
    start_latitude: Mapped[float | None] = mapped_column(Float)
    start_longitude: Mapped[float | None] = mapped_column(Float)
    start_accuracy_m: Mapped[float | None] = mapped_column(Float)
    start_fix_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_distance_m: Mapped[float | None] = mapped_column(Float)
    submit_latitude: Mapped[float | None] = mapped_column(Float)
    submit_longitude: Mapped[float | None] = mapped_column(Float)
    submit_accuracy_m: Mapped[float | None] = mapped_column(Float)
    submit_fix_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submit_distance_m: Mapped[float | None] = mapped_column(Float)
    presence: Mapped[str | None] = mapped_column(String(16))
    presence_reason: Mapped[str | None] = mapped_column(Text)
    representative_name: Mapped[str | None] = mapped_column(String(160))
    representative_role: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # For a submitted inspection: the date of the venue's next submitted one (9999-12-31 when
    # none); NULL otherwise. Kept by visits/chain.py; coverage reads the latest inspection up
    # to a day D as the row with inspected_on <= D < next_submitted_on.
    next_submitted_on: Mapped[date | None] = mapped_column(Date)

    venue: Mapped[Venue] = relationship()
    team: Mapped[Team | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    checklist_template: Mapped[ChecklistTemplate | None] = relationship()
    members: Mapped[list[InspectionMember]] = relationship(
        back_populates="inspection",
        cascade="all, delete-orphan",
        order_by="InspectionMember.sort_order",
    )
    agencies: Mapped[list[Agency]] = relationship(secondary=inspection_agency)
    answers: Mapped[list[InspectionAnswer]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="InspectionAnswer.id"
    )
    violation_rows: Mapped[list[RecordedViolation]] = relationship(
        back_populates="inspection",
        cascade="all, delete-orphan",
        order_by="RecordedViolation.sort_order, RecordedViolation.id",
    )
    photos: Mapped[list[InspectionPhoto]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="InspectionPhoto.id"
    )
    signatures: Mapped[list[InspectionSignature]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )
    amendments: Mapped[list[InspectionAmendment]] = relationship(
        back_populates="inspection", order_by="InspectionAmendment.id"
    )

    def __repr__(self) -> str:
        return f"<Inspection {self.id} venue={self.venue_id} {self.status} {self.inspected_on}>"


class InspectionMember(Model):
    """A person on the visit: an account, or a named officer without one."""

    __tablename__ = "inspection_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    full_name: Mapped[str] = mapped_column(String(160))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    inspection: Mapped[Inspection] = relationship(back_populates="members")
    agency: Mapped[Agency] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship()


class InspectionAmendment(Model):
    """A correction of a submitted inspection: why, who, when, and {field: [old, new]}."""

    __tablename__ = "inspection_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="amendments")
    created_by: Mapped[User | None] = relationship()


class InspectionAnswer(Model):
    """The answer to one checklist item; amended answers supersede, never overwrite."""

    __tablename__ = "inspection_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    answer: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_amendment.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_amendment.id"))

    inspection: Mapped[Inspection] = relationship(back_populates="answers")
    item: Mapped[ChecklistItem] = relationship(lazy="joined")


class InspectionPhoto(Model):
    """A photo taken at the visit, stored outside static/ under its SHA-256."""

    __tablename__ = "inspection_photo"
    __table_args__ = (UniqueConstraint("inspection_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    client_key: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(200))
    caption: Mapped[str | None] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="photos")
    item: Mapped[ChecklistItem | None] = relationship()


class InspectionSignature(Model):
    """A finger-drawn signature on the minutes, or the record that the person refused."""

    __tablename__ = "inspection_signature"
    __table_args__ = (UniqueConstraint("inspection_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    signer_name: Mapped[str | None] = mapped_column(String(160))
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stored_name: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="signatures")


class IdempotencyRecord(Model):
    """The first answer to a request carrying an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(200))
    # SHA-256 of method, path and canonical body: the same key with another body is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
