"""How a round stands, in SQL: each venue's state (done / could not / not yet), the counts,
what the rounds would bring to coverage if completed, and venues planned by two teams.

Done is read from the inspections, never stored: a venue is done in a round when it has a
submitted inspection dated in the round's period (whoever made it), so one inspection counts
for every round that lists the venue. "Could not" is the team's latest outcome (closed, not
found, refused) for a venue not done: it never counts as an inspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, literal, or_, select

from ..accounts.models import Team
from ..areas.versions import venue_in
from ..coverage.plans import plan_for
from ..coverage.rule import day, in_scope_clause, last_inspected_on
from ..extensions import db
from ..spatial import distance_m, point_expr
from ..venues.models import Sector, Venue
from ..visits.chain import IS_SUBMITTED
from ..visits.models import Inspection
from .models import Round, RoundOutcome, RoundVenue
from .services import coverage_year


def done_clause(venue_id, starts_on, ends_on):
    """EXISTS: a submitted inspection of the venue dated in [starts_on, ends_on]."""
    return exists(
        select(Inspection.id).where(
            Inspection.venue_id == venue_id,
            IS_SUBMITTED,
            Inspection.inspected_on >= starts_on,
            Inspection.inspected_on <= ends_on,
        )
    )


def latest_outcome(round_id, venue_id):
    """The kind of the team's latest outcome for the venue in the round (or NULL)."""
    return (
        select(RoundOutcome.kind)
        .where(RoundOutcome.round_id == round_id, RoundOutcome.venue_id == venue_id)
        .order_by(RoundOutcome.recorded_at.desc(), RoundOutcome.id.desc())
        .limit(1)
        .correlate(RoundVenue)
        .scalar_subquery()
    )


@dataclass
class VenueState:
    venue_id: int
    position: int
    name: str
    address: str | None
    sector: str
    sector_name_vi: str
    sector_name_en: str
    lat: float | None
    lon: float | None
    state: str  # done / could_not / todo
    outcome: str | None
    distance_m: int | None = None


def _state_columns(found: Round):
    done = done_clause(RoundVenue.venue_id, day(found.starts_on), day(found.ends_on))
    outcome = latest_outcome(literal(found.id), RoundVenue.venue_id)
    state = case((done, "done"), (outcome.is_not(None), "could_not"), else_="todo")
    return state, outcome


def venue_states(found: Round, near: tuple[float, float] | None = None) -> list[VenueState]:
    """The round's venues with their state, in the coordinator's order (or nearest first
    from ``near`` = (lat, lon))."""
    state, outcome = _state_columns(found)
    dist = distance_m(Venue.location, point_expr(*near)) if near else literal(None)
    q = (
        select(
            RoundVenue.venue_id,
            RoundVenue.position,
            Venue.name,
            Venue.address,
            Sector.code.label("sector"),
            Sector.name_vi,
            Sector.name_en,
            func.ST_Y(Venue.location).label("lat"),
            func.ST_X(Venue.location).label("lon"),
            state.label("state"),
            outcome.label("outcome"),
            dist.label("dist"),
        )
        .join(Venue, Venue.id == RoundVenue.venue_id)
        .join(Sector, Sector.id == Venue.sector_id)
        .where(RoundVenue.round_id == found.id)
        .order_by(*([dist] if near else []), RoundVenue.position)
    )
    return [
        VenueState(
            r.venue_id,
            r.position,
            r.name,
            r.address,
            r.sector,
            r.name_vi,
            r.name_en,
            r.lat,
            r.lon,
            r.state,
            r.outcome if r.state == "could_not" else None,
            None if r.dist is None else round(float(r.dist)),
        )
        for r in db.session.execute(q)
    ]


@dataclass
class Counts:
    planned: int
    done: int
    could_not: int

    @property
    def todo(self) -> int:
        return self.planned - self.done - self.could_not

    @property
    def done_pct(self) -> float | None:
        return round(100 * self.done / self.planned, 1) if self.planned else None


def counts(found: Round) -> Counts:
    """planned / done / could not of one round, one aggregate."""
    state, _outcome = _state_columns(found)
    rows = select(state.label("state")).where(RoundVenue.round_id == found.id).subquery("st")
    rec = db.session.execute(
        select(
            func.count().label("planned"),
            func.count(case((rows.c.state == "done", 1))).label("done"),
            func.count(case((rows.c.state == "could_not", 1))).label("could_not"),
        ).select_from(rows)
    ).one()
    return Counts(rec.planned, rec.done, rec.could_not)


def counts_of(rounds: list[Round]) -> dict[int, Counts]:
    """Counts of several rounds (a list page: one aggregate per round)."""
    return {r.id: counts(r) for r in rounds}


@dataclass
class Projection:
    """An area's coverage in the round's year now and if the planned venues were all done."""

    code: str
    name: str
    in_scope: int
    inspected: int
    after: int
    target_pct: Decimal

    @property
    def now_pct(self) -> float | None:
        return round(100 * self.inspected / self.in_scope, 1) if self.in_scope else None

    @property
    def after_pct(self) -> float | None:
        return round(100 * self.after / self.in_scope, 1) if self.in_scope else None

    @property
    def meets_after(self) -> bool | None:
        if not self.in_scope:
            return None
        return self.after * 100 >= Decimal(self.target_pct) * self.in_scope


def projection(found: Round, round_ids: list[int] | None = None) -> list[Projection]:
    """Per area of the round's team: the coverage rule's figures for the round's year
    (coverage/rule.py), and the share inspected once the venues of these rounds (default: this
    one) are all done — "after this round: 23.4 % against 20 %"."""
    period = coverage_year(found)
    target = plan_for(period).coverage_pct
    last_on = last_inspected_on(period)
    planned = select(RoundVenue.venue_id).where(RoundVenue.round_id.in_(round_ids or [found.id]))
    inspected = last_on >= day(period.start)
    out = []
    for area in sorted(found.team.areas, key=lambda a: a.code):
        rec = db.session.execute(
            select(
                func.count(Venue.id).label("in_scope"),
                func.count(case((inspected, 1))).label("inspected"),
                func.count(case((or_(inspected, Venue.id.in_(planned)), 1))).label("after"),
            ).where(in_scope_clause(period), venue_in(area))
        ).one()
        out.append(Projection(area.code, area.name, rec.in_scope, rec.inspected, rec.after, target))
    return out


@dataclass
class ConflictLine:
    venue_id: int
    venue_name: str
    round_id: int
    round_title: str
    team_name: str


def overlapping_rounds(found: Round, today: date):
    """WHERE clause on an aliased Round: another team's round not closed whose period
    overlaps this one's."""
    other = db.aliased(Round)
    clause = and_(
        other.id != found.id,
        other.team_id != found.team_id,
        other.ends_on >= today,
        other.starts_on <= found.ends_on,
        other.ends_on >= found.starts_on,
    )
    return other, clause


def conflicts(found: Round, today: date) -> list[ConflictLine]:
    """Venues of this round also planned by another team in a round that overlaps it (both
    not closed): the coordinator sorts out who goes. Empty once this round has closed."""
    if found.ends_on < today:
        return []
    other, clause = overlapping_rounds(found, today)
    mine = db.aliased(RoundVenue)
    theirs = db.aliased(RoundVenue)
    q = (
        select(
            mine.venue_id,
            Venue.name.label("venue_name"),
            other.id.label("round_id"),
            other.title.label("round_title"),
            Team.name.label("team_name"),
        )
        .select_from(mine)
        .join(theirs, theirs.venue_id == mine.venue_id)
        .join(other, other.id == theirs.round_id)
        .join(Team, Team.id == other.team_id)
        .join(Venue, Venue.id == mine.venue_id)
        .where(mine.round_id == found.id, clause)
        .order_by(mine.position, other.starts_on)
    )
    return [
        ConflictLine(r.venue_id, r.venue_name, r.round_id, r.round_title, r.team_name)
        for r in db.session.execute(q)
    ]


def planned_points(user, period, scope) -> list:
    """The venues of rounds overlapping the period that are not done in their round, for the
    coverage map's "planned" layer: rows of lat, lon, id, name, round_id, round_title.

    Unannounced rounds only for their team and the coordinators (rounds/access.py)."""
    from .access import managed_clause, manages, member_clause

    seen = (
        managed_clause(user)
        if manages(user)
        else or_(Round.unannounced.is_(False), member_clause(user))
    )
    done = done_clause(RoundVenue.venue_id, Round.starts_on, Round.ends_on)
    q = (
        select(
            func.ST_Y(Venue.location).label("lat"),
            func.ST_X(Venue.location).label("lon"),
            Venue.id,
            Venue.name,
            Round.id.label("round_id"),
            Round.title.label("round_title"),
        )
        .select_from(RoundVenue)
        .join(Round, Round.id == RoundVenue.round_id)
        .join(Venue, Venue.id == RoundVenue.venue_id)
        .where(
            seen,
            scope.venues(Venue),
            Round.starts_on <= day(period.end),
            Round.ends_on >= day(period.start),
            ~done,
        )
        .order_by(Round.id, RoundVenue.position)
    )
    return list(db.session.execute(q))


def area_names(found: Round) -> str:
    """The team's areas, for the pages."""
    return ", ".join(a.name for a in sorted(found.team.areas, key=lambda a: a.code)) or "—"
