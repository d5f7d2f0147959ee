"""A plan's indicators: listing them, copying them to a new plan, changing one.

A new year's plan starts from the indicators of the plan before it (the targets of a
programme change little from year to year); the coordinator then changes targets, wording or
the level that reports (after 1 July 2025 there are no districts: communes report).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..coverage.models import Plan
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..uow import transactional
from . import figures
from .models import COMPARES, INDICATOR_LEVELS, KINDS, SOURCES, Indicator

EDITABLE = (
    "target_no",
    "text_vi",
    "text_en",
    "numerator_vi",
    "numerator_en",
    "denominator_vi",
    "denominator_en",
    "target_pct",
    "target_text_vi",
    "target_text_en",
    "level",
    "compare",
)


def of_plan(plan: Plan) -> list[Indicator]:
    """The plan's indicators in the plan's order."""
    return list(
        db.session.scalars(
            select(Indicator)
            .where(Indicator.plan_id == plan.id)
            .order_by(Indicator.sort_order, Indicator.id)
        )
    )


def plans() -> list[Plan]:
    """Every plan, the newest year first."""
    return list(db.session.scalars(select(Plan).order_by(Plan.year.desc())))


def get_plan(plan_id: int) -> Plan:
    """A plan, or NotFound."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(_("No such plan."))
    return plan


def plan_by_number(number: str) -> Plan:
    """The plan with this number, or NotFound naming it."""
    plan = db.session.scalar(select(Plan).where(Plan.number == number.strip()))
    if plan is None:
        raise NotFound(_("No plan numbered %(n)s.", n=number[:60]), field="plan")
    return plan


def get_indicator(plan: Plan, indicator_id: int) -> Indicator:
    """An indicator of the plan, or NotFound."""
    found = db.session.get(Indicator, indicator_id)
    if found is None or found.plan_id != plan.id:
        raise NotFound(_("No such indicator."))
    return found


def _level_on(level: str, day: date) -> str:
    """A level of an earlier plan on the map of a later one (no districts any more: their
    figures come from the communes)."""
    province = figures.province_on(day)
    if province is None or level == "province":
        return level
    levels = {figures.unit_level(province, day), "commune"}
    return level if level in levels else "commune"


@transactional
def copy_indicators(plan: Plan, source: Plan) -> int:
    """Give a plan without indicators those of another plan; returns how many."""
    if plan.id == source.id:
        raise Invalid(_("Choose another plan to copy from."), field="source")
    if db.session.scalar(select(func.count()).where(Indicator.plan_id == plan.id)):
        raise Conflict(_("This plan already has indicators."), field="source")
    day = date(plan.year, 12, 14)
    copied = 0
    for ind in of_plan(source):
        values = {key: getattr(ind, key) for key in (*EDITABLE, "code", "kind", "source")}
        values["level"] = _level_on(ind.level, day)
        db.session.add(Indicator(plan_id=plan.id, sort_order=ind.sort_order, **values))
        copied += 1
    db.session.flush()
    return copied


def check_values(values: dict) -> None:
    """Refuse an indicator that cannot be read: unknown kind, level, comparison or rule, a
    computed indicator without a rule, a share without a denominator."""
    if values.get("kind") not in KINDS:
        raise Invalid(_("Unknown kind of indicator."), field="kind")
    if values.get("level") not in INDICATOR_LEVELS:
        raise Invalid(
            _("The level must be one of %(l)s.", l=", ".join(INDICATOR_LEVELS)), field="level"
        )
    if values.get("compare") not in COMPARES:
        raise Invalid(
            _("The comparison must be one of %(c)s.", c=", ".join(COMPARES)), field="compare"
        )
    if values["kind"] == "computed" and values.get("source") not in SOURCES:
        raise Invalid(
            _("A computed indicator needs one of the rules %(s)s.", s=", ".join(SOURCES)),
            field="source",
        )
    needs_denominator = values["compare"] != "count" and values["kind"] == "reported"
    if needs_denominator and not values.get("denominator_vi"):
        raise Invalid(_("Say what the denominator counts."), field="denominator_vi")


@transactional
def save_indicator(plan: Plan, indicator: Indicator | None, **values) -> Indicator:
    """Create (indicator=None) or change an indicator of a plan; codes are unique in a plan;
    a computed indicator keeps its rule."""
    if indicator is None:
        code = (values.get("code") or "").strip()
        if not code:
            raise Invalid(_("Give the indicator a code."), field="code")
        if db.session.scalar(
            select(Indicator.id).where(Indicator.plan_id == plan.id, Indicator.code == code)
        ):
            raise Invalid(_("This plan already has an indicator %(c)s.", c=code), field="code")
        values["code"] = code
        values.setdefault("kind", "reported")
        values.setdefault("source", None)
    else:
        values = {k: v for k, v in values.items() if k in EDITABLE}
        values.update(code=indicator.code, kind=indicator.kind, source=indicator.source)
    check_values(values)
    if indicator is None:
        last = db.session.scalar(
            select(func.max(Indicator.sort_order)).where(Indicator.plan_id == plan.id)
        )
        indicator = Indicator(plan_id=plan.id, sort_order=(last or 0) + 1, **values)
        db.session.add(indicator)
    else:
        for key, value in values.items():
            setattr(indicator, key, value)
    db.session.flush()
    return indicator
