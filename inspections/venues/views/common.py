"""What the registry's pages share: the user's scope, the list filters from the query
string, the choices of the forms, downloads and the map's configuration."""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import load_only

from ...accounts.services import Scope, scope_of
from ...areas.models import Area
from ...extensions import db
from ..models import LICENCE_KINDS, Sector
from ..schemas import VenueQuery

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def user_scope() -> Scope:
    """The signed-in user's area scope."""
    return scope_of(current_user)


def filters() -> tuple[dict, dict, dict]:
    """(loaded filters, errors, raw values for the form) from the query string."""
    raw = {k: v for k, v in request.args.items() if v.strip() and k != "page"}
    try:
        args = VenueQuery().load(request.args)
        errors: dict = {}
    except ValidationError as exc:
        errors = exc.messages_dict
        cleaned = request.args.copy()
        for key in errors:
            cleaned.poplist(key)
        args = VenueQuery().load(cleaned)
    return args, errors, raw


def choices() -> dict:
    """Sectors and the areas inside the user's scope, for filters and forms: today's communes
    under the province in force, then the former districts with their communes."""
    scope = user_scope()
    sectors = list(db.session.scalars(select(Sector).order_by(Sector.sort_order)))
    areas = list(
        db.session.scalars(
            select(Area)
            .options(
                load_only(Area.id, Area.code, Area.name, Area.level, Area.parent_id, Area.valid_to)
            )
            .where(Area.level.in_(("province", "district", "commune")), scope.areas(Area))
            .order_by(Area.code)
        )
    )
    areas = [a for a in areas if a.level != "province" or a.valid_to is None]
    today_units = {a.code for a in areas if a.valid_to is None}
    tops = [a for a in areas if a.level in ("province", "district")]
    groups = [(d, [a for a in areas if a.parent_id == d.id]) for d in tops]
    placed = {a.id for _d, cs in groups for a in [_d, *cs]}
    groups += [(a, []) for a in areas if a.id not in placed]
    # a former unit whose code today's map reused is chosen with its map's day
    values = {
        a.id: f"{a.code}@{a.valid_to.isoformat()}"
        for a in areas
        if a.valid_to is not None and a.code in today_units
    }
    return {
        "sectors": sectors,
        "area_groups": groups,
        "area_values": values,
        "licence_kinds": LICENCE_KINDS,
    }


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """A file to download, never cached."""
    resp = Response(body, content_type=mimetype)  # CSV names its charset itself
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def map_config() -> dict:
    """Tiles and boundary URLs for the pages' maps."""
    return {
        "tiles": current_app.config.get("TILE_URL") or "",
        "attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
        "boundaries": url_for("areas_api.boundaries", level="district"),
        "communes": url_for("areas_api.boundaries", level="commune"),
    }
