"""Rounds API: coordinators plan rounds; the phone reads its team's rounds and records the
venues it could not inspect (with the same Idempotency-Key rules as inspections)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

from .. import clock
from ..accounts.permissions import P, requires
from ..apidoc import Blueprint
from ..extensions import db
from ..visits import files, idempotency
from ..visits.api import IDEMPOTENCY_DOC
from . import access, outcomes, services
from .schemas import (
    OutcomeForm,
    OutcomeOut,
    OutcomePhoto,
    RoundIn,
    RoundOut,
    RoundPatchIn,
    RoundQuery,
    RoundSummaryOut,
    VenuesIn,
)

blp = Blueprint(
    "rounds_api",
    __name__,
    url_prefix="/api/v1/rounds",
    description="Inspection rounds: a team's venues for a period, their progress, and the "
    "venues the team could not inspect. Outcomes accept an Idempotency-Key header.",
)


@blp.before_request
def _refuse_oversized_uploads():
    files.refuse_oversized_body("rounds_api.record_outcome")


@blp.route("", methods=["GET"])
@blp.arguments(RoundQuery, location="query")
@blp.response(200, RoundSummaryOut(many=True))
@blp.paginate()
@requires(P.ROUNDS_READ)
def list_rounds(args, pagination_parameters):
    """The rounds the account may see (coordinators: their area's teams; others: their own
    teams), newest first; filter by status (planned, active, closed) and team."""
    q = services.rounds_for(
        current_user, when=args.get("status"), team_id=args.get("team_id"), today=clock.today()
    )
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(q.order_by(None).subquery())
    )
    page, size = pagination_parameters.page, pagination_parameters.page_size
    return list(db.session.scalars(q.offset((page - 1) * size).limit(size)))


@blp.route("", methods=["POST"])
@blp.arguments(RoundIn)
@blp.response(201, RoundOut)
@requires(P.ROUNDS_MANAGE)
def create_round(data):
    """Create a round for a team of the account's area, with its venues (venue_ids, and/or
    fill_limit venues from "what to inspect next"). 422 names what is wrong: a team outside
    the area, venues outside the team's area or closed before the round starts, dates
    reversed."""
    return services.save_round(current_user, None, **data)


@blp.route("/<int:round_id>", methods=["GET"])
@blp.response(200, RoundOut)
@requires(P.ROUNDS_READ)
def get_round(round_id: int):
    """One round: its venues with their state (done, could_not, todo), the venues another
    team also plans, and the coverage of the team's areas once the round is done."""
    return access.get_round(current_user, round_id)


@blp.route("/<int:round_id>", methods=["PATCH"])
@blp.arguments(RoundPatchIn)
@blp.response(200, RoundOut)
@requires(P.ROUNDS_MANAGE)
def patch_round(data, round_id: int):
    """Change the round's title, legal basis, dates, kind, team or unannounced flag (its list
    is checked again against the new team and dates)."""
    found = access.get_round(current_user, round_id, manage=True)
    values = {
        name: getattr(found, name)
        for name in (
            "team_id",
            "title",
            "kind",
            "decision_no",
            "decision_on",
            "starts_on",
            "ends_on",
            "unannounced",
        )
    }
    values.update(data)
    return services.save_round(current_user, found, **values)


@blp.route("/<int:round_id>/venues", methods=["PUT"])
@blp.arguments(VenuesIn)
@blp.response(200, RoundOut)
@requires(P.ROUNDS_MANAGE)
def put_venues(data, round_id: int):
    """Replace the round's list (in this order), then add fill_limit venues from "what to
    inspect next" for the team's area — or, with filter_id, the venues of the team's area that
    your saved venue filter finds (at most fill_limit when given). Another user's filter: 404."""
    found = access.get_round(current_user, round_id, manage=True)
    return services.set_venues(
        current_user, found, data["venue_ids"], data["fill_limit"], data["filter_id"]
    )


@blp.route("/<int:round_id>/outcomes", methods=["POST"])
@blp.arguments(OutcomeForm, location="form")
@blp.arguments(OutcomePhoto, location="files")
@blp.response(201, OutcomeOut)
@blp.alt_response(200, schema=OutcomeOut, description="The same outcome was already kept")
@blp.doc(**IDEMPOTENCY_DOC)
@requires(P.INSPECTIONS_WRITE)
def record_outcome(form, upload, round_id: int):
    """The team could not inspect a venue of the round: closed, not_found or refused, with a
    reason and an optional photo (multipart/form-data). It is not an inspection."""
    sent = upload.get("photo")
    data = None
    if sent is not None:
        try:
            data = sent.read(files.max_bytes() + 1) or None
        finally:
            sent.close()

    def action():
        found = access.get_round(current_user, round_id)
        outcome, created = outcomes.record_outcome(
            current_user,
            found,
            venue_id=form["venue_id"],
            kind=form["kind"],
            reason=form["reason"],
            photo=data,
            client_key=idempotency.key_from_request(),
        )
        return OutcomeOut().dump(outcome), (201 if created else 200)

    return idempotency.run(action, extra=data)
