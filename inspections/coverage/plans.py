"""Plans: the targets a period is measured against, and their management."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Invalid
from ..extensions import db
from ..uow import transactional
from .models import DEFAULT_COVERAGE_TARGET, DEFAULT_TIPS_TARGET, Plan
from .periods import Period


@dataclass(frozen=True)
class Targets:
    """The plan applied to a period (None when no plan exists) and the targets it gives."""

    plan: Plan | None
    coverage_pct: Decimal
    baseline_on: date | None
    tips_pct: Decimal


def plan_for(period: Period) -> Targets:
    """The plan of the period's year (of its end date), else the latest plan before it."""
    plan = db.session.scalars(
        select(Plan).where(Plan.year <= period.end.year).order_by(Plan.year.desc()).limit(1)
    ).first()
    if plan is None:
        return Targets(None, DEFAULT_COVERAGE_TARGET, None, DEFAULT_TIPS_TARGET)
    return Targets(plan, plan.coverage_target_pct, plan.baseline_on, plan.tips_target_pct)


def list_plans() -> list[Plan]:
    """Every plan, newest year first."""
    return list(db.session.scalars(select(Plan).order_by(Plan.year.desc())))


@transactional
def save_plan(plan: Plan | None, **values) -> Plan:
    """Create (plan=None) or update a plan; number and year are unique; a target left empty
    (None) takes the default."""
    for key, default in (
        ("coverage_target_pct", DEFAULT_COVERAGE_TARGET),
        ("tips_target_pct", DEFAULT_TIPS_TARGET),
    ):
        if key in values and values[key] is None:
            values[key] = default
    for key, label in (("number", _("number")), ("year", _("year"))):
        other = db.session.scalar(
            select(Plan.id).where(
                getattr(Plan, key) == values[key], Plan.id != (plan.id if plan else -1)
            )
        )
        if other:
            raise Invalid(_("Another plan already has this %(what)s.", what=label), field=key)
    if values.get("baseline_on") and values["baseline_on"] > date(values["year"], 12, 31):
        raise Invalid(
            _("The phase baseline must not be after the plan's year."), field="baseline_on"
        )
    if plan is None:
        plan = Plan(**values)
        db.session.add(plan)
    else:
        for key, value in values.items():
            setattr(plan, key, value)
    db.session.flush()
    return plan
