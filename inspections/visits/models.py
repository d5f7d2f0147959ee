"""Inspections (cuộc kiểm tra): one visit to one venue by one team.

This is the core every other capability reads (coverage counts submitted inspections by
``inspected_on``); the on-site workflow adds its own tables and columns around it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Team, User
from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from ..venues.models import Venue

INSPECTION_STATUSES = ("draft", "submitted", "cancelled")


class Inspection(db.Model):
    """A visit; only submitted ones count, drafts can change, submitted ones are amended."""

    __tablename__ = "inspection"
    __audited__ = True
    __table_args__ = (Index("ix_inspection_venue_status_on", "venue_id", "status", "inspected_on"),)

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

    venue: Mapped[Venue] = relationship()
    team: Mapped[Team | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Inspection {self.id} venue={self.venue_id} {self.status} {self.inspected_on}>"
