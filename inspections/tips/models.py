"""A tip about a venue (or not yet tied to one), with its handling deadline and outcome."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..areas.models import Area
    from ..venues.models import Venue
    from ..visits.models import Inspection

TIP_SOURCES = ("citizen", "agency", "hotline", "media", "other")
TIP_CLASSES = ("prostitution", "drugs", "gambling", "licence", "other")
TIP_OUTCOMES = ("confirmed", "unfounded", "transferred")
SUMMARY_MAX = 2000


class Tip(Model):
    """One tip: received on a day, to be handled by its due day, closed with an outcome."""

    __tablename__ = "tip"
    __audited__ = True
    __table_args__ = (Index("ix_tip_open_due", "closed_on", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date] = mapped_column(Date)
    verification: Mapped[str | None] = mapped_column(Text)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    venue: Mapped[Venue | None] = relationship()
    district: Mapped[Area | None] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def handled_in_time(self) -> bool | None:
        """True/False once closed; None while open."""
        if self.closed_on is None:
            return None
        return self.closed_on <= self.due_on
