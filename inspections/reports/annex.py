"""The annex tables' figures, one SQL aggregate each, grouped by the area's units.

Every count is read as of the window's last day (the report's data cut-off): inspections,
violations and events dated in the window; a fine is paid, a tip verified or handled, when
that happened by the window's end. Venues, tips and violations lie in the area through the
venue's unit (figures.venue_in); a tip without a venue through its own district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true

from ..accounts.models import Agency, Team
from ..areas.models import Area
from ..extensions import db
from ..tips.models import Tip
from ..venues.models import Sector, Venue, VenueEvent
from ..violations import repeat
from ..violations.models import FinePayment, LegalViolation, RecordedViolation
from ..visits.models import Inspection
from . import figures

REPEAT_LISTED = 50


@dataclass
class Grouped:
    """Figures per unit id (None: venues of the area without a unit of that level)."""

    by_unit: dict[int | None, dict] = field(default_factory=dict)

    def get(self, unit_id: int | None) -> dict:
        return self.by_unit.get(unit_id, {})

    def total(self, key: str) -> int:
        return sum(int(v.get(key) or 0) for v in self.by_unit.values())


def _unit(level: str, area: Area):
    """The column grouping venues by unit: ``level`` is the units' level, or the area's own
    level when the area is one unit (then every venue falls in the one group)."""
    return figures.venue_unit_column(level, area)


def _grouped(stmt, keys: tuple[str, ...]) -> Grouped:
    out = Grouped()
    for row in db.session.execute(stmt):
        out.by_unit[row.unit_id] = {k: int(row._mapping[k] or 0) for k in keys}
    return out


def _in(column, *windows) -> ColumnElement[bool]:
    """The date column lies in one of the windows (None ones skipped)."""
    return or_(
        *(
            and_(column >= figures.day(w.start), column <= figures.day(w.end))
            for w in windows
            if w is not None
        )
    )


@dataclass
class Teams:
    """Submitted inspections of the window per unit and per team, and the teams per unit."""

    by_unit: Grouped
    by_team: dict[int | None, int]


def inspections_and_teams(w, area: Area, level: str) -> Teams:
    """One aggregate of the window's submitted inspections by unit and team."""
    unit = _unit(level, area)
    stmt = (
        select(unit.label("unit_id"), Inspection.team_id, func.count().label("n"))
        .select_from(Inspection)
        .join(Venue, Venue.id == Inspection.venue_id)
        .where(
            Inspection.status == "submitted",
            _in(Inspection.inspected_on, w),
            figures.venue_in(area),
        )
        .group_by(unit, Inspection.team_id)
    )
    by_unit = Grouped()
    by_team: dict[int | None, int] = {}
    for row in db.session.execute(stmt):
        got = by_unit.by_unit.setdefault(row.unit_id, {"inspections": 0, "teams": 0})
        got["inspections"] += row.n
        got["teams"] += row.team_id is not None
        by_team[row.team_id] = by_team.get(row.team_id, 0) + row.n
    return Teams(by_unit, by_team)


def teams_used(by_team: dict[int | None, int]) -> list[dict]:
    """Per team (None: inspections without a team): its name and lead agency, inspections,
    most first."""
    ids = [t for t in by_team if t is not None]
    teams: dict[int | None, Team] = {}
    if ids:
        teams = {
            t.id: t
            for t in db.session.scalars(
                select(Team).where(Team.id.in_(ids)).join(Agency, Agency.id == Team.lead_agency_id)
            )
        }
    out: list[dict] = []
    for team_id, n in by_team.items():
        team = teams.get(team_id)
        out.append(
            {
                "team_id": team_id,
                "name": team.name if team else None,
                "agency_vi": team.lead_agency.name_vi if team else None,
                "agency_en": team.lead_agency.name_en if team else None,
                "inspections": n,
            }
        )
    out.sort(key=lambda r: (r["team_id"] is None, -r["inspections"], r["name"] or ""))
    return out


def violations_by_article(w, area: Area) -> list[dict]:
    """Violations of the register dated in the window by decree, article and sector, with
    their fines."""
    stmt = (
        select(
            LegalViolation.decree,
            LegalViolation.article,
            Sector.code.label("sector"),
            func.count().label("n"),
            func.coalesce(func.sum(RecordedViolation.fine_vnd), 0).label("fines"),
        )
        .select_from(RecordedViolation)
        .join(LegalViolation, LegalViolation.id == RecordedViolation.legal_violation_id)
        .join(Venue, Venue.id == RecordedViolation.venue_id)
        .join(Sector, Sector.id == Venue.sector_id)
        .where(
            RecordedViolation.in_register.is_(True),
            _in(RecordedViolation.inspected_on, w),
            figures.venue_in(area),
        )
        .group_by(LegalViolation.decree, LegalViolation.article, Sector.code)
    )
    return [
        {
            "decree": r.decree,
            "article": r.article,
            "sector": r.sector,
            "n": int(r.n),
            "fines": int(r.fines),
        }
        for r in db.session.execute(stmt)
    ]


def fines_by_unit(w, prev, area: Area, level: str) -> Grouped:
    """Per unit: violations dated in the window, those fined, the fines decided and what was
    paid of them by the window's end (the payments recorded); and the violations and fines
    of the same window a year earlier (prev_violations, prev_decided), in the same scan."""
    unit = _unit(level, area)
    rv = RecordedViolation
    now = _in(rv.inspected_on, w)
    before = _in(rv.inspected_on, prev) if prev else false()
    stmt = (
        select(
            unit.label("unit_id"),
            func.count(case((now, 1))).label("violations"),
            func.count(case((and_(now, rv.fine_vnd > 0), 1))).label("fined"),
            func.sum(case((now, rv.fine_vnd))).label("decided"),
            func.count(case((before, 1))).label("prev_violations"),
            func.sum(case((before, rv.fine_vnd))).label("prev_decided"),
        )
        .select_from(rv)
        .join(Venue, Venue.id == rv.venue_id)
        .where(rv.in_register.is_(True), _in(rv.inspected_on, w, prev), figures.venue_in(area))
        .group_by(unit)
    )
    keys = ("violations", "fined", "decided", "prev_violations", "prev_decided")
    out = _grouped(stmt, keys)
    # What was paid by the window's end of the window's violations: the payments recorded
    # (dated on or after the inspection, violations/followup.py: none before the window).
    paid = (
        select(unit.label("unit_id"), func.sum(FinePayment.amount_vnd).label("paid"))
        .select_from(FinePayment)
        .join(rv, rv.id == FinePayment.violation_id)
        .join(Venue, Venue.id == rv.venue_id)
        .where(
            _in(FinePayment.paid_on, w),
            rv.in_register.is_(True),
            now,
            figures.venue_in(area),
        )
        .group_by(unit)
    )
    for row in db.session.execute(paid):
        out.by_unit.setdefault(row.unit_id, dict.fromkeys(keys, 0))["paid"] = int(row.paid)
    return out


def closures_by_unit(w, area: Area, level: str) -> Grouped:
    """Per unit: venues suspended and closed on a day of the window (the registry's events)."""
    unit = _unit(level, area)
    stmt = (
        select(
            unit.label("unit_id"),
            func.count(case((VenueEvent.kind == "suspended", 1))).label("suspended"),
            func.count(case((VenueEvent.kind == "closed", 1))).label("closed"),
        )
        .select_from(VenueEvent)
        .join(Venue, Venue.id == VenueEvent.venue_id)
        .where(
            VenueEvent.kind.in_(("suspended", "closed")),
            _in(VenueEvent.on, w),
            figures.venue_in(area),
        )
        .group_by(unit)
    )
    return _grouped(stmt, ("suspended", "closed"))


def repeat_offenders(end: date, area: Area, months: int) -> tuple[list[dict], int, date]:
    """The venues found in violation at two or more inspections in the ``months`` up to the
    window's end (repeat.py), most violations first (the first REPEAT_LISTED), how many there
    are, and the first day counted."""
    start = repeat.window_start(end, months)
    stmt = repeat.offenders_query(
        start, [figures.venue_in(area), RecordedViolation.inspected_on <= figures.day(end)]
    ).limit(REPEAT_LISTED)
    rows = db.session.execute(stmt).all()
    if not rows:
        return [], 0, start
    venues = {
        v.id: v
        for v in db.session.scalars(select(Venue).where(Venue.id.in_([r.venue_id for r in rows])))
    }
    out = []
    for r in rows:
        venue = venues[r.venue_id]
        out.append(
            {
                "venue_id": r.venue_id,
                "name": venue.name,
                "sector": venue.sector.code,
                "district_id": venue.district_id,
                "commune_id": venue.commune_id,
                "n": int(r.n),
                "last_on": r.last_on,
                "fines": int(r.fines),
            }
        )
    return out, int(rows[0].total), start


def _tip_in(area: Area):
    """WHERE clause on Tip (with its venue outer-joined): the tip lies in the area, as the
    tips list counts it (tips/services.scope_clause): by its venue, or by its own district
    when it names no venue; the province holds every tip."""
    if area.level == "province":
        return true()
    by_venue = figures.venue_in(area)
    if area.level == "district":
        return or_(by_venue, and_(Tip.venue_id.is_(None), Tip.district_id == area.id))
    return by_venue


def tips_by_unit(w, prev, area: Area, level: str) -> Grouped:
    """Per unit: tips received in the window, verified (closed by its end), handled in time
    and overdue; the tips due in the window with those closed by their due day (the plan's
    "100 % handled in time"), and the same two for the window a year earlier."""
    if level == "district":
        unit = func.coalesce(Venue.district_id, Tip.district_id)
    else:
        unit = figures.venue_unit_column(level, area)
    last = figures.day(w.end)
    received, due = _in(Tip.received_on, w), _in(Tip.due_on, w)
    due_before = _in(Tip.due_on, prev) if prev else false()
    closed_by_end = and_(Tip.closed_on.is_not(None), Tip.closed_on <= last)
    on_time = Tip.closed_on <= Tip.due_on
    overdue = and_(Tip.due_on <= last, or_(Tip.closed_on.is_(None), Tip.closed_on > Tip.due_on))

    def count(*conds):
        return func.count(case((and_(*conds), 1)))

    stmt = (
        select(
            unit.label("unit_id"),
            count(received).label("received"),
            count(received, closed_by_end).label("verified"),
            count(received, closed_by_end, on_time).label("in_time"),
            count(received, overdue).label("overdue"),
            count(due).label("due"),
            count(due, on_time).label("due_in_time"),
            count(due_before).label("prev_due"),
            count(due_before, on_time).label("prev_due_in_time"),
        )
        .select_from(Tip)
        .outerjoin(Venue, Venue.id == Tip.venue_id)
        .where(or_(received, due, due_before), _tip_in(area))
        .group_by(unit)
    )
    keys = ("received", "verified", "in_time", "overdue", "due", "due_in_time")
    return _grouped(stmt, (*keys, "prev_due", "prev_due_in_time"))
