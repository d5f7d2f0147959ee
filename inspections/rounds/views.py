"""Round pages: the coordinator's list, form and round page (progress, conflicts, carry the
unfinished venues), and the inspector's "Đợt kiểm tra" page, drawn on the phone from the
offline pack so it works without a connection."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from .. import clock, storage
from ..accounts.permissions import P, requires
from ..accounts.services import scope_of, teams_in
from ..errors import InspectionsError, NotFound
from ..extensions import db
from ..forms import load_form
from . import access, filters, outcomes, progress, services
from .models import OUTCOME_KINDS, ROUND_KINDS, ROUND_STATUSES, RoundOutcome
from .schemas import LIMIT, TITLE

bp = Blueprint("rounds", __name__, url_prefix="/rounds")
PER_PAGE = 30
LABELS = {
    "month": _l("Monthly round"),
    "campaign": _l("Campaign"),
    "planned": _l("Planned"),
    "active": _l("Under way"),
    "closed": _l("Ended"),
    "done": _l("Done"),
    "todo": _l("Not yet"),
    "could_not": _l("Could not inspect"),
    "not_found": _l("Venue not found"),
    "refused": _l("Entry refused"),
}
CLOSED_LABEL = _l("Venue closed")


def label(code: str | None) -> str:
    """The words for a kind, status, state or outcome (an outcome "closed" is the venue's)."""
    if code == "closed_venue":
        return str(CLOSED_LABEL)
    return str(LABELS.get(code or "", code or ""))


@bp.app_context_processor
def _labels():
    return {"round_label": label}


class RoundForm(Schema):
    team_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    title = fields.String(required=True, validate=TITLE)
    kind = fields.String(load_default="month", validate=validate.OneOf(ROUND_KINDS))
    decision_no = fields.String(load_default=None, validate=validate.Length(max=60))
    decision_on = fields.Date(load_default=None)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    unannounced = fields.Boolean(load_default=False, metadata={"checkbox": True})
    venue_ids = fields.String(load_default="", validate=validate.Length(max=20_000))
    fill_limit = fields.Integer(load_default=0, validate=LIMIT)
    filter_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class SaveFilterForm(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=filters.NAME_MAX))
    query = fields.String(load_default="", validate=validate.Length(max=4000))


class CarryForm(Schema):
    into_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    title = fields.String(load_default=None, validate=TITLE)
    starts_on = fields.Date(load_default=None)
    ends_on = fields.Date(load_default=None)


class ListArgs(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(ROUND_STATUSES))


def _ids(text: str) -> list[int]:
    """Venue numbers typed one a line (or separated by commas or spaces; a leading # is fine)."""
    out = []
    for part in text.replace(",", " ").split():
        part = part.lstrip("#")
        if not part.isdigit() or len(part) > 9:
            raise InspectionsError(
                _("“%(text)s” is not a venue number.", text=part[:20]), field="venue_ids"
            )
        out.append(int(part))
    return out


@bp.get("")
@requires(P.ROUNDS_MANAGE)
def index():
    """The rounds of the teams of the coordinator's area, newest first."""
    args, errors = load_form(ListArgs(), request.args)
    q = services.rounds_for(current_user, when=(args or {}).get("status"), today=clock.today())
    page = db.paginate(q, per_page=PER_PAGE, error_out=False)
    return render_template(
        "rounds/index.html",
        page=page,
        counts=progress.counts_of(page.items),
        today=clock.today(),
        errors=errors,
        args={k: v for k, v in request.args.items() if k != "page"},
    ), 422 if errors else 200


def _form_page(found, values: dict, errors: dict, status: int = 200):
    today = clock.today()
    teams = [
        t
        for t in teams_in(scope_of(current_user))
        if t.active_on(today) or (found is not None and t.id == found.team_id)
    ]
    return render_template(
        "rounds/form.html",
        found=found,
        values=values,
        errors=errors,
        teams=[
            (t.id, t.name)
            for t in teams
            if t.active_on(clock.today()) or (found and t.id == found.team_id)
        ],
        kinds=[(k, label(k)) for k in ROUND_KINDS],
        states=progress.venue_states(found) if found else [],
        saved_filters=[(str(f.id), f.name) for f in filters.filters_of(current_user)],
    ), status


def _save(found):
    if request.method == "GET":
        if found is None:
            start, end = services.month_of(clock.today())
            values = {"starts_on": start.isoformat(), "ends_on": end.isoformat(), "kind": "month"}
            if request.args.get("team_id", "").isdigit():
                values["team_id"] = request.args["team_id"]
        else:
            values = {
                "team_id": found.team_id,
                "title": found.title,
                "kind": found.kind,
                "decision_no": found.decision_no,
                "decision_on": found.decision_on.isoformat() if found.decision_on else None,
                "starts_on": found.starts_on.isoformat(),
                "ends_on": found.ends_on.isoformat(),
                "unannounced": found.unannounced,
                "venue_ids": "\n".join(str(rv.venue_id) for rv in found.venues),
            }
        return _form_page(found, values, {})
    values = request.form.to_dict()
    data, errors = load_form(RoundForm(), request.form)
    if not errors:
        try:
            data["venue_ids"] = _ids(data["venue_ids"])
            saved = services.save_round(current_user, found, **data)
        except InspectionsError as exc:
            errors = exc.messages()
        else:
            flash(_("Round saved."), "success")
            return redirect(url_for(".detail", round_id=saved.id))
    return _form_page(found, values, errors, 422)


@bp.route("/new", methods=["GET", "POST"])
@requires(P.ROUNDS_MANAGE)
def new():
    """Plan a round: team, period, legal basis, venues by number and/or from "what to
    inspect next"."""
    return _save(None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@requires(P.ROUNDS_MANAGE)
def edit(round_id: int):
    """Change a round and its list."""
    return _save(access.get_round(current_user, round_id, manage=True))


@bp.route("/filters", methods=["GET", "POST"])
@requires(P.ROUNDS_MANAGE)
def saved_filters():
    """The coordinator's saved venue filters; POST saves the venue list's current filter
    (its query string) under a name."""
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = request.form.to_dict()
        data, errors = load_form(SaveFilterForm(), request.form)
        if data is not None:
            query = MultiDict(parse_qsl(data["query"].lstrip("?"), keep_blank_values=False))
            raw = {k: query.getlist(k) for k in query}
            try:
                filters.save_filter(current_user, data["name"], raw)
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(_("Filter saved: fill a round from it on the round's form."), "success")
                return redirect(url_for(".saved_filters"))
    saved = filters.filters_of(current_user)
    return render_template(
        "rounds/filters.html",
        saved=[(f, url_for("venues.index", **f.args)) for f in saved],
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.get("/<int:round_id>")
@requires(P.ROUNDS_READ)
def detail(round_id: int):
    """A round: progress, coverage after it, conflicts with other teams, its venues."""
    found = access.get_round(current_user, round_id)
    today = clock.today()
    manager = access.manages(current_user)
    start, end = services.next_month(found)
    return render_template(
        "rounds/detail.html",
        r=found,
        status=found.status_on(today),
        counts=progress.counts(found),
        states=progress.venue_states(found),
        projection=progress.projection(found),
        conflicts=progress.conflicts(found, today) if manager else [],
        outcomes=outcomes.outcomes_of(found),
        manager=manager,
        areas=progress.area_names(found),
        carry={"starts_on": start.isoformat(), "ends_on": end.isoformat()},
        carry_into=services.carry_targets(found, today) if manager else [],
        errors={},
    )


@bp.post("/<int:round_id>/carry")
@requires(P.ROUNDS_MANAGE)
def carry(round_id: int):
    """Carry the round's unfinished venues into a new round of the same team."""
    found = access.get_round(current_user, round_id, manage=True)
    data, errors = load_form(CarryForm(), request.form)
    if data is not None:
        try:
            new_round = services.carry_unfinished(current_user, found, **data)
        except InspectionsError as exc:
            errors = exc.messages()
        else:
            flash(_("%(n)s venues carried into the new round.", n=len(new_round.venues)), "success")
            return redirect(url_for(".detail", round_id=new_round.id))
    for messages in errors.values():
        for message in messages:
            flash(message, "danger")
    return redirect(url_for(".detail", round_id=found.id))


@bp.get("/outcomes/<int:outcome_id>/photo")
@requires(P.ROUNDS_READ)
def outcome_photo(outcome_id: int):
    """The photo of a could-not-inspect outcome (for those who may see its round)."""
    found = db.session.get(RoundOutcome, outcome_id)
    if found is None or found.photo_key is None:
        raise NotFound(_("This page or object does not exist, or is outside your area."))
    access.get_round(current_user, found.round_id)
    data = storage.read_checked(found.photo_key, found.photo_sha256 or "")
    if data is None:
        raise NotFound(_("The file is missing."))
    resp = Response(data, mimetype=found.photo_type or "application/octet-stream")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/mine")
@requires(P.ROUNDS_READ)
def mine():
    """Đợt kiểm tra: the current rounds of the inspector's teams, from the offline pack."""
    return render_template("rounds/mine.html", t=_phone_strings())


def _phone_strings() -> dict:
    """The words the phone page's script writes itself."""
    return {
        "none": _("Your teams have no round under way."),
        "no_pack": _("Nothing is kept on this phone yet: open this page once with a connection."),
        "period": _("%(start)s – %(end)s"),
        "progress": _("%(done)s done · %(todo)s not yet · %(could_not)s could not inspect"),
        "unannounced": _("Unannounced"),
        "done": label("done"),
        "todo": label("todo"),
        "could_not": label("could_not"),
        "queued": _("Could not inspect (not yet sent)"),
        "by_distance": _("Nearest first"),
        "by_order": _("Coordinator's order"),
        "km": _("%(n)s km"),
        "m": _("%(n)s m"),
        "inspect": _("Inspect"),
        "cannot": _("Could not inspect"),
        "kinds": {k: label("closed_venue" if k == "closed" else k) for k in OUTCOME_KINDS},
        "reason": _("What the team found"),
        "photo": _("Photo (optional)"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "saved": _("Saved on this phone; it is sent with the next sync."),
        "need_reason": _("Write what the team found."),
        "updated": _("Updated %(time)s"),
    }
