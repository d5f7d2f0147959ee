"""Coverage API: the figure set, its GeoJSON, the map's venues, the venues behind a figure,
what to inspect next."""

from __future__ import annotations

import json

import orjson
from flask import Response
from flask_babel import get_locale
from flask_login import current_user

from ..accounts.permissions import P, requires
from ..accounts.services import scope_of
from ..apidoc import Blueprint
from ..clock import today as local_today
from ..http_cache import revalidated
from . import lists, next_visits, periods, rule
from .map_geojson import MapShapesOut, MapVenuesOut, area_features, venue_rows
from .schemas import (
    CoverageGeoOut,
    CoverageOut,
    CoverageQuery,
    NextOut,
    NextQuery,
    VenueListOut,
    VenueListQuery,
)

blp = Blueprint(
    "coverage_api",
    __name__,
    url_prefix="/api/v1",
    description="Coverage of the venues by inspections against the plan's targets",
)


def period_of(args: dict) -> periods.Period:
    """The period named by the query (this year when nothing is given)."""
    return periods.parse(
        args.get("period"), args.get("start"), args.get("end"), today=local_today()
    )


def _json(body: dict, mimetype: str) -> Response:
    """A schema's dump as compact JSON, in the order the schema declares and with Vietnamese
    unescaped (the answers of the figure sets; flask-smorest would sort the keys). orjson: the
    country's 3,321 communes encode in about 1 ms instead of 11."""
    return Response(orjson.dumps(body), mimetype=mimetype)


@blp.route("/coverage")
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, CoverageOut)
@requires(P.COVERAGE_READ)
def coverage(args):
    """Per area of a level: venues in scope, inspected, coverage against the target, ever
    inspected and never inspected, with the totals of the account's area."""
    cov = rule.coverage(
        period_of(args),
        args["level"],
        scope=scope_of(current_user),
        sector=args.get("sector"),
        by_sector=args["by_sector"],
        as_of=args.get("as_of"),
    )
    return _json(CoverageOut().dump(cov), "application/json")


@blp.route("/coverage.geojson")
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, CoverageGeoOut, content_type="application/geo+json")
@requires(P.COVERAGE_READ)
def coverage_geojson(args):
    """The same figures as a FeatureCollection of the area polygons (simplified); a unit
    without a polygon has its point, or no geometry."""
    scope = scope_of(current_user)
    cov = rule.coverage(
        period_of(args),
        args["level"],
        scope=scope,
        sector=args.get("sector"),
        as_of=args.get("as_of"),
    )
    shapes, unit_points = lists.map_areas(cov, scope)
    areas = area_features(cov, shapes, unit_points)
    return _json(CoverageGeoOut().dump(areas), "application/geo+json")


@blp.route("/coverage/map/venues")
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, MapVenuesOut)
@blp.doc(responses={"304": {"description": "Unchanged since the ETag given in If-None-Match"}})
@requires(P.COVERAGE_READ)
def coverage_map_venues(args):
    """The venues of the figure set as the map draws them, compact rows of [lat, lon, state,
    id, name, area id] (what the coverage page's map fetches). With an ETag: send it back in
    If-None-Match, unchanged rows answer 304."""
    period = period_of(args)
    as_of, level = rule.map_of(period, args.get("as_of"), args["level"])
    points = lists.map_points(
        period, scope=scope_of(current_user), level=level, sector=args.get("sector"), as_of=as_of
    )
    body = MapVenuesOut().dump({"venues": venue_rows(points)})
    return revalidated(_encoded(body), "application/json")


@blp.route("/coverage/map/shapes")
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, MapShapesOut, content_type="application/geo+json")
@blp.doc(responses={"304": {"description": "Unchanged since the ETag given in If-None-Match"}})
@requires(P.COVERAGE_READ)
def coverage_map_shapes(args):
    """The (simplified) polygons of the units of a level on the map of as_of that the
    account's figure sets show, by GSO code (what the coverage page's map fetches; no
    figures). With an ETag: send it back in If-None-Match, unchanged polygons answer 304."""
    as_of, level = rule.map_of(period_of(args), args.get("as_of"), args["level"])
    shapes = lists.area_shapes(level, scope_of(current_user), as_of)
    body = MapShapesOut().dump({"features": shapes})
    return revalidated(_encoded(body), "application/geo+json")


def _encoded(body: dict) -> bytes:
    """Compact UTF-8 JSON (the same content gives the same bytes, so the same ETag)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@blp.route("/coverage/venues")
@blp.arguments(VenueListQuery, location="query")
@blp.response(200, VenueListOut)
@requires(P.COVERAGE_READ)
def coverage_venues(args):
    """The venues behind one figure of one area (GSO code), in name order."""
    scope = scope_of(current_user)
    period = period_of(args)
    area = rule.area_asked(args["area"], scope, period, args.get("as_of"))
    total, lines = lists.venue_lines(
        period,
        scope=scope,
        figure=args["figure"],
        area=area,
        sector=args.get("sector"),
        page=args["page"],
        per_page=args["per_page"],
        locale=str(get_locale()),
    )
    return {
        "area": area.code,
        "figure": args["figure"],
        "period": period,
        "total": total,
        "page": args["page"],
        "per_page": args["per_page"],
        "venues": lines,
    }


@blp.route("/coverage/next")
@blp.arguments(NextQuery, location="query")
@blp.response(200, NextOut)
@requires(P.COVERAGE_READ)
def coverage_next(args):
    """How many more venues the area needs in the period to reach the target, and which to
    visit: never inspected first, then longest since the last inspection (distance in metres
    from lat/lon when given)."""
    scope = scope_of(current_user)
    period = period_of(args)
    area = rule.area_asked(args["area"], scope, period, args.get("as_of"))
    start = (args["lat"], args["lon"]) if "lat" in args and "lon" in args else None
    plan = next_visits.next_to_inspect(
        period,
        area,
        scope=scope,
        sector=args.get("sector"),
        start=start,
        limit=args["limit"],
        locale=str(get_locale()),
    )
    return {
        "period": period,
        "figures": plan.figures,
        "needed": plan.needed,
        "candidates": plan.candidates,
        "venues": plan.venues,
    }
