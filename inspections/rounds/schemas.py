"""Payloads of rounds: what a coordinator sends, what the phone sends when it could not
inspect a venue, and the one definition of every answer (dumped by the API; the offline pack
and the pages read the same services)."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from marshmallow import Schema, fields, pre_dump, validate

from .. import clock
from . import progress
from .models import OUTCOME_KINDS, ROUND_KINDS, ROUND_STATUSES
from .services import MAX_VENUES

TITLE = validate.Length(min=1, max=200)
LIMIT = validate.Range(min=0, max=MAX_VENUES)
IDS = fields.List(
    fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
    validate=validate.Length(max=MAX_VENUES),
)


# ---------------------------------------------------------------- in


class RoundIn(Schema):
    team_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    title = fields.String(required=True, validate=TITLE)
    kind = fields.String(load_default="month", validate=validate.OneOf(ROUND_KINDS))
    decision_no = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=60)
    )
    decision_on = fields.Date(load_default=None, allow_none=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    unannounced = fields.Boolean(load_default=False)
    venue_ids = IDS
    fill_limit = fields.Integer(
        load_default=0,
        validate=LIMIT,
        metadata={"description": 'add this many venues from "what to inspect next"'},
    )


class RoundPatchIn(Schema):
    team_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    title = fields.String(validate=TITLE)
    kind = fields.String(validate=validate.OneOf(ROUND_KINDS))
    decision_no = fields.String(allow_none=True, validate=validate.Length(max=60))
    decision_on = fields.Date(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    unannounced = fields.Boolean()


class VenuesIn(Schema):
    venue_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        required=True,
        validate=validate.Length(max=MAX_VENUES),
        metadata={"description": "the round's list, in the coordinator's order"},
    )
    fill_limit = fields.Integer(
        load_default=0,
        validate=LIMIT,
        metadata={"description": 'then add this many venues from "what to inspect next"'},
    )
    filter_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "instead, add the venues of the team's area found by this saved "
            "venue filter of yours (at most fill_limit when given), in the filter's order"
        },
    )


class RoundQuery(Schema):
    status = fields.String(validate=validate.OneOf(ROUND_STATUSES))
    team_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class OutcomeForm(Schema):
    venue_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    kind = fields.String(required=True, validate=validate.OneOf(OUTCOME_KINDS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class OutcomePhoto(Schema):
    photo = fields.Raw(metadata={"type": "string", "format": "binary"})


# ---------------------------------------------------------------- out


class RoundTeamOut(Schema):
    id = fields.Integer()
    name = fields.String()


class CountsOut(Schema):
    planned = fields.Integer()
    done = fields.Integer()
    could_not = fields.Integer()
    todo = fields.Integer()
    done_pct = fields.Float(allow_none=True)


class RoundSummaryOut(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    team = fields.Nested(RoundTeamOut)
    decision_no = fields.String(allow_none=True)
    decision_on = fields.Date(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    unannounced = fields.Boolean()
    status = fields.String(metadata={"enum": list(ROUND_STATUSES)})
    carried_from_id = fields.Integer(allow_none=True)
    counts = fields.Nested(CountsOut)
    url = fields.String()
    page = fields.String()

    @pre_dump
    def _view(self, found, **_kw):
        return {
            "id": found.id,
            "title": found.title,
            "kind": found.kind,
            "team": found.team,
            "decision_no": found.decision_no,
            "decision_on": found.decision_on,
            "starts_on": found.starts_on,
            "ends_on": found.ends_on,
            "unannounced": found.unannounced,
            "status": found.status_on(clock.today()),
            "carried_from_id": found.carried_from_id,
            "counts": progress.counts(found),
            "url": url_for("rounds_api.get_round", round_id=found.id),
            "page": url_for("rounds.detail", round_id=found.id),
            **self._more(found),
        }

    def _more(self, found) -> dict:
        return {}


class RoundVenueOut(Schema):
    venue_id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    sector = fields.String()
    sector_name = fields.Function(
        lambda s: s.sector_name_en if str(get_locale()) == "en" else s.sector_name_vi
    )
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    state = fields.String(metadata={"enum": ["done", "could_not", "todo"]})
    outcome = fields.String(allow_none=True, metadata={"enum": list(OUTCOME_KINDS)})


class ConflictOut(Schema):
    venue_id = fields.Integer()
    venue_name = fields.String()
    round_id = fields.Integer()
    round_title = fields.String()
    team_name = fields.String()


class ProjectionOut(Schema):
    area = fields.String(attribute="code")
    name = fields.String()
    in_scope = fields.Integer()
    inspected = fields.Integer()
    after = fields.Integer(metadata={"description": "inspected once the round is done"})
    now_pct = fields.Float(allow_none=True)
    after_pct = fields.Float(allow_none=True)
    target_pct = fields.Float()
    meets_after = fields.Boolean(allow_none=True)


class RoundOut(RoundSummaryOut):
    venues = fields.List(fields.Nested(RoundVenueOut))
    conflicts = fields.List(fields.Nested(ConflictOut))
    projection = fields.List(fields.Nested(ProjectionOut))

    def _more(self, found) -> dict:
        return {
            "venues": progress.venue_states(found),
            "conflicts": progress.conflicts(found, clock.today()),
            "projection": progress.projection(found),
        }


class OutcomeOut(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    venue_id = fields.Integer()
    kind = fields.String(metadata={"enum": list(OUTCOME_KINDS)})
    reason = fields.String()
    has_photo = fields.Function(lambda o: o.photo_key is not None)
    recorded_by = fields.Function(lambda o: o.recorded_by.full_name)
    recorded_at = fields.AwareDateTime()
