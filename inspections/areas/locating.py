"""Which unit a point is in, on each map, and keeping every venue's units current.

A venue belongs to one unit of each version of the map: its former district and commune
(``district_id``, ``commune_id``) and today's commune-level unit (``commune_2025_id``). The
former units come from the former polygons; today's unit from today's polygons, and where no
polygon says more from the predecessor mapping (a venue of a former commune that went whole
into one successor belongs to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    Case,
    ColumnElement,
    Select,
    SQLColumnExpression,
    Table,
    case,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .. import clock
from ..errors import Invalid
from ..extensions import db
from ..i18n import fmt_date
from ..spatial import distance_m, point_expr
from .models import WHOLE, Area, AreaPredecessor
from .versions import FORMER, LAST_FORMER_DAY, TWO_LEVEL, in_force_clause, version_of

# Vietnam's extent with a margin: coordinates outside it are a mistake, not a venue.
VN_BOUNDS = (101.5, 7.5, 118.0, 24.0)  # lon min, lat min, lon max, lat max


class OutsideArea(Invalid):
    """The point is not in, nor close to, any area of the province."""


@dataclass
class Located:
    """The units a point falls in: its former district and commune (what a venue stores as
    district_id/commune_id), and ``unit``, the commune-level unit on the map of ``as_of``
    (today's unit since 1 July 2025, the former commune before); snapped_m is set when the
    point lay outside every polygon and went to the nearest."""

    district: Area
    commune: Area | None
    snapped_m: float | None = None
    unit: Area | None = None
    province: Area | None = None
    as_of: date | None = None


def check_coordinates(latitude: float, longitude: float) -> None:
    """Refuse coordinates that cannot be a place in Vietnam, saying why."""
    if latitude is None or longitude is None:
        raise Invalid(_("Latitude and longitude are both required."), field="location")
    lon_min, lat_min, lon_max, lat_max = VN_BOUNDS
    if lon_min <= longitude <= lon_max and lat_min <= latitude <= lat_max:
        return
    if lon_min <= latitude <= lon_max and lat_min <= longitude <= lat_max:
        raise Invalid(
            _(
                "Latitude and longitude look swapped: %(lat)s, %(lon)s would be in Vietnam "
                "as latitude %(lon)s, longitude %(lat)s.",
                lat=latitude,
                lon=longitude,
            ),
            field="location",
        )
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):
        raise Invalid(
            _("Latitude must be between -90 and 90 and longitude between -180 and 180."),
            field="location",
        )
    raise Invalid(
        _("The point %(lat)s, %(lon)s is outside Vietnam.", lat=latitude, lon=longitude),
        field="location",
    )


def _official_first() -> Case[int]:
    """ORDER BY key: official polygons before approximate ones where both cover a point."""
    return case((Area.boundary_source == "demo", 1), else_=0)


def _containing(
    level: str, pt: ColumnElement[Any], day: date, parent_id: int | None = None
) -> Area | None:
    q = select(Area).where(
        Area.level == level,
        in_force_clause(day),
        Area.geom.is_not(None),
        func.ST_Intersects(Area.geom, pt),
    )
    if parent_id is not None:
        q = q.where(Area.parent_id == parent_id)
    return db.session.scalars(q.order_by(_official_first(), Area.code).limit(1)).first()


def _nearest(
    level: str, pt: ColumnElement[Any], day: date, parent_id: int | None = None
) -> tuple[Area | None, float | None]:
    dist = distance_m(Area.geom, pt)
    q = select(Area, dist.label("metres")).where(
        Area.level == level, in_force_clause(day), Area.geom.is_not(None)
    )
    if parent_id is not None:
        q = q.where(Area.parent_id == parent_id)
    row = db.session.execute(q.order_by(dist, Area.code).limit(1)).first()
    return (row.Area, float(row.metres)) if row else (None, None)


def _inside_the_province(latitude: float, longitude: float, day: date) -> float | None:
    """None when the point lies in a polygon of the day's map; the metres to the nearest when
    it lies within SNAP_DISTANCE_M of one; otherwise OutsideArea saying why."""
    level = version_of(day).top_level
    pt = point_expr(latitude, longitude)
    if _containing(level, pt, day) is not None:
        return None
    nearest, dist = _nearest(level, pt, day)
    if nearest is None or dist is None:  # both or neither
        message = (
            _("No district boundaries are loaded for %(d)s.", d=fmt_date(day))
            if level == "district"
            else _("No province boundary is loaded for %(d)s.", d=fmt_date(day))
            if level == "province"
            else _("No commune boundaries are loaded for %(d)s.", d=fmt_date(day))
        )
        raise OutsideArea(message, field="location")
    if dist <= float(current_app.config["SNAP_DISTANCE_M"]):
        return dist
    if _containing(level, point_expr(longitude, latitude), day) is not None:
        raise OutsideArea(
            _(
                "Latitude and longitude look swapped: the point fits only as latitude "
                "%(lon)s, longitude %(lat)s.",
                lat=latitude,
                lon=longitude,
            ),
            field="location",
        )
    raise OutsideArea(
        _(
            "The point %(lat)s, %(lon)s is %(km)s km outside the province's areas "
            "(nearest: %(name)s).",
            lat=latitude,
            lon=longitude,
            km=round(dist / 1000, 1),
            name=nearest.name,
        ),
        field="location",
    )


def first_successor(
    predecessor_id: int | SQLColumnExpression[int | None], level: str, day: date
) -> Select[int]:
    """SELECT of the unit in force on a day that a former unit went into: whole first, then
    the one with the main part of a divided unit, then by code (predecessor_id may be a
    column of a correlated query)."""
    return (
        select(AreaPredecessor.successor_id)
        .join(Area, Area.id == AreaPredecessor.successor_id)
        .where(
            AreaPredecessor.predecessor_id == predecessor_id,
            Area.level == level,
            in_force_clause(day),
        )
        .order_by(
            case((AreaPredecessor.kind == WHOLE, 0), else_=1),
            AreaPredecessor.main_part.desc(),
            Area.code,
        )
        .limit(1)
    )


def successor_on(commune: Area, day: date) -> Area | None:
    """The unit in force on a day that a former commune went into (see first_successor)."""
    first = first_successor(commune.id, commune.level, day).scalar_subquery()
    return db.session.scalars(select(Area).where(Area.id == first)).first()


def locate(latitude: float, longitude: float, as_of: date | None = None) -> Located:
    """The units containing a point, by point-in-polygon in the database.

    "Outside the province" is judged on the map in force on ``as_of`` (default today): a
    point outside every polygon but within SNAP_DISTANCE_M of one (coast, simplified borders)
    goes to the nearest; further out it is refused with the distance.
    """
    check_coordinates(latitude, longitude)
    day = as_of or clock.today()
    snapped = _inside_the_province(latitude, longitude, day)
    pt = point_expr(latitude, longitude)
    former = LAST_FORMER_DAY
    district = _containing("district", pt, former) or _nearest("district", pt, former)[0]
    if district is None:
        raise OutsideArea(_("No district boundaries are loaded."), field="location")
    commune = (
        _containing("commune", pt, former, district.id)
        or _nearest("commune", pt, former, district.id)[0]
    )
    if version_of(day) is FORMER:
        unit = commune
    else:
        unit = (
            _containing("commune", pt, day)
            or (successor_on(commune, day) if commune else None)
            or _nearest("commune", pt, day)[0]
        )
    province: Area | None = unit or district
    while province is not None and province.level != "province":
        province = province.parent
    return Located(
        district=district,
        commune=commune,
        snapped_m=snapped,
        unit=unit,
        province=province,
        as_of=day,
    )


# ---------------------------------------------------------------- venues' units


def _current_unit_of_venue() -> ColumnElement[int | None]:
    """Per venue (correlated): its commune-level unit on today's map: the polygon that holds
    its point, else the successor of its former commune (whole first, then the main part)."""
    from ..venues.models import Venue

    day = TWO_LEVEL.valid_from
    inside = (
        select(Area.id)
        .where(
            Area.level == "commune",
            in_force_clause(day),
            Area.geom.is_not(None),
            func.ST_Intersects(Area.geom, Venue.location),
        )
        .order_by(_official_first(), Area.code)
        .limit(1)
        .correlate(Venue)
        .scalar_subquery()
    )
    mapped = first_successor(Venue.commune_id, "commune", day).correlate(Venue).scalar_subquery()
    return func.coalesce(inside, mapped)


def place_on_todays_map(connection: Connection, venue_ids: list[int] | None = None) -> None:
    """Set today's unit (commune_2025_id) of venues from their location, in one UPDATE."""
    from ..venues.models import Venue

    table = cast(Table, Venue.__table__)  # typed as any FromClause; Venue is declared on a table
    stmt = update(table).values(commune_2025_id=_current_unit_of_venue())
    if venue_ids is not None:
        stmt = stmt.where(table.c.id.in_(venue_ids))
    connection.execute(stmt)


def assign_venue_areas(venue_ids: list[int] | None = None) -> int:
    """Set the units of venues on every map from their location, in SQL; returns how many
    venues changed units.

    Venues outside every former polygon (a coast point) are then snapped one by one with
    locate() on the former map.
    """
    from ..venues.models import Venue

    former = LAST_FORMER_DAY

    def inside(
        level: str, parent_col: SQLColumnExpression[int | None] | None = None
    ) -> ColumnElement[int]:
        sub = select(Area.id).where(
            Area.level == level,
            in_force_clause(former),
            Area.geom.is_not(None),
            func.ST_Intersects(Area.geom, Venue.location),
        )
        if parent_col is not None:
            sub = sub.where(Area.parent_id == parent_col)
        return sub.order_by(_official_first(), Area.code).limit(1).scalar_subquery()

    scope = [] if venue_ids is None else [Venue.id.in_(venue_ids)]
    units = select(Venue.id, Venue.district_id, Venue.commune_id, Venue.commune_2025_id)

    def unit_map() -> dict[int, tuple[int | None, int | None, int | None]]:
        return {
            r.id: (r.district_id, r.commune_id, r.commune_2025_id)
            for r in db.session.execute(units.where(*scope))
        }

    before = unit_map()
    db.session.execute(
        update(Venue)
        .where(*scope)
        .values(district_id=inside("district"))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Venue)
        .where(*scope, Venue.district_id.is_not(None))
        .values(commune_id=inside("commune", Venue.district_id))
        .execution_options(synchronize_session=False)
    )
    leftovers = db.session.execute(
        select(
            Venue.id, func.ST_Y(Venue.location).label("lat"), func.ST_X(Venue.location).label("lon")
        ).where(*scope, (Venue.district_id.is_(None)) | (Venue.commune_id.is_(None)))
    ).all()
    for row in leftovers:
        try:
            where = locate(row.lat, row.lon, as_of=former)
        except Invalid:
            continue  # stays without an area; the registry lists such venues for fixing
        db.session.execute(
            update(Venue)
            .where(Venue.id == row.id)
            .values(
                district_id=where.district.id,
                commune_id=where.commune.id if where.commune else None,
            )
            .execution_options(synchronize_session=False)
        )
    place_on_todays_map(db.session.connection(), venue_ids)
    db.session.expire_all()
    moved = [vid for vid, u in unit_map().items() if before.get(vid) != u]
    if moved:  # their address on today's map names their new unit
        from ..venues.todays_map import set_todays_addresses

        set_todays_addresses(moved)
    return len(moved)


def venues_off_todays_map() -> int:
    """How many located venues have no unit on today's map yet (after an upgrade)."""
    from ..venues.models import Venue

    return db.session.execute(
        select(func.count())
        .select_from(Venue)
        .where(Venue.commune_2025_id.is_(None), Venue.commune_id.is_not(None))
    ).scalar_one()


# ---------------------------------------------------------------- kept current on flush

_PENDING, _STALE = "areas_venues_moved", "areas_venues_placed"


@event.listens_for(Session, "before_flush")
def _collect_moved_venues(session: Session, _ctx, _instances) -> None:
    """Note venues created or moved (location or former commune changed), whoever writes
    them: their unit on today's map follows after the flush."""
    from ..venues.models import Venue

    moved = [obj for obj in session.new if isinstance(obj, Venue)]
    for obj in session.dirty:
        if not isinstance(obj, Venue):
            continue
        attrs = inspect(obj).attrs
        if attrs.location.history.has_changes() or attrs.commune_id.history.has_changes():
            moved.append(obj)
    if moved:
        session.info.setdefault(_PENDING, []).extend(moved)


@event.listens_for(Session, "after_flush")
def _place_moved_venues(session: Session, _ctx) -> None:
    moved = session.info.pop(_PENDING, None)
    if not moved:
        return
    ids = sorted({obj.id for obj in moved if obj.id is not None})
    if ids:
        place_on_todays_map(session.connection(), ids)
        session.info[_STALE] = moved


@event.listens_for(Session, "after_flush_postexec")
def _forget_placed(session: Session, _ctx) -> None:
    """The UPDATE bypassed the identity map: loaded venues read their unit afresh."""
    for obj in session.info.pop(_STALE, None) or ():
        if inspect(obj).persistent:
            session.expire(obj, ["commune_2025_id", "commune_2025"])
