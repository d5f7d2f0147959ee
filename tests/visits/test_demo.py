"""Demo inspections: deterministic, idempotent, and some districts meet 20 % in 2024."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, distinct, func, or_, select

from inspections import clock
from inspections.areas.models import Area
from inspections.coverage.models import Plan
from inspections.extensions import db
from inspections.venues import demo as venue_demo
from inspections.venues.models import Venue
from inspections.violations.models import RecordedViolation
from inspections.visits import demo
from inspections.visits.models import Inspection
from tests.visits.conftest import DEMO_DAY


def coverage(start: date, end: date) -> dict[str, tuple[int, int]]:
    """{district code: (venues in scope, venues with a submitted inspection)} by the rule."""
    in_scope = and_(
        or_(Venue.opened_on.is_(None), Venue.opened_on <= end),
        or_(Venue.closed_on.is_(None), Venue.closed_on >= start),
        Venue.merged_into_id.is_(None),
    )
    inspected = (
        select(Inspection.venue_id)
        .where(Inspection.status == "submitted", Inspection.inspected_on.between(start, end))
        .subquery()
    )
    rows = db.session.execute(
        select(
            Area.code,
            func.count(distinct(Venue.id)).label("venues"),
            func.count(distinct(inspected.c.venue_id)).label("inspected"),
        )
        .join(Venue, Venue.district_id == Area.id)
        .outerjoin(inspected, inspected.c.venue_id == Venue.id)
        .where(in_scope)
        .group_by(Area.code)
    )
    return {row.code: (row.venues, row.inspected) for row in rows}


def test_demo_inspections(app, monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: DEMO_DAY)
    venue_demo.load_demo_venues()
    created = demo.load_demo_inspections(password=None)
    assert created > 500
    assert demo.load_demo_inspections(password=None) == 0  # idempotent
    year = coverage(date(2024, 1, 1), date(2024, 12, 31))
    rates = {code: k / n for code, (n, k) in year.items()}
    assert len(rates) == 10
    assert sum(r >= 0.2 for r in rates.values()) >= 3, rates
    assert sum(r < 0.2 for r in rates.values()) >= 3, rates
    venues = db.session.scalar(select(func.count()).select_from(Venue))
    ever = db.session.scalar(
        select(func.count(distinct(Inspection.venue_id))).where(Inspection.status == "submitted")
    )
    assert 0.25 <= 1 - ever / venues <= 0.75  # a share has never been inspected
    # every year 2024–2026 has inspections, with violations, never in the future
    year_of = func.extract("year", Inspection.inspected_on)
    years = db.session.scalars(select(year_of).group_by(year_of))
    assert {int(y) for y in years} == {2024, 2025, 2026}
    latest = db.session.scalar(select(func.max(Inspection.inspected_on)))
    assert date(2026, 10, 1) <= latest < date(2026, 10, 15)
    assert db.session.scalar(select(func.count()).select_from(RecordedViolation)) > 50
    # inspected_on is the local day of inspected_at, and fines are within the legal range
    sample = db.session.scalars(select(Inspection).order_by(Inspection.id).limit(200)).all()
    assert len(sample) == 200
    for inspection in sample:
        assert (
            inspection.inspected_on
            == inspection.inspected_at.astimezone(
                __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")
            ).date()
        )
    recorded = db.session.scalars(select(RecordedViolation).limit(300)).all()
    assert len(recorded) > 50
    for v in recorded:
        low, high = v.legal.fine_range(v.offender_type)
        assert low <= v.fine_vnd <= high
        assert v.legal.in_force_on(v.inspection.inspected_on)
    distances = [i.start_distance_m for i in sample if i.presence == "on_site"]
    assert distances and all(0 <= d < 100 for d in distances)  # measured by the database
    off_site = db.session.scalars(
        select(Inspection.start_distance_m).where(Inspection.presence == "off_site")
    ).all()
    assert off_site and all(d > 500 for d in off_site)
    teams = {i.team_id for i in sample}
    assert None not in teams  # each district's team
    statuses = set(db.session.scalars(select(Inspection.status).distinct()))
    assert {"submitted", "cancelled"} <= statuses
    # the plan does not depend on the order rows come from the database
    venues = list(db.session.scalars(select(Venue)))
    districts = list(
        db.session.scalars(select(Area).where(Area.level == "district").order_by(Area.code))
    )
    first = demo.plan(venues, districts, {}, [])
    second = demo.plan(list(reversed(venues)), districts, {}, [])
    assert [(p.key, p.at) for p in first] == [(p.key, p.at) for p in second]


def test_demo_data_shows_both_maps(app, monkeypatch):
    """Inspections before and after 1 July 2025; 2026 coverage by today's communes; a demo
    2026 plan of Lâm Đồng, marked as demo."""
    from inspections.accounts.services import Scope
    from inspections.coverage import periods, rule
    from inspections.coverage.demo import DEMO_NUMBER, load_demo_plan
    from inspections.coverage.plans import plan_for

    monkeypatch.setattr(clock, "utcnow", lambda: DEMO_DAY)
    venue_demo.load_demo_venues()
    demo.load_demo_inspections(password=None)
    day = date(2025, 7, 1)
    submitted = Inspection.status == "submitted"
    for side in (Inspection.inspected_on < day, Inspection.inspected_on >= day):
        assert db.session.scalar(select(func.count()).where(submitted, side)) > 100
    assert (
        db.session.scalar(
            select(func.count()).select_from(Venue).where(Venue.commune_2025_id.is_(None))
        )
        == 0
    )
    # each remedy fits its offence (no door latch for a labour contract)
    from inspections.violations.models import LegalViolation

    remedied = db.session.execute(
        select(LegalViolation.code, RecordedViolation.remedy)
        .join(LegalViolation, LegalViolation.id == RecordedViolation.legal_violation_id)
        .where(RecordedViolation.remedy.is_not(None))
    ).all()
    assert remedied and all(remedy == demo.remedy_for(code) for code, remedy in remedied)
    cov = rule.coverage(periods.parse_key("2026"), scope=Scope())
    assert (cov.level, cov.totals.code) == ("commune", "68")
    shown = [r for r in cov.rows if r.in_scope]
    assert len(shown) >= 40 and all(len(r.code) == 5 for r in shown)
    assert sum(r.inspected for r in shown) == cov.totals.inspected > 0
    # the demo plan of 2026, once, marked as demo
    assert load_demo_plan() == 1 and load_demo_plan() == 0
    plan = plan_for(periods.parse_key("2026")).plan
    assert plan.number == DEMO_NUMBER and "demo" in plan.notes
    assert plan.standing_agency.code == "health"
    # "targets as the 2024 plan": its indicators, on today's levels (no district left)
    from inspections.reports.indicators import of_plan

    source = db.session.scalar(select(Plan).where(Plan.number == "1227/KH-UBND"))
    copied = of_plan(plan)
    assert [i.code for i in copied] == [i.code for i in of_plan(source)] and copied
    assert {i.level for i in copied} <= {"province", "commune"}
