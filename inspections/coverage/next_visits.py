"""What to inspect next: the venues an area still needs in the period, in visiting order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ScalarSelect, case, func, null, or_, select

from ..accounts.services import Scope
from ..areas.models import Area
from ..areas.versions import venue_in
from ..extensions import db
from ..spatial import distance_m, point_expr
from ..venues.models import Sector, Venue
from ..visits.chain import IS_SUBMITTED
from ..visits.models import Inspection
from .lists import VenueLine, line_columns, venue_line
from .periods import Period
from .plans import plan_for
from .rule import (
    Figures,
    area_figures,
    in_scope_clause,
    last_inspected_on,
    sector_by_code,
)


@dataclass
class NextPlan:
    """How many more venues an area needs in the period, and which to visit first."""

    figures: Figures
    needed: int
    venues: list[VenueLine]
    candidates: int
    start_point: tuple[float, float] | None


def past_violations_count() -> ScalarSelect[int]:
    """Per venue: how many violations its submitted inspections recorded (current rows,
    amendments applied) — more violations, earlier visit among equally due venues."""
    from ..violations.models import RecordedViolation

    return (
        select(func.count(RecordedViolation.id))
        .join(Inspection, Inspection.id == RecordedViolation.inspection_id)
        .where(
            RecordedViolation.venue_id == Venue.id,
            RecordedViolation.superseded_by_id.is_(None),
            IS_SUBMITTED,
        )
        .correlate(Venue)
        .scalar_subquery()
    )


def open_tips_count() -> ScalarSelect[int]:
    """Per venue: tips about it that are not closed yet (they call for a visit)."""
    from ..tips.models import Tip

    return (
        select(func.count(Tip.id))
        .where(Tip.venue_id == Venue.id, Tip.closed_on.is_(None))
        .correlate(Venue)
        .scalar_subquery()
    )


def next_to_inspect(
    period: Period,
    area: Area,
    *,
    scope: Scope,
    sector: str | None = None,
    start: tuple[float, float] | None = None,
    limit: int = 50,
    locale: str = "vi",
) -> NextPlan:
    """Venues in scope not yet inspected in the period: never inspected first, then longest
    since the last submitted inspection, then most past violations and open tips, then
    nearest."""
    figures = area_figures(period, area, scope=scope, sector=sector)
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    last_on = last_inspected_on(period)
    never = (
        last_on.is_(None)
        if targets.baseline_on is None
        else or_(last_on.is_(None), last_on < targets.baseline_on)
    )
    dist = distance_m(Venue.location, point_expr(*start)) if start else null()
    vs = (
        select(
            Venue.id.label("id"),
            Venue.name.label("name"),
            Venue.address.label("address"),
            Venue.sector_id.label("sector_id"),
            Venue.district_id.label("area_id"),
            Venue.location.label("location"),
            last_on.label("last_on"),
            case((never, 0), else_=1).label("seen"),
            past_violations_count().label("violations"),
            open_tips_count().label("tips"),
            dist.label("dist"),
        )
        .where(
            in_scope_clause(period, sector_obj.id if sector_obj else None),
            scope.venues(Venue),
            venue_in(area),
        )
        .subquery("cand")
    )
    not_yet = or_(vs.c.last_on.is_(None), vs.c.last_on < period.start)
    candidates = db.session.execute(
        select(func.count()).select_from(vs).where(not_yet)
    ).scalar_one()
    order = [
        vs.c.seen,
        case((vs.c.last_on.is_(None), 0), else_=1),
        vs.c.last_on,
        (vs.c.violations + vs.c.tips).desc(),
        vs.c.tips.desc(),
    ]
    if start:
        order.append(vs.c.dist)
    order.append(vs.c.id)
    q = (
        select(
            *line_columns(vs, period, targets.baseline_on),
            vs.c.dist,
            vs.c.violations,
            vs.c.tips,
        )
        .join(Sector, Sector.id == vs.c.sector_id)
        .where(not_yet)
        .order_by(*order)
        .limit(limit)
    )
    lines = [
        venue_line(
            r,
            locale,
            distance_m=None if r.dist is None else round(float(r.dist)),
            past_violations=int(r.violations or 0),
            open_tips=int(r.tips or 0),
        )
        for r in db.session.execute(q)
    ]
    return NextPlan(figures, figures.needed, lines, candidates, start)
