"""The legal catalogue (what the law punishes) and the violations recorded at inspections.

A recorded violation of a submitted inspection is never edited in place: an amendment adds a
new row that ``supersedes`` the old one and marks the old one ``superseded_by`` the amendment
(or only marks it, when the violation was withdrawn). "Current" rows are those not superseded.
Follow-ups, payments and notes (issue 7) hang off ``recorded_violation.id``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..visits.models import ChecklistItem, Inspection, InspectionAmendment

JSONType = JSON().with_variant(JSONB(), "postgresql")

OFFENDER_TYPES = ("individual", "organisation")
# Consequences besides the fine that the catalogue and the minutes name.
MEASURES = (
    "warning",
    "suspension",
    "licence_withdrawal",
    "confiscation",
    "expulsion",
    "remedy",
)


class LegalViolation(Model):
    """One entry of the legal catalogue: a punishable conduct under one decree article."""

    __tablename__ = "legal_violation"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    decree: Mapped[str] = mapped_column(String(40))
    article: Mapped[int] = mapped_column(Integer)
    clause: Mapped[str | None] = mapped_column(String(8))
    point: Mapped[str | None] = mapped_column(String(8))
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    offender_types: Mapped[list] = mapped_column(JSONType, default=list)
    fine_individual_min: Mapped[int | None] = mapped_column(BigInteger)
    fine_individual_max: Mapped[int | None] = mapped_column(BigInteger)
    fine_organisation_min: Mapped[int | None] = mapped_column(BigInteger)
    fine_organisation_max: Mapped[int | None] = mapped_column(BigInteger)
    sectors: Mapped[list] = mapped_column(JSONType, default=list)
    measures: Mapped[list] = mapped_column(JSONType, default=list)
    valid_from: Mapped[date] = mapped_column(Date)
    # Last day in force (inclusive); None = still in force.
    valid_to: Mapped[date | None] = mapped_column(Date)
    replaced_by: Mapped[str | None] = mapped_column(String(40))
    sources: Mapped[list] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def title(self, locale: str = "vi") -> str:
        return self.title_en if locale == "en" else self.title_vi

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def fine_range(self, offender: str) -> tuple[int | None, int | None]:
        """(min, max) for an offender type; (None, None) when the catalogue gives none."""
        if offender == "organisation":
            return self.fine_organisation_min, self.fine_organisation_max
        return self.fine_individual_min, self.fine_individual_max

    def __repr__(self) -> str:
        return f"<LegalViolation {self.code}>"


class RecordedViolation(Model):
    """A violation found at an inspection: the offender, the fine set, measures, remedy."""

    __tablename__ = "recorded_violation"
    __table_args__ = (
        Index("ix_recorded_violation_venue_current", "venue_id", "superseded_by_id"),
        # The register reads current rows of submitted inspections newest first; the repeat
        # offender count reads them per venue in a date window; follow-up lists by deadline.
        Index("ix_recorded_violation_register", "in_register", "inspected_on", "id"),
        Index("ix_recorded_violation_venue_register", "venue_id", "in_register", "inspected_on"),
        Index("ix_recorded_violation_remedy", "remedy_status", "remedy_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    # Denormalised from the inspection (which never changes venue): venue histories and
    # registers filter on it without a join.
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    legal_violation_id: Mapped[int] = mapped_column(ForeignKey("legal_violation.id"), index=True)
    # The checklist item whose "not compliant" answer proposed it, when there was one.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    offender_type: Mapped[str] = mapped_column(String(16), default="individual")
    offender_name: Mapped[str | None] = mapped_column(String(200))
    fine_vnd: Mapped[int | None] = mapped_column(BigInteger)
    measures: Mapped[list] = mapped_column(JSONType, default=list)
    remedy: Mapped[str | None] = mapped_column(Text)
    remedy_deadline: Mapped[date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Amendment bookkeeping: which amendment added this row, which one replaced or withdrew
    # it, and the row it replaces.
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_amendment.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_amendment.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("recorded_violation.id"))

    # Register bookkeeping, kept by services.sync_register (submit, cancel, amend) and the
    # follow-up services: whether the row counts (current row of a submitted inspection), the
    # inspection day, the remedy's follow-up status (None without remedy; open, remedied,
    # escalated; "overdue" is derived: open past its deadline) and the last payment day.
    in_register: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    inspected_on: Mapped[date | None] = mapped_column(Date)
    remedy_status: Mapped[str | None] = mapped_column(String(16))
    remedied_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    # The inspection's agencies as bits (1 << agency.id): the register's agency filter reads
    # one column instead of joining inspection_agency for every row it counts.
    agency_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    legal: Mapped[LegalViolation] = relationship(lazy="joined")
    inspection: Mapped[Inspection] = relationship(back_populates="violation_rows")
    item: Mapped[ChecklistItem | None] = relationship()
    amendment: Mapped[InspectionAmendment | None] = relationship(foreign_keys=[amendment_id])
    superseded_by: Mapped[InspectionAmendment | None] = relationship(
        foreign_keys=[superseded_by_id]
    )

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    def __repr__(self) -> str:
        return f"<RecordedViolation {self.id} {self.legal_violation_id} insp={self.inspection_id}>"


REMEDY_STATUSES = ("open", "remedied", "escalated")
# What a reviewer records about a remedy: it was remedied (date + evidence), it was escalated
# (to the authority that decides closure or a new fine), a re-inspection checked it (linked),
# or it is open again (a remedy found undone).
FOLLOWUP_KINDS = ("remedied", "escalated", "reinspected", "reopened")
FOLLOWUP_STATUS = {"remedied": "remedied", "escalated": "escalated", "reopened": "open"}
# Longest reviewer note, in characters (a paragraph or two; longer material is a document).
NOTE_MAX = 2000


class ViolationFollowup(Model):
    """One follow-up step of a violation's remedy, with who and when."""

    __tablename__ = "violation_followup"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("recorded_violation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    violation: Mapped[RecordedViolation] = relationship()
    created_by: Mapped[User | None] = relationship()
    files: Mapped[list[FollowupFile]] = relationship(
        back_populates="followup", order_by="FollowupFile.id"
    )


class FollowupFile(Model):
    """An evidence photo of a follow-up, checked and stored like inspection photos."""

    __tablename__ = "followup_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("violation_followup.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    followup: Mapped[ViolationFollowup] = relationship(back_populates="files")


class FinePayment(Model):
    """A payment of the fine of a violation: day, receipt number, amount."""

    __tablename__ = "fine_payment"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("recorded_violation.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    receipt_no: Mapped[str] = mapped_column(String(60))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    violation: Mapped[RecordedViolation] = relationship()
    created_by: Mapped[User | None] = relationship()


class ReviewerNote(Model):
    """A reviewer's note on a venue or one of its violations, for the roles and agencies the
    author chose (",police,culture," - empty means everyone who may read violations)."""

    __tablename__ = "reviewer_note"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    violation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recorded_violation.id"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    audience_roles: Mapped[str] = mapped_column(String(200), default="")
    audience_agencies: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()

    def roles(self) -> list[str]:
        return [r for r in self.audience_roles.split(",") if r]

    def agencies(self) -> list[str]:
        return [a for a in self.audience_agencies.split(",") if a]
