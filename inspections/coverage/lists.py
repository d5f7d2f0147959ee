"""The venues behind the figures: drill-down lists, the map's venue points and area shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, literal, or_, select, true

from ..accounts.services import Scope
from ..areas.models import Area
from ..errors import Invalid
from ..extensions import db
from ..venues.models import Sector, Venue
from .periods import Period
from .plans import plan_for
from .rule import (
    EARLIER,
    FIGURES,
    IN_PERIOD,
    LEVELS,
    NEVER,
    area_column,
    check_level,
    ever_clause,
    in_scope_clause,
    last_inspected_on,
    located_in,
    sector_by_code,
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
    period: Period, scope: Scope, sector_id: int | None, level: str, area: Area | None = None
):
    """Venues in scope (of an area when given) with their last_on, as a subquery."""
    area_col = area_column(level) if level in LEVELS else Venue.district_id
    where = [located_in(area)] if area is not None else []
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
    level: str = "district",
    page: int = 1,
    per_page: int | None = 50,
    locale: str = "vi",
) -> tuple[int, list[VenueLine]]:
    """(total, one page of) the venues behind a figure of an area (or of the whole scope)."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _venue_select(period, scope, sector_obj.id if sector_obj else None, level, area)
    where = [figure_clause(figure, vs.c.last_on, period, targets.baseline_on)]
    total = db.session.scalar(select(func.count()).select_from(vs).where(*where))
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


def map_points(period: Period, *, scope: Scope, level: str, sector: str | None = None) -> list:
    """Every venue in scope as rows of (lat, lon, state, id, name, area_id), for the map."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _venue_select(period, scope, sector_obj.id if sector_obj else None, level)
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
SIMPLIFY = {"district": 0.0005, "commune": 0.001}


def area_shapes(level: str, scope: Scope) -> list:
    """Rows of (id, code, name, boundary_source, geojson text, label_lat, label_lon) of the
    areas of a level, simplified in the database for size."""
    check_level(level)
    tolerance = SIMPLIFY[level]
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
        .where(Area.level == level, Area.geom.is_not(None), scope.areas(Area))
        .order_by(Area.code)
    )
    return list(db.session.execute(q))
