"""Areas API: the unit list, one unit, point lookup, boundaries as GeoJSON."""

from __future__ import annotations

import json

from flask import Response
from sqlalchemy import func, select

from ..accounts.permissions import P, requires
from ..apidoc import Blueprint
from ..extensions import db
from ..text import like_pattern
from . import services
from .models import Area
from .schemas import AreaOut, AreaQuery, AsOfQuery, GeoJSONQuery, LocateOut, LocateQuery
from .versions import check_as_of, in_force_clause

blp = Blueprint(
    "areas_api",
    __name__,
    url_prefix="/api/v1/areas",
    description="Administrative units (GSO codes) and point lookup",
)


@blp.route("")
@blp.arguments(AreaQuery, location="query")
@blp.response(200, AreaOut(many=True))
@blp.paginate()
@requires(P.VENUES_READ)
def list_areas(args, pagination_parameters):
    """Units, filtered by level, parent code, name and the day they are in force on (the same
    code may name two units on two maps)."""
    as_of = check_as_of(args["as_of"]) if "as_of" in args else None
    q = select(Area)
    if as_of:
        q = q.where(in_force_clause(as_of))
    if "level" in args:
        q = q.where(Area.level == args["level"])
    if "parent" in args:
        q = q.where(Area.parent_id == services.get_area(args["parent"], as_of).id)
    if args.get("q"):
        q = q.where(Area.search_text.like(like_pattern(args["q"]), escape="\\"))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(q.subquery())
    )
    page, size = pagination_parameters.page, pagination_parameters.page_size
    return db.session.scalars(
        q.order_by(Area.code, Area.valid_from).offset((page - 1) * size).limit(size)
    )


@blp.route("/locate")
@blp.arguments(LocateQuery, location="query")
@blp.response(200, LocateOut)
@requires(P.VENUES_READ)
def locate(args):
    """The units a point falls in: the former district and commune, and the commune-level unit
    and province on the map of as_of (default today); 422 when outside the province."""
    as_of = check_as_of(args["as_of"]) if "as_of" in args else None
    return services.locate(args["lat"], args["lon"], as_of)


@blp.route("/boundaries.geojson")
@blp.arguments(GeoJSONQuery, location="query")
@blp.response(200, content_type="application/geo+json")
@requires(P.VENUES_READ)
def boundaries(args):
    """A FeatureCollection of the polygons of one level on one map, made by the database."""
    day = services.map_day(args["level"], args.get("as_of"))
    rows = db.session.execute(
        select(
            Area.code,
            Area.name,
            Area.boundary_source,
            func.ST_AsGeoJSON(Area.geom, 5).label("geojson"),
        )
        .where(Area.level == args["level"], in_force_clause(day), Area.geom.is_not(None))
        .order_by(Area.code)
    ).all()
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": row.code,
                "name": row.name,
                "approximate": row.boundary_source == "demo",
            },
            "geometry": json.loads(row.geojson),
        }
        for row in rows
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return Response(body, mimetype="application/geo+json")


@blp.route("/<code>")
@blp.arguments(AsOfQuery, location="query")
@blp.response(200, AreaOut)
@requires(P.VENUES_READ)
def get_area(args, code: str):
    """One unit by GSO code: the one in force on as_of, or its latest version."""
    as_of = check_as_of(args["as_of"]) if "as_of" in args else None
    return services.get_area(code, as_of)
