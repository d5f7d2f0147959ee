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
from .schemas import AreaOut, AreaQuery, GeoJSONQuery, LocateOut, LocateQuery

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
    """Units, filtered by level, parent code and name."""
    q = select(Area)
    if "level" in args:
        q = q.where(Area.level == args["level"])
    if "parent" in args:
        q = q.where(Area.parent_id == services.get_area(args["parent"]).id)
    if args.get("q"):
        q = q.where(Area.search_text.like(like_pattern(args["q"]), escape="\\"))
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(q.subquery())
    )
    page, size = pagination_parameters.page, pagination_parameters.page_size
    return db.session.scalars(q.order_by(Area.code).offset((page - 1) * size).limit(size))


@blp.route("/locate")
@blp.arguments(LocateQuery, location="query")
@blp.response(200, LocateOut)
@requires(P.VENUES_READ)
def locate(args):
    """The district and commune a point falls in (422 when outside the province)."""
    return services.locate(args["lat"], args["lon"])


@blp.route("/boundaries.geojson")
@blp.arguments(GeoJSONQuery, location="query")
@blp.response(200, content_type="application/geo+json")
@requires(P.VENUES_READ)
def boundaries(args):
    """A FeatureCollection of the polygons of one level, made by the database."""
    rows = db.session.execute(
        select(Area.code, Area.name, Area.boundary_source, func.ST_AsGeoJSON(Area.geom, 5))
        .where(Area.level == args["level"], Area.geom.is_not(None))
        .order_by(Area.code)
    ).all()
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name, "approximate": source == "demo"},
            "geometry": json.loads(geom),
        }
        for code, name, source, geom in rows
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return Response(body, mimetype="application/geo+json")


@blp.route("/<code>")
@blp.response(200, AreaOut)
@requires(P.VENUES_READ)
def get_area(code: str):
    """One unit by GSO code."""
    return services.get_area(code)
