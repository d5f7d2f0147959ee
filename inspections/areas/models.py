"""Administrative units (province, district, commune) with official GSO codes and polygons."""

from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import Model

LEVELS = ("province", "district", "commune")
# Units that predate the system's records carry this as valid_from.
SINCE_BEFORE_RECORDS = date(1, 1, 1)
# How a predecessor passed into a successor: all of it, or a part (it was divided).
WHOLE, SPLIT = "whole", "split"
PREDECESSOR_KINDS = (WHOLE, SPLIT)


class Area(Model):
    """One administrative unit during one validity interval."""

    __tablename__ = "area"
    __audited__ = True
    __table_args__ = (UniqueConstraint("code", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    unit_type: Mapped[str | None] = mapped_column(String(40))
    search_text: Mapped[str] = mapped_column(String(240), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date, default=SINCE_BEFORE_RECORDS)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # A reference point (the geocoded seat of a former commune), used to build demo boundaries
    # (and the demo venues around it).
    ref_lat: Mapped[float | None] = mapped_column(Float)
    ref_lon: Mapped[float | None] = mapped_column(Float)
    # A point of the unit from the GSO list (provinces and today's units): where the unit is
    # drawn when it has no polygon, and the seed of the split of a divided commune.
    point_lat: Mapped[float | None] = mapped_column(Float)
    point_lon: Mapped[float | None] = mapped_column(Float)
    # Natural area in km² as published with the list (today's units).
    area_km2: Mapped[float | None] = mapped_column(Float)
    # Codes of the units that took this one over in the 1 July 2025 reorganisation.
    successor_codes: Mapped[str | None] = mapped_column(String(120))
    # "demo" (built by the project, approximate) or the file official polygons came from.
    boundary_source: Mapped[str | None] = mapped_column(String(200))
    # Deferred: an area is loaded on every request (the user's home area) and in lists; its
    # polygon is read only where it is drawn or tested (SQL functions, or undefer()).
    geom = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True, deferred=True
    )

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent")
    # The units this one was formed from, and the units it went into (the reorganisation).
    predecessor_links: Mapped[list[AreaPredecessor]] = relationship(
        foreign_keys="AreaPredecessor.successor_id",
        back_populates="successor",
        cascade="all, delete-orphan",
        order_by="AreaPredecessor.id",
    )
    successor_links: Mapped[list[AreaPredecessor]] = relationship(
        foreign_keys="AreaPredecessor.predecessor_id",
        back_populates="predecessor",
        order_by="AreaPredecessor.id",
    )
    # Whether an area has a polygon, without loading it.
    has_boundary: Mapped[bool] = column_property(geom.is_not(None))

    def __repr__(self) -> str:
        return f"<Area {self.level} {self.code} {self.name}>"

    @property
    def label(self) -> str:
        return self.name

    @property
    def is_demo_boundary(self) -> bool:
        return self.boundary_source == "demo"

    @property
    def lat(self) -> float | None:
        """The unit's point: its own, else the seat of a former commune."""
        return self.point_lat if self.point_lat is not None else self.ref_lat

    @property
    def lon(self) -> float | None:
        """See lat."""
        return self.point_lon if self.point_lon is not None else self.ref_lon


class AreaPredecessor(Model):
    """A unit a successor was formed from (1 July 2025): whole, or a part of a divided one."""

    __tablename__ = "area_predecessor"
    __audited__ = True
    __table_args__ = (UniqueConstraint("successor_id", "predecessor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    # WHOLE: the predecessor went entirely into this successor; SPLIT: it was divided among
    # several successors and this one received a part.
    kind: Mapped[str] = mapped_column(String(8))
    # For a SPLIT: this successor received the main part (the converter's default ward).
    main_part: Mapped[bool] = mapped_column(Boolean, default=False)

    successor: Mapped[Area] = relationship(
        foreign_keys=[successor_id], back_populates="predecessor_links"
    )
    predecessor: Mapped[Area] = relationship(
        foreign_keys=[predecessor_id], back_populates="successor_links"
    )
