"""Sectors, venues, their licences and lifecycle events."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from geoalchemy2 import Geometry
from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from ..areas.models import Area
from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model
from ..text import search_fold
from .addresses import commune_from_address, commune_key

SECTOR_CODES = ("karaoke", "dance_hall", "massage", "lodging", "bar", "spa_sauna", "hair_wash")
VENUE_STATUSES = ("operating", "suspended", "closed")
# Licences a venue may hold besides its business registration and its security-and-order
# certificate (which have their own columns): the conditional-business permits of Decree
# 54/2019 (karaoke, dance hall), fire safety, food safety, alcohol retail, and others.
LICENCE_KINDS = ("karaoke_dance", "fire_safety", "food_safety", "alcohol", "lodging", "other")
# What the lifecycle history records (status changes, moves, merges, labels re-issued).
EVENT_KINDS = ("suspended", "reopened", "closed", "moved", "merged_into", "merged_from", "label")
SEARCH_TEXT_MAX = 600


class Sector(Model):
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

    def capacity(self, locale: str = "vi") -> str | None:
        return self.capacity_en if locale == "en" else self.capacity_vi


class Venue(Model):
    """A business in a sensitive sector, at one place, with its lifecycle."""

    __tablename__ = "venue"
    __audited__ = True
    # Lists are sorted by the folded name: these indexes let a page be read in order, for
    # the whole province and within one district (every district account's own list).
    __table_args__ = (
        Index("ix_venue_search_order", "search_text", "id"),
        Index("ix_venue_district_order", "district_id", "search_text", "id"),
    )
    __audit_exclude__ = ("name_key", "address_commune_key", "earliest_expiry", "address_2025")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Derived (see _derive below): folded name, address and numbers for accent-free search,
    # and the folded name alone for the import's name + address match.
    search_text: Mapped[str] = mapped_column(String(600), default="")
    name_key: Mapped[str | None] = mapped_column(String(200), index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    # The one-line address as people write it; house number, street and the commune as
    # written are kept apart when known (the commune is compared with the derived one).
    address: Mapped[str | None] = mapped_column(String(300))
    house_no: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(160))
    address_commune: Mapped[str | None] = mapped_column(String(120))
    # Derived: the written commune reduced to a comparable key ("Phường Mũi Né" -> "mui ne"),
    # compared in SQL with the commune derived from the location.
    address_commune_key: Mapped[str | None] = mapped_column(String(120))
    # The address on today's map (since 1 July 2025), beside the address as written: what the
    # written one says below the commune, then today's unit and province. Kept by the write
    # path (services.set_todays_addresses) and `flask venues reindex`.
    address_2025: Mapped[str | None] = mapped_column(String(300))
    # Business registration number (mã số hộ kinh doanh / doanh nghiệp): the import's match key.
    registration_no: Mapped[str | None] = mapped_column(String(40), index=True)
    # Giấy chứng nhận đủ điều kiện về an ninh, trật tự (Decree 96/2016): number and date.
    security_cert_no: Mapped[str | None] = mapped_column(String(60), index=True)
    security_cert_on: Mapped[date | None] = mapped_column(Date)
    owner_name: Mapped[str | None] = mapped_column(String(160))
    owner_phone: Mapped[str | None] = mapped_column(String(32))
    # Karaoke rooms, lodging rooms, massage beds... (the sector says which).
    capacity: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # Derived: the earliest expiry of the venue's licences, kept by _licences_changed below,
    # so "licence expiring" is one indexed comparison rather than a join over licences.
    earliest_expiry: Mapped[date | None] = mapped_column(Date, index=True)
    # Derived: the day of the venue's latest submitted inspection, kept by visits/chain.py;
    # coverage reads it directly for any period ending on or after that day.
    last_submitted_on: Mapped[date | None] = mapped_column(Date)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    # district_id and commune_id are the former map (until 30/06/2025); this is the venue's
    # commune-level unit on today's map (since 01/07/2025), kept by areas/locating.py.
    commune_2025_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="operating", index=True)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Set when this record was a duplicate merged into another venue: it then counts nowhere.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    # Printed QR labels carry this number; re-issuing a label increments it, which makes
    # every earlier label of the venue stale.
    label_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sector: Mapped[Sector] = relationship(lazy="joined")
    district: Mapped[Area | None] = relationship(foreign_keys=[district_id])
    commune: Mapped[Area | None] = relationship(foreign_keys=[commune_id])
    commune_2025: Mapped[Area | None] = relationship(foreign_keys=[commune_2025_id])
    merged_into: Mapped[Venue | None] = relationship(remote_side=[id])
    licences: Mapped[list[VenueLicence]] = relationship(
        back_populates="venue",
        cascade="all, delete-orphan",
        order_by="VenueLicence.expires_on",
    )

    def address_on(self, day: date) -> str | None:
        """The address as a document of that day writes it: on today's map (the commune and
        province since 1 July 2025) from then on, else as written."""
        from ..areas.versions import REORGANISED_ON

        if day >= REORGANISED_ON and self.address_2025:
            return self.address_2025
        return self.address

    def __repr__(self) -> str:
        return f"<Venue {self.id} {self.name}>"


def _derive(_mapper, _connection, venue: Venue) -> None:
    """Keep the derived search columns right whoever writes the venue (forms, import, seed)."""
    venue.search_text = search_text_of(search_parts(venue, venue.address_2025))
    venue.name_key = name_key(venue.name)
    venue.address_commune_key = commune_key(
        venue.address_commune or commune_from_address(venue.address)
    )


def search_parts(venue, address_2025: str | None) -> list:
    """What a venue is found by: its name, its address as written and on today's map ("phan
    thiet" finds a venue of today's Phường Phan Thiết), its numbers and its owner."""
    return [
        venue.name,
        venue.address,
        address_2025,
        venue.registration_no,
        venue.security_cert_no,
        venue.owner_name,
        venue.owner_phone,
    ]


def search_text_of(parts) -> str:
    """The stored search text of a venue's name, address, numbers and owner."""
    return search_fold(" ".join(p for p in parts if p))[:SEARCH_TEXT_MAX]


def name_key(name: str | None) -> str:
    """The folded name with punctuation as spaces: the import's and duplicates' name match."""
    return search_fold(name)[:200]


event.listen(Venue, "before_insert", _derive)
event.listen(Venue, "before_update", _derive)


class VenueLicence(Model):
    """A licence or permit of a venue, with its expiry (the "licence expiring" filter)."""

    __tablename__ = "venue_licence"
    __table_args__ = (Index("ix_venue_licence_venue_expires", "venue_id", "expires_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(60), index=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    issuer: Mapped[str | None] = mapped_column(String(160))

    venue: Mapped[Venue] = relationship(back_populates="licences")

    def describe(self) -> str:
        """One line for the audit trail and exports: kind number (issued–expiry)."""
        dates = "–".join(
            d.strftime("%d/%m/%Y") if d else "…" for d in (self.issued_on, self.expires_on)
        )
        return f"{self.kind} {self.number} ({dates})"


def _licence_touched(_mapper, _connection, licence: VenueLicence) -> None:
    session = object_session(licence)
    if session is not None and licence.venue_id:
        session.info.setdefault("licence_venues", set()).add(licence.venue_id)


for _when in ("after_insert", "after_update", "after_delete"):
    event.listen(VenueLicence, _when, _licence_touched)


@event.listens_for(Session, "after_flush_postexec")
def _licences_changed(session: Session, _context) -> None:
    """Refresh the derived earliest expiry of venues whose licences were written."""
    ids = session.info.pop("licence_venues", None)
    if not ids:
        return
    earliest = (
        select(func.min(VenueLicence.expires_on))
        .where(VenueLicence.venue_id == Venue.id)
        .scalar_subquery()
    )
    table = cast(Table, Venue.__table__)  # typed as any FromClause; Venue is declared on a table
    session.connection().execute(
        update(table).where(Venue.id.in_(ids)).values(earliest_expiry=earliest)
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Venue) and obj.id in ids:
            session.expire(obj, ["earliest_expiry"])


class VenueEvent(Model):
    """One step of a venue's life: suspended, reopened, closed, moved, merged, re-labelled."""

    __tablename__ = "venue_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    other_venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    other_venue: Mapped[Venue | None] = relationship(foreign_keys=[other_venue_id])


class VenueDistinctPair(Model):
    """Two venues a coordinator declared not to be duplicates (hidden from that list)."""

    __tablename__ = "venue_distinct_pair"
    __table_args__ = (UniqueConstraint("low_id", "high_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    low_id: Mapped[int] = mapped_column(ForeignKey("venue.id"))
    high_id: Mapped[int] = mapped_column(ForeignKey("venue.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
