"""Sectors and venues."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..areas.models import Area
from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db

SECTOR_CODES = ("karaoke", "dance_hall", "massage", "lodging", "bar", "spa_sauna", "hair_wash")
VENUE_STATUSES = ("operating", "suspended", "closed")


class Sector(db.Model):
    """A business line prone to prostitution, with a stable code."""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    # What "number of rooms" counts for this sector (rooms, beds...), in both languages.
    capacity_vi: Mapped[str | None] = mapped_column(String(60))
    capacity_en: Mapped[str | None] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale == "en" else self.name_vi


class Venue(db.Model):
    """A business in a sensitive sector, at one place, with its lifecycle."""

    __tablename__ = "venue"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(String(600), default="")
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    # Business registration number (mã số hộ kinh doanh / doanh nghiệp): the import's match key.
    registration_no: Mapped[str | None] = mapped_column(String(40), index=True)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="operating", index=True)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Set when this record was a duplicate merged into another venue: it then counts nowhere.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sector: Mapped[Sector] = relationship(lazy="joined")
    district: Mapped[Area | None] = relationship(foreign_keys=[district_id])
    commune: Mapped[Area | None] = relationship(foreign_keys=[commune_id])
    merged_into: Mapped[Venue | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Venue {self.id} {self.name}>"
