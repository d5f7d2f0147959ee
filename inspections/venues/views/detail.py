"""The venue page: its record, map, lifecycle and history."""

from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from sqlalchemy import select

from ... import clock
from ...accounts.permissions import P, requires
from ...areas.services import unit_history
from ...extensions import db
from .. import queries, services
from ..history import change_log
from ..models import Venue
from . import bp
from .common import map_config, user_scope


@bp.get("/venues/<int:venue_id>")
@requires(P.VENUES_READ)
def detail(venue_id: int):
    venue = services.get_venue(venue_id, user_scope())
    lat, lon = services.lat_lon(venue)
    merged_from = list(
        db.session.scalars(select(Venue).where(Venue.merged_into_id == venue.id).order_by(Venue.id))
    )
    # the nearest other venues give the small map landmarks, with or without a base map
    neighbours = [
        [r.latitude, r.longitude, r.name]
        for r in queries.nearest((lat, lon), user_scope(), clock.today(), 16)
        if r.id != venue.id and (r.distance_m or 0) < 1500
    ]
    return render_template(
        "venues/detail.html",
        venue=venue,
        lat=lat,
        lon=lon,
        last_inspected_on=venue.last_submitted_on,
        mismatch=services.commune_mismatch(venue),
        units=unit_history(venue),
        merged_from=merged_from,
        neighbours=neighbours,
        change_log=change_log(venue.id, str(get_locale())),
        lifecycle=services.lifecycle(venue),
        today=clock.today(),
        map_config=map_config(),
    )
