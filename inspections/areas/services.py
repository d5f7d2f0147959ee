"""What other rooms use of the areas: units by code on a day, a venue's units through the
reorganisation, which unit a point is in, loading lists and boundaries.

The functions live in their modules (versions, locating, loading, boundaries); they are
named here too because this is where the rest of the app looks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock
from ..errors import NotFound
from ..extensions import db
from .boundaries import (
    BoundaryReport,
    import_boundaries,
    load_boundary_file,
    map_day,
    parse_boundaries,
)
from .loading import load_successor_units, load_todays_map, load_unit_list, upsert_area
from .locating import (
    VN_BOUNDS,
    Located,
    OutsideArea,
    assign_venue_areas,
    check_coordinates,
    locate,
    successor_on,
)
from .models import SPLIT, Area
from .versions import (
    REORGANISED_ON,
    Version,
    check_as_of,
    check_level_on,
    day_of,
    default_level,
    in_force,
    in_force_clause,
    venue_area_column,
    venue_in,
    version_of,
)

__all__ = [
    "REORGANISED_ON",
    "VN_BOUNDS",
    "BoundaryReport",
    "Located",
    "OutsideArea",
    "UnitHistory",
    "Version",
    "area_on",
    "assign_venue_areas",
    "check_as_of",
    "check_coordinates",
    "check_level_on",
    "day_of",
    "default_level",
    "get_area",
    "import_boundaries",
    "in_force",
    "in_force_clause",
    "load_boundary_file",
    "load_successor_units",
    "load_todays_map",
    "load_unit_list",
    "locate",
    "map_day",
    "parse_boundaries",
    "successor_on",
    "unit_history",
    "upsert_area",
    "venue_area_column",
    "venue_in",
    "version_of",
]


def get_area(code: str, as_of: date | None = None) -> Area:
    """The unit with this GSO code in force on as_of (default: its latest version), or
    NotFound naming the code (and the day)."""
    q = select(Area).where(Area.code == str(code))
    if as_of is not None:
        q = q.where(in_force_clause(as_of))
    area = db.session.scalars(q.order_by(Area.valid_from.desc())).first()
    if area is None:
        if as_of is not None:
            raise NotFound(
                _(
                    "No area has code %(code)s on %(d)s.",
                    code=code,
                    d=as_of.strftime("%d/%m/%Y"),
                ),
                field="area",
            )
        raise NotFound(_("Unknown area code %(code)s.", code=code), field="area")
    return area


def area_on(code: str, as_of: date | None = None) -> Area:
    """The unit a filter's area code names: the one in force on ``as_of`` (Invalid outside
    1975 … today + 1 year; NotFound when no unit has the code that day); without a day, the
    one in force today, else the code's latest unit (a former district: its code was not
    reused). 22918 is Phường Mũi Né today and Phường Hàm Tiến with as_of=2025-06-30."""
    if as_of is not None:
        return get_area(code, check_as_of(as_of))
    found = db.session.scalars(
        select(Area).where(Area.code == str(code), in_force_clause(clock.today()))
    ).first()
    return found if found is not None else get_area(code)


@dataclass
class UnitHistory:
    """A venue's unit today and where it was before 1 July 2025, for display."""

    unit: Area | None
    former_commune: Area | None
    former_district: Area | None
    # Every unit today's unit was formed from (the venue lay in one of them).
    predecessors: list[Area] = field(default_factory=list)
    # The venue's former commune was divided among several of today's units.
    divided: bool = False

    @property
    def former_label(self) -> str:
        """ "Phường Hàm Tiến, Thành phố Phan Thiết" (the former commune and district)."""
        return ", ".join(a.name for a in (self.former_commune, self.former_district) if a)

    @property
    def label(self) -> str:
        """ "Phường Mũi Né (before 1/7/2025: Phường Hàm Tiến, Thành phố Phan Thiết)"."""
        if self.unit is None:
            return self.former_label
        if not self.former_label:
            return self.unit.name
        return _(
            "%(unit)s (before 1/7/2025: %(former)s)", unit=self.unit.name, former=self.former_label
        )


def unit_history(venue) -> UnitHistory:
    """Today's unit of a venue with its predecessors, and the venue's former commune and
    district (UnitHistory.label says it in one line, in the user's language)."""
    unit = venue.commune_2025
    links = list(unit.predecessor_links) if unit is not None else []
    divided = any(link.kind == SPLIT and link.predecessor_id == venue.commune_id for link in links)
    return UnitHistory(
        unit=unit,
        former_commune=venue.commune,
        former_district=venue.district,
        predecessors=[link.predecessor for link in links],
        divided=divided,
    )
