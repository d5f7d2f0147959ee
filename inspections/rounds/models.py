"""A round (đợt kiểm tra): a team, a period, a legal basis and its list of venues; the venues
its team could not inspect. Whether a venue is done is never stored: a submitted inspection of
the venue dated in the round's period counts for every round that lists it (services.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import Team, User
    from ..venues.models import Venue

ROUND_KINDS = ("month", "campaign")
ROUND_STATUSES = ("planned", "active", "closed")
OUTCOME_KINDS = ("closed", "not_found", "refused")


class Round(Model):
    """One round of a team: from starts_on to ends_on (inclusive local days)."""

    __tablename__ = "inspection_round"
    __audited__ = True
    __audit_name__ = "round"
    __table_args__ = (Index("ix_inspection_round_team_dates", "team_id", "ends_on", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="month")
    # The legal basis as on the team's paper: decision number and date.
    decision_no: Mapped[str | None] = mapped_column(String(60))
    decision_on: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # đột xuất: the list is shown only to the team and the coordinators
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_round.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(lazy="joined")
    venues: Mapped[list[RoundVenue]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundVenue.position"
    )

    def status_on(self, day: date) -> str:
        """planned (not started), active (in its period) or closed (its period ended)."""
        if day < self.starts_on:
            return "planned"
        return "active" if day <= self.ends_on else "closed"


class RoundVenue(Model):
    """A venue on a round's list, at a position (the coordinator's order)."""

    __tablename__ = "round_venue"
    __audited__ = True
    __table_args__ = (UniqueConstraint("round_id", "venue_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_round.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship(back_populates="venues")
    venue: Mapped[Venue] = relationship()


class RoundOutcome(Model):
    """The team could not inspect a venue of the round: closed, not found or entry refused,
    with a reason and an optional photo. It does not count as an inspection."""

    __tablename__ = "round_outcome"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("recorded_by_id", "client_key"),
        Index("ix_round_outcome_round_venue", "round_id", "venue_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_round.id"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    photo_key: Mapped[str | None] = mapped_column(String(300))
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    photo_type: Mapped[str | None] = mapped_column(String(40))
    # the phone's Idempotency-Key: the same outcome sent twice is kept once
    client_key: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship()
    venue: Mapped[Venue] = relationship()
    recorded_by: Mapped[User] = relationship()


class SavedFilter(Model):
    """A coordinator's saved filter of the venue list: exactly the list's query arguments
    (checked by venues.schemas.VenueQuery when saved and again when used), to fill rounds from.
    It is applied with its user's scope at use time."""

    __tablename__ = "saved_filter"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    args: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
