"""A plan's indicators: the list, copying those of another plan, adding and changing one
(province-level coordinators and administrators, like the plans themselves)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from ...accounts.permissions import P, require_province_level, requires
from ...errors import InspectionsError
from ...forms import load_form
from .. import indicators
from ..models import COMPARES, INDICATOR_LEVELS, Indicator
from . import bp

TEXT: dict[str, Any] = {"validate": validate.Length(max=2000)}


class IndicatorForm(Schema):
    code = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$"))
    target_no = fields.Integer(load_default=None, validate=validate.Range(1, 99))
    text_vi = fields.String(required=True, **TEXT)
    text_en = fields.String(required=True, **TEXT)
    numerator_vi = fields.String(required=True, validate=validate.Length(max=300))
    numerator_en = fields.String(required=True, validate=validate.Length(max=300))
    denominator_vi = fields.String(load_default=None, validate=validate.Length(max=300))
    denominator_en = fields.String(load_default=None, validate=validate.Length(max=300))
    target_pct = fields.Decimal(load_default=None, places=2, validate=validate.Range(0, 1000))
    target_text_vi = fields.String(load_default=None, validate=validate.Length(max=120))
    target_text_en = fields.String(load_default=None, validate=validate.Length(max=120))
    level = fields.String(required=True, validate=validate.OneOf(INDICATOR_LEVELS))
    compare = fields.String(load_default="share", validate=validate.OneOf(COMPARES))


def _values(ind: Indicator | None) -> dict:
    if ind is None:
        return {"level": "province", "compare": "share"}
    out = {}
    for key in ("code", *indicators.EDITABLE):
        value = getattr(ind, key)
        if isinstance(value, Decimal):
            value = f"{value.normalize():f}"
        out[key] = "" if value is None else str(value)
    return out


@bp.get("/plans/<int:plan_id>")
@requires(P.PLANS_MANAGE)
def plan_indicators(plan_id: int):
    """The plan's indicators, and copying those of another plan when it has none."""
    require_province_level()
    plan = indicators.get_plan(plan_id)
    return render_template(
        "reports/plan.html",
        plan=plan,
        items=indicators.of_plan(plan),
        others=[p for p in indicators.plans() if p.id != plan.id],
    )


@bp.post("/plans/<int:plan_id>/copy")
@requires(P.PLANS_MANAGE)
def copy_indicators(plan_id: int):
    """Give the plan the indicators of another plan."""
    require_province_level()
    plan = indicators.get_plan(plan_id)
    try:
        source = indicators.get_plan(int(request.form.get("source") or 0))
        n = indicators.copy_indicators(plan, source)
    except (InspectionsError, ValueError) as exc:
        flash(getattr(exc, "message", _("Choose another plan to copy from.")), "danger")
    else:
        flash(_("%(n)s indicators copied.", n=n), "success")
    return redirect(url_for(".plan_indicators", plan_id=plan.id)), 303


@bp.route("/plans/<int:plan_id>/indicators/new", methods=["GET", "POST"])
@bp.route("/plans/<int:plan_id>/indicators/<int:indicator_id>", methods=["GET", "POST"])
@requires(P.PLANS_MANAGE)
def indicator_edit(plan_id: int, indicator_id: int | None = None):
    """Add a reported indicator to the plan, or change one (a computed one keeps its rule)."""
    require_province_level()
    plan = indicators.get_plan(plan_id)
    found = indicators.get_indicator(plan, indicator_id) if indicator_id else None
    errors: dict[str, list[str]]
    values, errors, status = _values(found), {}, 200
    if request.method == "POST":
        values = request.form.to_dict()
        data, errors = load_form(IndicatorForm(), request.form)
        if data:
            try:
                indicators.save_indicator(plan, found, **data)
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(_("The indicator is saved."), "success")
                return redirect(url_for(".plan_indicators", plan_id=plan.id)), 303
        status = 422
    return render_template(
        "reports/indicator_form.html",
        plan=plan,
        item=found,
        values=values,
        errors=errors,
        levels=INDICATOR_LEVELS,
        compares=COMPARES,
    ), status
