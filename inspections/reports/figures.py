"""The reports room's one door to the coverage rule, the plans and the administrative map.

Everything the reports read of coverage and areas passes here. Areas carry their versions
(a 2026 window reads Lâm Đồng 68 and its communes, a 2024 window the former Bình Thuận 60 and
its districts): an area is read on its own map (``versions.day_of``), its units are those of
that map, and venues are grouped by their unit column of that map.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from ..accounts.services import Scope
from ..areas import versions
from ..areas.models import Area
from ..coverage import periods, plans, rule
from ..extensions import db

day = rule.day


def parse_period(key: str) -> periods.Period:
    """The dates of a named period (the one parser of pages, API, exports and reports)."""
    return periods.parse(key)


def targets_for(period: periods.Period) -> plans.Targets:
    """The plan that applies to a period and its targets."""
    return plans.plan_for(period)


def area_by_code(code: str, as_of: date) -> Area:
    """The unit with this code on the map of ``as_of``, else its latest other version
    (NotFound naming the code)."""
    return rule.area_for(code, Scope(), as_of)


def province_on(as_of: date) -> Area | None:
    """The province of the map in force on a day (the latest one when none is in force)."""
    rows = list(
        db.session.scalars(
            select(Area).where(Area.level == "province").order_by(Area.valid_from.desc())
        )
    )
    for area in rows:
        if area.valid_from <= as_of and (area.valid_to is None or as_of <= area.valid_to):
            return area
    return rows[0] if rows else None


def scope_of_area(area: Area) -> Scope:
    """The scope that sees exactly one area: the figures "of the area" are those a user whose
    home is the area sees (the province sees everything)."""
    return Scope.of(area)


def unit_level(area: Area, as_of: date) -> str | None:
    """The level of the units an area's report lists row by row (None: the area is one)."""
    del as_of  # the area's own map decides
    if area.level == "province":
        return versions.version_of(versions.day_of(area)).top_level
    return {"district": "commune"}.get(area.level)


def totals_level(area: Area, as_of: date) -> str:
    """The level whose figure set gives the area's own totals, as the coverage API gives them
    to an account of the area (the province: the sum of its units)."""
    if area.level != "province":
        return area.level
    level = unit_level(area, as_of)
    assert level is not None  # a province's units are its map's top level
    return level


def areas_within(area: Area, level: str):
    """SELECT of the ids of the units of a level inside an area (the area itself at its own
    level; none above it). Written on an alias, so that it never correlates with a query of
    areas it is used in."""
    unit, parent = aliased(Area), aliased(Area)
    if level == area.level:
        return select(unit.id).where(unit.id == area.id)
    two_below = "district" in versions.version_of(versions.day_of(area)).levels
    if area.level == "province" and level == "commune" and two_below:
        return (
            select(unit.id)
            .join(parent, parent.id == unit.parent_id)
            .where(unit.level == level, parent.parent_id == area.id)
        )
    if area.level == "province" or (area.level == "district" and level == "commune"):
        return select(unit.id).where(unit.parent_id == area.id, unit.level == level)
    return select(unit.id).where(unit.id.is_(None))


def units_of(area: Area, level: str, as_of: date) -> list[Area]:
    """The units of a level inside an area, in code order."""
    del as_of  # the area's own map (areas_within)
    return list(
        db.session.scalars(
            select(Area).where(Area.id.in_(areas_within(area, level))).order_by(Area.code)
        )
    )


def coverage_set(period: periods.Period, area: Area, level: str) -> rule.Coverage:
    """The coverage figure set of an area's units of a level, by sector, with its totals."""
    return rule.coverage(
        period, level, scope=scope_of_area(area), by_sector=True, as_of=versions.day_of(area)
    )


def area_totals(period: periods.Period, area: Area) -> rule.Figures:
    """The coverage figures of one area (the same rule as the figure sets)."""
    return rule.area_figures(period, area, scope=Scope())


def venue_in(area: Area):
    """WHERE clause on Venue: the venue lies in the area."""
    return versions.venue_in(area)


def venue_unit_column(level: str, area: Area):
    """The Venue column naming its unit of a level, on the area's map."""
    return versions.venue_area_column(level, versions.day_of(area))


def sees(scope: Scope, area: Area) -> bool:
    """Whether an account's scope includes the area (the province only for province-wide
    accounts)."""
    return scope.everything or scope.allows_area(area)


def area_ids_seen(scope: Scope):
    """WHERE clause on Area: the units an account's scope includes."""
    if scope.everything:
        return Area.id.is_not(None)
    return or_(Area.id == scope.area_id, Area.parent_id == scope.area_id)
