"""Versions of the administrative map: which units, levels and venue columns a day reads.

Since 1 July 2025 (Resolution 202/2025/QH15) Vietnam has two levels of local government and
Bình Thuận is part of Lâm Đồng; codes of Decision 19/2025/QĐ-TTg reuse former codes for other
units (22918 was Phường Hàm Tiến and is now Phường Mũi Né). An area code therefore means
nothing without the day it is read on: every query by area takes an ``as_of``.

A venue stores its unit in each version (``district_id``/``commune_id`` on the former map,
``commune_2025_id`` on today's); ``venue_area_column`` says which column groups by which
version, so aggregates stay one GROUP BY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, or_, select

from .. import clock
from ..errors import Invalid
from .models import LEVELS, SINCE_BEFORE_RECORDS, Area

# The first day of today's map (two-level local government).
REORGANISED_ON = date(2025, 7, 1)
LAST_FORMER_DAY = REORGANISED_ON - timedelta(days=1)
# Dates an as_of may take: the unified country's first lists, to a year ahead.
EARLIEST_AS_OF = date(1975, 1, 1)


@dataclass(frozen=True)
class Version:
    """One administrative map: its validity, its levels and the venue column of each level."""

    key: str
    valid_from: date
    valid_to: date | None
    levels: tuple[str, ...]
    # level -> name of the Venue column that holds the venue's unit of that level
    columns: tuple[tuple[str, str], ...]

    def column_name(self, level: str) -> str | None:
        """The Venue column of a level of this map (None for the province)."""
        return dict(self.columns).get(level)

    @property
    def top_column(self) -> str:
        """The Venue column of the top level (every map has one: district or commune)."""
        return dict(self.columns)[self.top_level]

    @property
    def lowest_level(self) -> str:
        """The level venues are assigned to first (the finest with polygons)."""
        return self.levels[-1]

    @property
    def top_level(self) -> str:
        """The level whose polygons make up the province's land ("outside the province")."""
        return self.levels[1]

    @property
    def label(self) -> str:
        """How the pages name the map, with its levels."""
        if self.valid_to is not None:
            return _("before 1/7/2025 (province, district, commune)")
        return _("since 1/7/2025 (province, commune)")

    @property
    def short_label(self) -> str:
        """ "before 1/7/2025" or "since 1/7/2025"."""
        return _("before 1/7/2025") if self.valid_to is not None else _("since 1/7/2025")


FORMER = Version(
    "former",
    SINCE_BEFORE_RECORDS,
    LAST_FORMER_DAY,
    ("province", "district", "commune"),
    (("district", "district_id"), ("commune", "commune_id")),
)
TWO_LEVEL = Version(
    "2025",
    REORGANISED_ON,
    None,
    ("province", "commune"),
    (("commune", "commune_2025_id"),),
)
VERSIONS = (FORMER, TWO_LEVEL)


def check_as_of(as_of: date) -> date:
    """The day, or Invalid when it lies before 1975 or more than a year ahead."""
    latest = clock.today() + timedelta(days=366)
    if as_of < EARLIEST_AS_OF or as_of > latest:
        raise Invalid(
            _(
                "The administrative map date %(d)s is out of range: give a day between "
                "%(a)s and %(b)s.",
                d=as_of.strftime("%d/%m/%Y"),
                a=EARLIEST_AS_OF.strftime("%d/%m/%Y"),
                b=latest.strftime("%d/%m/%Y"),
            ),
            field="as_of",
        )
    return as_of


def version_of(as_of: date | None = None) -> Version:
    """The map in force on a day (default: today)."""
    day = as_of or clock.today()
    for version in VERSIONS:
        if version.valid_from <= day and (version.valid_to is None or day <= version.valid_to):
            return version
    return VERSIONS[0]


def in_force_clause(as_of: date, area_cls: type[Area] = Area) -> ColumnElement[bool]:
    """WHERE clause: the unit is in force on the day."""
    return and_(
        area_cls.valid_from <= as_of,
        or_(area_cls.valid_to.is_(None), area_cls.valid_to >= as_of),
    )


def in_force(level: str, as_of: date | None = None) -> Select[Area]:
    """SELECT of the units of a level in force on a day (default today), in code order."""
    check_level(level)
    day = as_of or clock.today()
    return select(Area).where(Area.level == level, in_force_clause(day)).order_by(Area.code)


def check_level(level: str) -> str:
    """The level, or Invalid listing the accepted ones."""
    if level not in LEVELS:
        raise Invalid(
            _(
                "Unknown area level %(level)s; use one of %(levels)s.",
                level=level,
                levels=", ".join(LEVELS),
            ),
            field="level",
        )
    return level


def check_level_on(level: str, as_of: date) -> Version:
    """The map of the day, or Invalid when it has no such level (no districts since
    1 July 2025), saying how to get the former districts."""
    check_level(level)
    version = version_of(as_of)
    if level not in version.levels:
        raise Invalid(
            _(
                "There are no districts on the administrative map of %(d)s: since 1 July 2025 "
                "(Resolution 202/2025/QH15) local government has two levels, province and "
                "commune. Use level=commune, or as_of=2025-06-30 for the figures by former "
                "district.",
                d=as_of.strftime("%d/%m/%Y"),
            ),
            field="level",
        )
    return version


def venue_area_column(level: str, as_of: date) -> SQLColumnExpression[int | None]:
    """The venue column (or expression) naming the venue's unit of a level on a day's map.

    District and commune read a column of their own; the province is the parent of the
    venue's unit of the next level (one correlated lookup).
    """
    from ..venues.models import Venue

    version = check_level_on(level, as_of)
    name = version.column_name(level)
    if name is not None:
        return getattr(Venue, name)
    child = getattr(Venue, version.top_column)
    return select(Area.parent_id).where(Area.id == child).correlate(Venue).scalar_subquery()


def default_level(as_of: date) -> str:
    """The level the pages show by default: district before 1 July 2025, commune after."""
    return "district" if "district" in version_of(as_of).levels else "commune"


def day_of(area: Area) -> date:
    """A day the unit is in force: the map it belongs to."""
    return area.valid_to or area.valid_from


def venue_in(area: Area) -> ColumnElement[bool]:
    """WHERE clause: the venue lies in the unit, on the unit's own map (a province: in one of
    its units of the next level). What a list or a count "by area code" should use: the same
    code may name units of two maps."""
    from ..venues.models import Venue

    day = day_of(area)
    if area.level != "province":
        return venue_area_column(area.level, day) == area.id
    version = version_of(day)
    units = select(Area.id).where(Area.parent_id == area.id, Area.level == version.top_level)
    return getattr(Venue, version.top_column).in_(units)
