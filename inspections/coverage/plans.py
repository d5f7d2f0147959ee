"""Plans: the targets a period is measured against, and their management."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import Agency
from ..errors import Invalid
from ..extensions import db
from ..uow import transactional
from .models import DEFAULT_COVERAGE_TARGET, DEFAULT_TIPS_TARGET, Plan
from .periods import Period

# Decree 42/2025/NĐ-CP: from 1 March 2025 the state management of prostitution prevention is
# the Ministry of Health's (in a province, the Department of Health's), before it the labour
# ministry's: the standing agency of a plan issued from then on is Health.
HEALTH_FROM = date(2025, 3, 1)


def default_standing_agency(day: date) -> str:
    """The code of the agency that was the standing agency on a day."""
    return "health" if day >= HEALTH_FROM else "labour"


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


def earliest_baseline() -> date | None:
    """The earliest phase baseline of any plan: how far back periods are worth offering
    (the 2024 plan's phase began in 2021, whatever a later plan's baseline)."""
    return db.session.scalar(select(func.min(Plan.baseline_on)))


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
    if "standing_agency" in values:
        day = values.get("issued_on") or date(values["year"], 1, 1)
        code = values.pop("standing_agency") or default_standing_agency(day)
        agency = db.session.scalar(select(Agency).where(Agency.code == code))
        if agency is None or not agency.valid_on(day):
            raise Invalid(
                _("This agency did not exist on %(d)s.", d=day.strftime("%d/%m/%Y")),
                field="standing_agency",
            )
        values["standing_agency_id"] = agency.id
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
