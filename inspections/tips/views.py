"""Tip pages: the list (open first, by due day), record a tip, a tip with its closing form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..accounts.permissions import P, requires
from ..accounts.services import scope_of
from ..areas.models import Area
from ..clock import today
from ..errors import InspectionsError
from ..extensions import db
from ..forms import load_form
from . import services
from .models import TIP_CLASSES, TIP_OUTCOMES, TIP_SOURCES

bp = Blueprint("tips", __name__, url_prefix="/tips")
PER_PAGE = 30
LABELS = {
    "citizen": _l("Citizen"),
    "agency": _l("Agency"),
    "hotline": _l("Hotline"),
    "media": _l("Press or social media"),
    "other": _l("Other"),
    "prostitution": _l("Prostitution"),
    "drugs": _l("Drugs"),
    "gambling": _l("Gambling"),
    "licence": _l("Licence conditions"),
    "confirmed": _l("Confirmed"),
    "unfounded": _l("Unfounded"),
    "transferred": _l("Transferred to another body"),
}
CHOICES = {"source": TIP_SOURCES, "classification": TIP_CLASSES, "outcome": TIP_OUTCOMES}


@bp.app_context_processor
def _labels():
    return {
        "tip_label": lambda code: LABELS.get(code, code),
        "tip_options": lambda kind: [(c, LABELS.get(c, c)) for c in CHOICES[kind]],
    }


class TipForm(Schema):
    received_on = fields.Date(required=True)
    source = fields.String(required=True, validate=validate.OneOf(TIP_SOURCES))
    classification = fields.String(required=True, validate=validate.OneOf(TIP_CLASSES))
    summary = fields.String(required=True, validate=validate.Length(max=100_000))
    venue_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    district_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class CloseForm(Schema):
    closed_on = fields.Date(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(TIP_OUTCOMES))
    verification = fields.String(required=True, validate=validate.Length(max=100_000))
    inspection_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class ListFilters(Schema):
    state = fields.String(load_default=None, validate=validate.OneOf(services.STATES))
    # The lists behind a periodic report's figures: received or due in a window, one unit.
    received_from = fields.Date(load_default=None)
    received_to = fields.Date(load_default=None)
    due_from = fields.Date(load_default=None)
    due_to = fields.Date(load_default=None)
    area = fields.String(load_default=None, validate=validate.Length(max=16))


def _districts():
    return list(
        db.session.scalars(
            select(Area)
            .where(Area.level == "district", scope_of(current_user).areas(Area))
            .order_by(Area.name)
        )
    )


@bp.get("")
@requires(P.TIPS_READ)
def index():
    filters, errors = load_form(ListFilters(), request.args)
    filters = filters or {}
    page = db.paginate(
        services.tips_query(scope_of(current_user), filters.pop("state", None), **filters),
        per_page=PER_PAGE,
        error_out=False,
    )
    on = today()
    share = services.in_time_share(scope_of(current_user), on.replace(month=1, day=1), on)
    return render_template(
        "tips/index.html",
        page=page,
        errors=errors,
        args={k: v for k, v in request.args.items() if k != "page"},
        share=share,
        today=on,
    ), 422 if errors else 200


@bp.route("/new", methods=["GET", "POST"])
@requires(P.TIPS_WRITE)
def new():
    errors, values, status = {}, dict(request.values), 200
    if request.method == "POST":
        data, errors = load_form(TipForm(), request.form)
        if not errors:
            try:
                tip = services.create_tip(current_user, data, scope_of(current_user))
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(_("Tip recorded."), "success")
                return redirect(url_for(".detail", tip_id=tip.id))
        status = 422
    values.setdefault("received_on", today().isoformat())
    return render_template(
        "tips/form.html",
        errors=errors,
        values=values,
        districts=[(a.id, a.name) for a in _districts()],
    ), status


@bp.get("/<int:tip_id>")
@requires(P.TIPS_READ)
def detail(tip_id: int):
    tip = services.get_tip(tip_id, scope_of(current_user))
    return render_template("tips/detail.html", tip=tip, errors={}, values={}, today=today())


@bp.post("/<int:tip_id>/close")
@requires(P.TIPS_WRITE)
def close(tip_id: int):
    tip = services.get_tip(tip_id, scope_of(current_user))
    data, errors = load_form(CloseForm(), request.form)
    if data is not None:  # valid (else errors says why)
        try:
            services.close_tip(tip, data)
        except InspectionsError as exc:
            errors = exc.messages()
        else:
            flash(_("Tip closed."), "success")
            return redirect(url_for(".detail", tip_id=tip.id))
    tip = services.get_tip(tip_id, scope_of(current_user))
    return render_template(
        "tips/detail.html", tip=tip, errors=errors, values=request.form, today=today()
    ), 422
