"""Venues API: the same filters, rules and area scope as the pages."""

from __future__ import annotations

from flask import g, url_for
from flask_login import current_user

from .. import clock
from ..accounts.permissions import P, requires
from ..accounts.services import scope_of
from ..apidoc import Blueprint
from . import queries, services
from .schemas import VenueApiQuery, VenueIn, VenueOut, VenuePatch

blp = Blueprint(
    "venues_api",
    __name__,
    url_prefix="/api/v1/venues",
    description="The venue registry (always limited to the account's area)",
)


def _out(venue, latitude=None, longitude=None, last=None, distance=None) -> dict:
    """A venue with what VenueOut shows beside its columns."""
    if latitude is None:
        latitude, longitude = services.lat_lon(venue)
        last = venue.last_submitted_on
    venue.latitude, venue.longitude = latitude, longitude
    venue.last_inspected_on, venue.distance_m = last, distance
    venue.commune_mismatch = services.commune_mismatch(venue)
    venue.page_url = url_for("venues.detail", venue_id=venue.id, _external=True)
    return venue


@blp.route("")
@blp.arguments(VenueApiQuery, location="query")
@blp.response(200, VenueOut(many=True))
@blp.paginate()
@requires(P.VENUES_READ)
def list_venues(args, pagination_parameters):
    """Venues matching the filters (near=lat,lon sorts by distance and adds distance_m).

    The X-Pagination total is exact up to 10,000; beyond, it says 10000 and the response
    carries `X-Total-Relation: gte` (at least that many), as search engines do.
    """
    scope, today = scope_of(current_user), clock.today()
    total, exact = queries.count(args, scope, today)
    pagination_parameters.item_count = total
    if not exact:  # as search engines say it: at least this many
        g.total_relation = "gte"
    page, size = pagination_parameters.page, pagination_parameters.page_size
    rows = queries.first(args, scope, today, size, (page - 1) * size, licences=True)
    return [_out(r.venue, r.latitude, r.longitude, r.last_inspected_on, r.distance_m) for r in rows]


@blp.after_app_request
def _total_relation(response):
    """Say when a list total was capped (see list_venues)."""
    if g.get("total_relation"):
        response.headers["X-Total-Relation"] = g.total_relation
    return response


@blp.route("", methods=["POST"])
@blp.arguments(VenueIn)
@blp.response(201, VenueOut)
@requires(P.VENUES_WRITE)
def create_venue(data):
    """Register a venue; district and commune are derived from latitude and longitude."""
    venue = services.create_venue(data, scope=scope_of(current_user), user=current_user)
    return _out(venue)


@blp.route("/<int:venue_id>")
@blp.response(200, VenueOut)
@requires(P.VENUES_READ)
def get_venue(venue_id: int):
    """One venue (404 when outside the account's area)."""
    return _out(services.get_venue(venue_id, scope_of(current_user)))


@blp.route("/<int:venue_id>", methods=["PATCH"])
@blp.arguments(VenuePatch(partial=True))
@blp.response(200, VenueOut)
@requires(P.VENUES_WRITE)
def patch_venue(data, venue_id: int):
    """Change some fields; status goes through the lifecycle rules (closing needs closed_on
    and status_reason); a new location re-derives district and commune."""
    scope = scope_of(current_user)
    venue = services.get_venue(venue_id, scope)
    services.update_venue(venue, data, scope=scope, user=current_user)
    return _out(venue)
