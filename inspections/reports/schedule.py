"""The reporting calendar of a plan: its windows with their due days and, per unit, where
each report stands (not started, draft, sent, late), and the units that are late.

Units: the province (the standing agency compiles its report) and the units of the level
that enters the plan's figures (districts before 1 July 2025, communes after), as far as the
account's scope sees them. Two aggregates give every status: values entered per window and
unit, and the last version sent per window and unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.services import Scope
from ..areas.models import Area
from ..clock import local_day
from ..coverage.models import Plan
from ..extensions import db
from . import figures, indicators
from .models import ReportValue, SentReport
from .windows import Window, calendar_windows

STATUSES = ("not_started", "draft", "sent", "late")


@dataclass
class UnitStatus:
    """Where one unit's report of one window stands."""

    area: Area
    status: str
    values: int = 0
    version: int | None = None
    sent_at: datetime | None = None
    sent_by: str | None = None
    sent_id: int | None = None
    sent_late: bool = False
    # A correction of the last version is open (figures may change, a supplement follows).
    reopened: bool = False


@dataclass
class WindowStatus:
    """A window of the calendar and its units."""

    window: Window
    units: list[UnitStatus] = field(default_factory=list)


def plan_units(plan: Plan, w: Window, scope: Scope) -> list[Area]:
    """The province and the units that enter the plan's figures, inside the scope."""
    province = figures.province_on(w.end)
    if province is None:
        return []
    levels = {i.level for i in indicators.of_plan(plan) if i.kind == "reported"} - {"province"}
    units = [province]
    for level in sorted(levels):
        units += figures.units_of(province, level, w.end)
    return [u for u in units if figures.sees(scope, u)]


def _status(unit: UnitStatus, w: Window, today: date) -> str:
    if unit.version is not None and not unit.reopened:
        return "sent"
    if today > w.due_on:
        return "late"
    return "draft" if unit.values or unit.reopened else "not_started"


def calendar(plan: Plan, scope: Scope, today: date) -> list[WindowStatus]:
    """The plan's windows, each with the status of every unit the scope sees."""
    out = []
    for w in calendar_windows(plan.year):
        units = plan_units(plan, w, scope)
        ids = [u.id for u in units]
        entered = dict(
            db.session.execute(
                select(ReportValue.area_id, func.count())
                .where(ReportValue.window == w.key, ReportValue.area_id.in_(ids))
                .group_by(ReportValue.area_id)
            ).all()
        )
        last = (
            select(SentReport.area_id, func.max(SentReport.version).label("version"))
            .where(SentReport.window == w.key, SentReport.area_id.in_(ids))
            .group_by(SentReport.area_id)
            .subquery()
        )
        sent = {
            row.SentReport.area_id: row
            for row in db.session.execute(
                select(SentReport, User.full_name)
                .join(
                    last,
                    (last.c.area_id == SentReport.area_id) & (last.c.version == SentReport.version),
                )
                .outerjoin(User, User.id == SentReport.sent_by_id)
                .where(SentReport.window == w.key)
            )
        }
        row = WindowStatus(w)
        for unit in units:
            status = UnitStatus(unit, "not_started", values=int(entered.get(unit.id, 0)))
            found = sent.get(unit.id)
            if found is not None:
                report = found.SentReport
                status.version, status.sent_at = report.version, report.sent_at
                status.sent_by, status.sent_id = found.full_name, report.id
                status.reopened = report.reopened_at is not None
                status.sent_late = local_day(report.sent_at) > w.due_on
            status.status = _status(status, w, today)
            row.units.append(status)
        out.append(row)
    return out


def late_units(rows: list[WindowStatus]) -> list[tuple[Window, UnitStatus]]:
    """Every (window, unit) whose report is late, the oldest window first."""
    return [(r.window, u) for r in rows for u in r.units if u.status == "late"]
