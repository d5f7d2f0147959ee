"""Agencies, users, interagency teams, API tokens and login attempts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..areas.models import Area
from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model, db

AGENCY_CODES = ("labour", "police", "culture", "health", "border_guard", "district_committee")


class Agency(Model):
    """A government body that sends members to inspection teams."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    short_vi: Mapped[str | None] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # When the body existed (None: before the records; still existing). The Department of
    # Labour, Invalids and Social Affairs ended on 28 February 2025: its prostitution
    # prevention work went to the Department of Health (Decree 42/2025/NĐ-CP).
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale == "en" else self.name_vi

    def valid_on(self, day: date) -> bool:
        """Whether the body existed on the day."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class User(Model):
    """An account: one person, one agency, one role, one home area."""

    __tablename__ = "user_account"
    __audited__ = True
    __audit_name__ = "user"
    __audit_exclude__ = ("session_token", "last_login_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(32))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated on password change or disable: every session signed with the old one ends.
    session_token: Mapped[str] = mapped_column(String(64))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(lazy="joined")
    home_area: Mapped[Area | None] = relationship(lazy="joined")
    teams: Mapped[list[Team]] = relationship(
        secondary="team_member", back_populates="members", viewonly=True
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class Team(Model):
    """An interagency inspection team (đoàn kiểm tra liên ngành)."""

    __tablename__ = "team"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    active_from: Mapped[date] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    decision_no: Mapped[str | None] = mapped_column(String(60))  # the decision that set it up
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead_agency: Mapped[Agency] = relationship(lazy="joined")
    members: Mapped[list[User]] = relationship(
        secondary="team_member", back_populates="teams", viewonly=True
    )
    memberships: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )
    areas: Mapped[list[Area]] = relationship(secondary="team_area")

    def active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class TeamMember(Model):
    """A user in a team, as its lead or a member."""

    __tablename__ = "team_member"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(lazy="joined")


team_area = Table(
    "team_area",
    db.metadata,
    Column("team_id", ForeignKey("team.id"), primary_key=True),
    Column("area_id", ForeignKey("area.id"), primary_key=True),
)


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __audited__ = True
    __audit_exclude__ = ("last_used_at",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginAttempt(Model):
    """A login attempt, kept for rate limiting per account and per address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)
