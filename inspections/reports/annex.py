"""The annex tables' figures, one SQL aggregate each, grouped by the area's units.

Every count is read as of the window's last day (the report's data cut-off): inspections,
violations and events dated in the window; a fine is paid, a tip verified or handled, when
that happened by the window's end. Venues, tips and violations lie in the area through the
venue's unit (figures.venue_in); a tip without a venue through its own district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select, true

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


def _unit(level: str):
    """The column grouping venues by unit: ``level`` is the units' level, or the area's own
    level when the area is one unit (then every venue falls in the one group)."""
    return figures.venue_unit_column(level)


def _grouped(stmt, keys: tuple[str, ...]) -> Grouped:
    out = Grouped()
    for row in db.session.execute(stmt):
        out.by_unit[row.unit_id] = {k: int(row._mapping[k] or 0) for k in keys}
    return out


def inspections_by_unit(start: date, end: date, area: Area, level: str) -> Grouped:
    """Submitted inspections dated in the window, the venues they visited and the teams."""
    unit = _unit(level)
    stmt = (
        select(
            unit.label("unit_id"),
            func.count().label("inspections"),
            func.count(func.distinct(Inspection.venue_id)).label("venues"),
            func.count(func.distinct(Inspection.team_id)).label("teams"),
        )
        .select_from(Inspection)
        .join(Venue, Venue.id == Inspection.venue_id)
        .where(*_inspected_in(start, end), figures.venue_in(area))
        .group_by(unit)
    )
    return _grouped(stmt, ("inspections", "venues", "teams"))


def _inspected_in(start: date, end: date) -> list:
    return [
        Inspection.status == "submitted",
        Inspection.inspected_on >= figures.day(start),
        Inspection.inspected_on <= figures.day(end),
    ]


def teams_used(start: date, end: date, area: Area) -> list[dict]:
    """Per team (None: inspections without a team): its lead agency, inspections, venues."""
    stmt = (
        select(
            Inspection.team_id,
            func.count().label("inspections"),
            func.count(func.distinct(Inspection.venue_id)).label("venues"),
        )
        .select_from(Inspection)
        .join(Venue, Venue.id == Inspection.venue_id)
        .where(*_inspected_in(start, end), figures.venue_in(area))
        .group_by(Inspection.team_id)
    )
    counts = {r.team_id: r for r in db.session.execute(stmt)}
    teams = {}
    ids = [t for t in counts if t is not None]
    if ids:
        teams = {
            t.id: t
            for t in db.session.scalars(
                select(Team).where(Team.id.in_(ids)).join(Agency, Agency.id == Team.lead_agency_id)
            )
        }
    out = []
    for team_id, row in counts.items():
        team = teams.get(team_id)
        out.append(
            {
                "team_id": team_id,
                "name": team.name if team else None,
                "agency_vi": team.lead_agency.name_vi if team else None,
                "agency_en": team.lead_agency.name_en if team else None,
                "inspections": int(row.inspections),
                "venues": int(row.venues),
            }
        )
    out.sort(key=lambda r: (r["team_id"] is None, -r["inspections"], r["name"] or ""))
    return out


def _violations_in(start: date, end: date) -> list:
    return [
        RecordedViolation.in_register.is_(True),
        RecordedViolation.inspected_on >= figures.day(start),
        RecordedViolation.inspected_on <= figures.day(end),
    ]


def violations_by_article(start: date, end: date, area: Area) -> list[dict]:
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
        .where(*_violations_in(start, end), figures.venue_in(area))
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


def fines_by_unit(start: date, end: date, area: Area, level: str) -> Grouped:
    """Per unit: violations dated in the window, those fined, the fines decided and what was
    paid of them by the window's end (the payments recorded)."""
    unit = _unit(level)
    paid = (
        select(
            FinePayment.violation_id,
            func.sum(FinePayment.amount_vnd).label("amount"),
        )
        .where(FinePayment.paid_on <= figures.day(end))
        .group_by(FinePayment.violation_id)
        .subquery("paid")
    )
    stmt = (
        select(
            unit.label("unit_id"),
            func.count().label("violations"),
            func.count(case((RecordedViolation.fine_vnd > 0, 1))).label("fined"),
            func.coalesce(func.sum(RecordedViolation.fine_vnd), 0).label("decided"),
            func.coalesce(func.sum(paid.c.amount), 0).label("paid"),
        )
        .select_from(RecordedViolation)
        .join(Venue, Venue.id == RecordedViolation.venue_id)
        .outerjoin(paid, paid.c.violation_id == RecordedViolation.id)
        .where(*_violations_in(start, end), figures.venue_in(area))
        .group_by(unit)
    )
    return _grouped(stmt, ("violations", "fined", "decided", "paid"))


def closures_by_unit(start: date, end: date, area: Area, level: str) -> Grouped:
    """Per unit: venues suspended and closed on a day of the window (the registry's events)."""
    unit = _unit(level)
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
            VenueEvent.on >= figures.day(start),
            VenueEvent.on <= figures.day(end),
            figures.venue_in(area),
        )
        .group_by(unit)
    )
    return _grouped(stmt, ("suspended", "closed"))


def repeat_offenders(end: date, area: Area, months: int) -> tuple[list[dict], int, date]:
    """The venues with two or more violations in the ``months`` up to the window's end, most
    first (the first REPEAT_LISTED), how many there are, and the first day counted."""
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


def tips_by_unit(start: date, end: date, area: Area, level: str) -> Grouped:
    """Per unit: tips received in the window, verified (closed by its end), handled in time
    and overdue; and the tips due in the window with those closed by their due day (the
    plan's "100 % handled in time")."""
    if level == "district":
        unit = func.coalesce(Venue.district_id, Tip.district_id)
    else:
        unit = figures.venue_unit_column(level)
    first, last = figures.day(start), figures.day(end)
    received = and_(Tip.received_on >= first, Tip.received_on <= last)
    due = and_(Tip.due_on >= first, Tip.due_on <= last)
    closed_by_end = and_(Tip.closed_on.is_not(None), Tip.closed_on <= last)
    in_time = and_(closed_by_end, Tip.closed_on <= Tip.due_on)
    overdue = and_(Tip.due_on <= last, or_(Tip.closed_on.is_(None), Tip.closed_on > Tip.due_on))

    def count(*conds):
        return func.count(case((and_(*conds), 1)))

    stmt = (
        select(
            unit.label("unit_id"),
            count(received).label("received"),
            count(received, closed_by_end).label("verified"),
            count(received, in_time).label("in_time"),
            count(received, overdue).label("overdue"),
            count(due).label("due"),
            count(due, Tip.closed_on <= Tip.due_on).label("due_in_time"),
        )
        .select_from(Tip)
        .outerjoin(Venue, Venue.id == Tip.venue_id)
        .where(or_(received, due), _tip_in(area))
        .group_by(unit)
    )
    return _grouped(stmt, ("received", "verified", "in_time", "overdue", "due", "due_in_time"))


def violation_totals(start: date, end: date, area: Area) -> tuple[int, int]:
    """(violations dated in the window, fines decided in VND) of the area."""
    row = db.session.execute(
        select(
            func.count().label("n"),
            func.coalesce(func.sum(RecordedViolation.fine_vnd), 0).label("fines"),
        )
        .select_from(RecordedViolation)
        .join(Venue, Venue.id == RecordedViolation.venue_id)
        .where(*_violations_in(start, end), figures.venue_in(area))
    ).one()
    return int(row.n), int(row.fines)
