"""The plan's indicators, the figures units enter for them, and the reports as sent.

An indicator is one measurable target of a plan (or a figure the report carries beside the
targets). *Computed* indicators come from the data (``source`` names the rule); *reported*
ones are entered per unit and window (``ReportValue``) by the unit's coordinator, with
evidence files, and add up to the province. A sent report (``SentReport``) keeps its figures
as sent (``body``) and its documents (stored files): later data never changes it; a
correction is a new version of the same window and area.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..areas.models import Area
    from ..coverage.models import Plan

JSONType = JSON().with_variant(JSONB(), "postgresql")

KINDS = ("computed", "reported")
# How the achieved value is read against the target:
# share  = numerator / denominator in %, met when ≥ target;
# growth = change of the numerator over the denominator (the same window a year earlier) in %;
# count  = a figure without a target (violations, fines), shown for context.
COMPARES = ("share", "growth", "count")
# The rules of computed indicators (compute.py).
SOURCES = ("coverage", "ever_inspected", "tips_in_time", "violations", "fines")
INDICATOR_LEVELS = ("province", "district", "commune")


class Indicator(Model):
    """One target of a plan: its wording, what is counted, the target and who reports it."""

    __tablename__ = "report_indicator"
    __audited__ = True
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    # The target's number in the plan's list ("3" for the three groups reached by target 3);
    # None for figures the report carries without a target of the plan.
    target_no: Mapped[int | None] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(32))
    compare: Mapped[str] = mapped_column(String(16), default="share")
    # The level whose units enter a reported indicator (their figures add up above it).
    level: Mapped[str] = mapped_column(String(16), default="province")
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    numerator_vi: Mapped[str] = mapped_column(String(300))
    numerator_en: Mapped[str] = mapped_column(String(300))
    denominator_vi: Mapped[str | None] = mapped_column(String(300))
    denominator_en: Mapped[str | None] = mapped_column(String(300))
    target_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # The target as the plan words it ("≥ 50 %", "+3–5 %", "ít nhất mỗi tháng một lần").
    target_text_vi: Mapped[str | None] = mapped_column(String(120))
    target_text_en: Mapped[str | None] = mapped_column(String(120))

    plan: Mapped[Plan] = relationship()

    def text(self, locale: str = "vi") -> str:
        return self.text_en if locale == "en" else self.text_vi

    def __repr__(self) -> str:
        return f"<Indicator {self.code} plan={self.plan_id}>"


class ReportValue(Model):
    """The figure a unit entered for a reported indicator and a window (draft until sent)."""

    __tablename__ = "report_value"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("indicator_id", "window", "area_id"),
        Index("ix_report_value_window_area", "window", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("report_indicator.id"), index=True)
    # The reporting window's key, e.g. "report:2024-Q1" (coverage/periods.py).
    window: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    numerator: Mapped[int | None] = mapped_column(Integer)
    denominator: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    indicator: Mapped[Indicator] = relationship(lazy="joined")
    area: Mapped[Area] = relationship()
    updated_by: Mapped[User | None] = relationship()
    files: Mapped[list[ValueFile]] = relationship(
        back_populates="value", order_by="ValueFile.id", cascade="all, delete-orphan"
    )


class ValueFile(Model):
    """An evidence file of a reported value (PDF, JPEG or PNG, judged by its content)."""

    __tablename__ = "report_value_file"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("report_value.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    value: Mapped[ReportValue] = relationship(back_populates="files")


class SentReport(Model):
    """A report as sent: its figures (``body``) and documents, frozen; version 2 and later
    are supplementary reports (báo cáo bổ sung) of the same window and area."""

    __tablename__ = "sent_report"
    __audited__ = True
    # The body is the report itself (kept whole here); the audit trail names the version.
    __audit_exclude__ = ("body",)
    __table_args__ = (UniqueConstraint("window", "area_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    window: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The document's number and symbol as the office's register gave it ("15/BC-SYT").
    number: Mapped[str | None] = mapped_column(String(60))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[dict] = mapped_column(JSONType)
    body_sha256: Mapped[str] = mapped_column(String(64))
    xlsx_name: Mapped[str | None] = mapped_column(String(200))
    xlsx_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_name: Mapped[str | None] = mapped_column(String(200))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    # Set when the unit opened a correction of this version: its values may change again
    # until the next version is sent.
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan: Mapped[Plan] = relationship()
    area: Mapped[Area] = relationship()
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    @property
    def is_supplement(self) -> bool:
        """Version 2 and later correct an earlier report."""
        return self.version > 1
