"""The venue list with its filters, and venues near a point (“near me”)."""

from __future__ import annotations

from flask import render_template, request
from marshmallow import ValidationError
from sqlalchemy import select

from ... import clock
from ...accounts.permissions import P, requires
from ...errors import NotFound
from ...extensions import db
from .. import queries
from ..geo import format_point
from ..models import Sector
from ..schemas import VenueQuery
from . import bp
from .common import choices, filters, map_config, user_scope

PER_PAGE = 25
NEAR_LIMIT = 30


@bp.get("/venues")
@requires(P.VENUES_READ)
def index():
    args, errors, raw = filters()
    page_no = max(1, request.args.get("page", 1, type=int) or 1)
    try:
        page = queries.page_of(args, user_scope(), clock.today(), page_no, PER_PAGE)
    except NotFound as exc:
        errors = {**errors, "area": [exc.message]}
        args.pop("area", None)
        raw.pop("area", None)
        page = queries.page_of(args, user_scope(), clock.today(), page_no, PER_PAGE)
    since, until = queries.period(args, clock.today())
    return render_template(
        "venues/index.html",
        page=page,
        args=args,
        raw=raw,
        errors=errors,
        period=(since, until),
        query_string=request.query_string.decode(),
        **choices(),
    ), (422 if errors else 200)


@bp.get("/venues/near")
@requires(P.VENUES_READ)
def near():
    errors, rows, here = {}, [], None
    raw = {k: v for k, v in request.args.items() if v.strip()}
    text = raw.get("at") or (f"{raw['lat']}, {raw['lon']}" if "lat" in raw and "lon" in raw else "")
    if text:
        try:
            args = VenueQuery().load(
                {
                    "near": text,
                    **({"sector": raw["sector"]} if raw.get("sector") else {}),
                    "status": "open",
                }
            )
        except ValidationError as exc:
            errors = {"at": exc.messages.get("near", exc.messages.get("sector", ["?"]))}
        else:
            here = args["near"]
            rows = queries.first(args, user_scope(), clock.today(), NEAR_LIMIT)
    accuracy = request.args.get("acc", type=float)
    return render_template(
        "venues/near.html",
        rows=rows,
        venues_json=[[r.latitude, r.longitude, r.venue.name] for r in rows],
        here=here,
        here_text=format_point(*here) if here else raw.get("at", ""),
        accuracy=accuracy,
        errors=errors,
        sector=raw.get("sector", ""),
        sectors=list(db.session.scalars(select(Sector).order_by(Sector.sort_order))),
        map_config=map_config(),
    ), (422 if errors else 200)
