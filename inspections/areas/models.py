"""Administrative units (province, district, commune) with official GSO codes and polygons."""

from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import db

LEVELS = ("province", "district", "commune")
# Units that predate the system's records carry this as valid_from.
SINCE_BEFORE_RECORDS = date(1, 1, 1)


class Area(db.Model):
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
    # A reference point (the geocoded seat of the unit), used to build demo boundaries.
    ref_lat: Mapped[float | None] = mapped_column(Float)
    ref_lon: Mapped[float | None] = mapped_column(Float)
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

    def __repr__(self) -> str:
        return f"<Area {self.level} {self.code} {self.name}>"

    @property
    def label(self) -> str:
        return self.name

    @property
    def is_demo_boundary(self) -> bool:
        return self.boundary_source == "demo"


# Whether an area has a polygon, without loading it.
Area.has_boundary = column_property(Area.__table__.c.geom.is_not(None))
