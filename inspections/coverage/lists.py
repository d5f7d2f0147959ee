"""The venues behind the figures: drill-down lists, the map's venue points and area shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Row, case, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from ..accounts.services import Scope
from ..areas.models import Area
from ..areas.versions import day_of, in_force_clause, venue_area_column, venue_in, version_of
from ..errors import Invalid
from ..extensions import db
from ..venues.models import Sector, Venue
from .periods import Period
from .plans import plan_for
from .rule import (
    EARLIER,
    FIGURES,
    IN_PERIOD,
    NEVER,
    Coverage,
    ever_clause,
    in_scope_clause,
    last_inspected_on,
    map_of,
    sector_by_code,
    visible_areas,
)


@dataclass
class VenueLine:
    """One venue behind a figure, with what the list and the map show of it."""

    id: int
    name: str
    address: str | None
    sector_code: str
    sector_name: str
    area_id: int | None
    last_on: date | None
    state: str
    lat: float
    lon: float
    distance_m: float | None = None
    past_violations: int = 0
    open_tips: int = 0


def figure_clause(figure: str, last_on, period: Period, baseline: date | None):
    """WHERE clause keeping the venues behind a figure of FIGURES."""
    if figure == "in_scope":
        return true()
    if figure == "inspected":
        return last_on >= period.start
    if figure == "not_inspected":
        return or_(last_on.is_(None), last_on < period.start)
    if figure == "ever_inspected":
        return ever_clause(last_on, baseline)
    if figure == "never_inspected":
        return last_on.is_(None) if baseline is None else or_(last_on.is_(None), last_on < baseline)
    raise Invalid(
        _("Unknown figure %(f)s; use one of %(all)s.", f=figure, all=", ".join(FIGURES)),
        field="figure",
    )


def state_of(last_on, period: Period, baseline: date | None):
    """The venue's state in the period: inspected, earlier (since the baseline) or never."""
    return case(
        (last_on >= period.start, literal(IN_PERIOD)),
        (ever_clause(last_on, baseline), literal(EARLIER)),
        else_=literal(NEVER),
    )


def _venue_select(
    period: Period,
    scope: Scope,
    sector_id: int | None,
    level: str | None,
    area: Area | None = None,
    as_of: date | None = None,
):
    """Venues in scope (of an area when given) with their last_on and their unit of a level
    on the map of as_of (see rule.map_of; an area's own level and map when given), as a
    subquery."""
    if area is not None:
        day, level = day_of(area), area.level
    else:
        day, level = map_of(period, as_of, level)
    area_col = venue_area_column(level, day)
    where = [venue_in(area)] if area is not None else []
    return (
        select(
            Venue.id,
            Venue.name,
            Venue.address,
            Venue.sector_id,
            area_col.label("area_id"),
            Venue.location,
            last_inspected_on(period).label("last_on"),
        )
        .where(in_scope_clause(period, sector_id), scope.venues(Venue), *where)
        .subquery("vs")
    )


def line_columns(vs, period: Period, baseline: date | None) -> list:
    """The labelled columns of a VenueLine, from a venue subquery joined to Sector."""
    return [
        vs.c.id,
        vs.c.name,
        vs.c.address,
        Sector.code.label("sector_code"),
        Sector.name_vi.label("sector_name_vi"),
        Sector.name_en.label("sector_name_en"),
        vs.c.area_id,
        vs.c.last_on,
        state_of(vs.c.last_on, period, baseline).label("state"),
        func.ST_Y(vs.c.location).label("lat"),
        func.ST_X(vs.c.location).label("lon"),
    ]


def venue_line(row, locale: str, **extra) -> VenueLine:
    """A VenueLine from a row of the line_columns, the sector named in the locale."""
    return VenueLine(
        id=row.id,
        name=row.name,
        address=row.address,
        sector_code=row.sector_code,
        sector_name=row.sector_name_en if locale == "en" else row.sector_name_vi,
        area_id=row.area_id,
        last_on=row.last_on,
        state=row.state,
        lat=float(row.lat),
        lon=float(row.lon),
        **extra,
    )


def venue_lines(
    period: Period,
    *,
    scope: Scope,
    figure: str = "in_scope",
    area: Area | None = None,
    sector: str | None = None,
    level: str | None = None,
    page: int = 1,
    per_page: int | None = 50,
    locale: str = "vi",
    as_of: date | None = None,
) -> tuple[int, list[VenueLine]]:
    """(total, one page of) the venues behind a figure of an area (or of the whole scope)."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _venue_select(
        period, scope, sector_obj.id if sector_obj else None, level, area, as_of=as_of
    )
    where = [figure_clause(figure, vs.c.last_on, period, targets.baseline_on)]
    total = db.session.execute(select(func.count()).select_from(vs).where(*where)).scalar_one()
    q = (
        select(*line_columns(vs, period, targets.baseline_on))
        .join(Sector, Sector.id == vs.c.sector_id)
        .where(*where)
        .order_by(vs.c.name, vs.c.id)
    )
    if per_page:
        q = q.offset((page - 1) * per_page).limit(per_page)
    return total, [venue_line(r, locale) for r in db.session.execute(q)]


# ---------------------------------------------------------------- what the map draws


def map_points(
    period: Period,
    *,
    scope: Scope,
    level: str | None,
    sector: str | None = None,
    as_of: date | None = None,
) -> list[Row]:
    """Every venue in scope as rows of (lat, lon, state, id, name, area_id), for the map."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _venue_select(period, scope, sector_obj.id if sector_obj else None, level, as_of=as_of)
    q = select(
        func.ST_Y(vs.c.location).label("lat"),
        func.ST_X(vs.c.location).label("lon"),
        state_of(vs.c.last_on, period, targets.baseline_on).label("state"),
        vs.c.id,
        vs.c.name,
        vs.c.area_id,
    ).order_by(vs.c.id)
    return list(db.session.execute(q))


# Simplification (degrees) per level: about 50 m for districts, 100 m for the small communes,
# invisible at the zoom that shows them whole and halving what the page carries.
SIMPLIFY = {"province": 0.001, "district": 0.0005, "commune": 0.001}


def area_shapes(level: str, scope: Scope, as_of: date) -> list[Row]:
    """Rows of (id, code, name, boundary_source, geojson text, label_lat, label_lon) of the
    units of a level on the map of a day that have a polygon, simplified in the database for
    size. A province is drawn as the union of its units' polygons (the part of it with
    boundaries loaded)."""
    tolerance = SIMPLIFY[level]
    if level == "province":
        return _province_shapes(scope, as_of, tolerance)
    pos = func.ST_PointOnSurface(Area.geom)
    q = (
        select(
            Area.id,
            Area.code,
            Area.name,
            Area.boundary_source,
            func.ST_AsGeoJSON(func.ST_SimplifyPreserveTopology(Area.geom, tolerance), 4).label(
                "geojson"
            ),
            func.ST_Y(pos).label("label_lat"),
            func.ST_X(pos).label("label_lon"),
        )
        .where(visible_areas(level, as_of, scope), Area.geom.is_not(None))
        .order_by(Area.code)
    )
    return list(db.session.execute(q))


def _province_shapes(scope: Scope, as_of: date, tolerance: float) -> list[Row]:
    unit = aliased(Area)
    level = version_of(as_of).top_level
    # Approximate when a unit's polygon is (demo) or when units have none (only the part of
    # the province with boundaries is drawn).
    approximate = or_(
        func.max(case((unit.boundary_source == "demo", 1), else_=0)) == 1,
        func.count(unit.id) > func.count(unit.geom),
    )
    merged = (
        select(
            unit.parent_id.label("id"),
            func.ST_Union(unit.geom).label("geom"),
            case((approximate, "demo"), else_="union").label("source"),
        )
        .where(unit.level == level, in_force_clause(as_of, unit))
        .group_by(unit.parent_id)
        .having(func.count(unit.geom) > 0)
        .subquery("merged")
    )
    pos = func.ST_PointOnSurface(merged.c.geom)
    q = (
        select(
            Area.id,
            Area.code,
            Area.name,
            merged.c.source.label("boundary_source"),
            func.ST_AsGeoJSON(func.ST_SimplifyPreserveTopology(merged.c.geom, tolerance), 4).label(
                "geojson"
            ),
            func.ST_Y(pos).label("label_lat"),
            func.ST_X(pos).label("label_lon"),
        )
        .join(merged, merged.c.id == Area.id)
        .where(visible_areas("province", as_of, scope))
        .order_by(Area.code)
    )
    return list(db.session.execute(q))


def map_areas(cov: Coverage, scope: Scope) -> tuple[list[Row], list[Row]]:
    """What the map draws of a figure set's units: (polygons, points of the units without
    one)."""
    shapes = area_shapes(cov.level, scope, cov.as_of)
    drawn = {s.id for s in shapes}
    return shapes, unit_points(
        [r.area_id for r in cov.rows if r.area_id is not None and r.area_id not in drawn]
    )


def unit_points(area_ids: list[int]) -> list[Row]:
    """Rows of (id, code, name, lat, lon) of units, for those drawn without a polygon."""
    if not area_ids:
        return []
    lat = func.coalesce(Area.point_lat, Area.ref_lat)
    lon = func.coalesce(Area.point_lon, Area.ref_lon)
    q = (
        select(Area.id, Area.code, Area.name, lat.label("lat"), lon.label("lon"))
        .where(Area.id.in_(area_ids), lat.is_not(None))
        .order_by(Area.code)
    )
    return list(db.session.execute(q))
