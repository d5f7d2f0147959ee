"""The one write path of rounds: create and change a round, set its venues (by hand or from
"what to inspect next"), carry its unfinished venues into the next round.

Every check runs before anything is written, and every write service is one unit of work: a
refused round leaves nothing behind (no round without its venues, no half list).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, false, or_, select, true

from ..accounts.models import Team
from ..accounts.services import Scope, get_team, scope_of
from ..areas.versions import venue_in
from ..coverage.next_visits import next_to_inspect
from ..coverage.periods import Period
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..i18n import fmt_date
from ..uow import transactional
from ..venues.models import Venue
from .access import get_round, manages
from .models import ROUND_KINDS, Round, RoundVenue

MAX_DAYS = 366
MAX_VENUES = 1000
NAMES_SHOWN = 5


def _names(rows) -> str:
    names = [f"{r.name} (#{r.id})" for r in rows[:NAMES_SHOWN]]
    if len(rows) > NAMES_SHOWN:
        names.append(_("and %(n)s more", n=len(rows) - NAMES_SHOWN))
    return ", ".join(names)


def team_venues_clause(team: Team):
    """WHERE clause: the venue lies in one of the team's areas (a team without areas works
    province-wide)."""
    if not team.areas:
        return true()
    return or_(*[venue_in(a) for a in team.areas])


def _team_for(user, team_id: int) -> Team:
    """The team, if the coordinator plans for it; a clear 422 otherwise (the form's field)."""
    try:
        return get_team(team_id, scope_of(user))
    except NotFound:
        raise Invalid(
            _("Choose one of the teams of your area: this team is not one of them."),
            field="team_id",
        ) from None


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid(_("The round ends before it starts."), field="ends_on")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise Invalid(_("A round may last at most one year."), field="ends_on")


def check_venues(team: Team, starts_on: date, venue_ids: list[int], scope: Scope) -> None:
    """Refuse venues that do not exist, lie outside the team's area (or the coordinator's),
    were merged into another record, or were closed before the round starts."""
    if len(venue_ids) > MAX_VENUES:
        raise Invalid(_("A round may list at most %(n)s venues.", n=MAX_VENUES), field="venue_ids")
    if not venue_ids:
        return
    inside = and_(team_venues_clause(team), scope.venues(Venue))
    rows = db.session.execute(
        select(
            Venue.id,
            Venue.name,
            Venue.status,
            Venue.closed_on,
            Venue.merged_into_id,
            inside.label("inside"),
        ).where(Venue.id.in_(venue_ids))
    ).all()
    found = {r.id for r in rows}
    missing = [str(i) for i in venue_ids if i not in found]
    if missing:
        raise Invalid(
            _("No venue has the number %(ids)s.", ids=", ".join(missing[:NAMES_SHOWN])),
            field="venue_ids",
        )
    outside = [r for r in rows if not r.inside]
    if outside:
        raise Invalid(
            _("Outside the team's area: %(names)s.", names=_names(outside)), field="venue_ids"
        )
    merged = [r for r in rows if r.merged_into_id is not None]
    if merged:
        raise Invalid(
            _("Merged into another record: %(names)s.", names=_names(merged)),
            field="venue_ids",
        )
    closed = [
        r
        for r in rows
        if (r.closed_on is not None and r.closed_on < starts_on)
        or (r.status == "closed" and r.closed_on is None)
    ]
    if closed:
        raise Invalid(
            _(
                "Closed before the round starts (%(day)s): %(names)s.",
                day=fmt_date(starts_on),
                names=_names(closed),
            ),
            field="venue_ids",
        )


@transactional
def save_round(
    user,
    found: Round | None,
    *,
    team_id: int,
    title: str,
    starts_on: date,
    ends_on: date,
    kind: str = "month",
    decision_no: str | None = None,
    decision_on: date | None = None,
    unannounced: bool = False,
    venue_ids: list[int] | None = None,
    fill_limit: int = 0,
    filter_id: int | None = None,
) -> Round:
    """Create (found=None) or change a round; venue_ids (when given) replaces its list, and
    fill_limit adds that many venues from "what to inspect next" after them (or, with
    filter_id, from the coordinator's saved filter)."""
    if not manages(user):
        raise NotFound(_("This page or object does not exist, or is outside your area."))
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Give the round a title."), field="title")
    if kind not in ROUND_KINDS:
        raise Invalid(_("Unknown kind of round."), field="kind")
    _check_dates(starts_on, ends_on)
    team = _team_for(user, team_id)
    scope = scope_of(user)
    if found is not None and venue_ids is None:
        # the list stays: it must still fit the (possibly new) team and dates
        check_venues(team, starts_on, [rv.venue_id for rv in found.venues], scope)
    if found is None:
        found = Round(created_by_id=user.id)
        db.session.add(found)
    found.team_id, found.team = team.id, team
    found.title, found.kind = title, kind
    found.decision_no = (decision_no or "").strip() or None
    found.decision_on = decision_on
    found.starts_on, found.ends_on = starts_on, ends_on
    found.unannounced = bool(unannounced)
    if venue_ids is not None or fill_limit or filter_id is not None:
        ids = list(venue_ids) if venue_ids is not None else [rv.venue_id for rv in found.venues]
        _replace_venues(user, found, ids, fill_limit, scope, filter_id)
    db.session.flush()
    return found


@transactional
def set_venues(
    user, found: Round, venue_ids: list[int], fill_limit: int = 0, filter_id: int | None = None
) -> Round:
    """Replace the round's list (in this order), then add up to fill_limit venues from "what
    to inspect next" for the team's area — or, with filter_id, the venues of the team's area
    that the coordinator's saved filter finds (at most fill_limit when given)."""
    if not manages(user):
        raise NotFound(_("This page or object does not exist, or is outside your area."))
    _replace_venues(user, found, venue_ids, fill_limit, scope_of(user), filter_id)
    db.session.flush()
    return found


def _replace_venues(
    user,
    found: Round,
    venue_ids: list[int],
    fill_limit: int,
    scope,
    filter_id: int | None = None,
) -> None:
    from .. import clock

    ids = list(dict.fromkeys(venue_ids))
    current = [rv.venue_id for rv in found.venues]
    if found.id is not None and found.status_on(clock.today()) == "closed":
        if ids == current and not fill_limit and filter_id is None:
            return  # the form sends the list back unchanged with a new title
        raise Conflict(
            _("This round has ended: carry its unfinished venues into a new round instead."),
            field="venue_ids",
        )
    if filter_id is not None:
        ids += from_filter(user, found, filter_id, fill_limit, exclude=set(ids))
    elif fill_limit:
        ids += suggest(found, scope, fill_limit, exclude=set(ids))
    check_venues(found.team, found.starts_on, ids, scope)
    kept = {rv.venue_id: rv for rv in found.venues}
    rows = []
    for position, venue_id in enumerate(ids, start=1):
        rv = kept.get(venue_id) or RoundVenue(venue_id=venue_id, added_by_id=user.id)
        rv.position = position
        rows.append(rv)
    found.venues = rows


def suggest(
    found: Round, scope: Scope, limit: int, exclude: AbstractSet[int] = frozenset()
) -> list[int]:
    """Up to ``limit`` venue ids from "what to inspect next" (coverage/next_visits.py) for the
    team's areas, in the coverage year of the round's end: never inspected first, then the
    longest since the last inspection, then open tips, then repeat offenders. Venues closed
    before the round starts are left out."""
    areas = found.team.areas
    if not areas:
        raise Invalid(_("This team has no area: choose its venues by hand."), field="fill_limit")
    year = coverage_year(found)
    lines: dict[int, Any] = {}
    want = limit + len(exclude)
    for area in areas:
        for line in next_to_inspect(year, area, scope=scope, limit=want).venues:
            lines.setdefault(line.id, line)
    ordered = sorted(
        lines.values(),
        key=lambda v: (
            v.state != "never",
            v.last_on is not None,
            v.last_on or date.min,
            -v.open_tips,
            -v.past_violations,
            v.id,
        ),
    )
    closed = set(
        db.session.scalars(
            select(Venue.id).where(
                Venue.id.in_([v.id for v in ordered]),
                or_(Venue.closed_on < found.starts_on, Venue.status == "closed"),
            )
        )
        if ordered
        else []
    )
    return [v.id for v in ordered if v.id not in exclude and v.id not in closed][:limit]


def from_filter(
    user, found: Round, filter_id: int, limit: int, exclude: AbstractSet[int] = frozenset()
) -> list[int]:
    """The venues of the team's area that the coordinator's own saved filter finds, in the
    filter's list order, after those already listed; at most ``limit`` when given. The filter
    runs with the coordinator's scope today; venues it finds that cannot be planned (closed
    before the round starts) are then refused by check_venues like a list typed by hand."""
    from .. import clock
    from .filters import venue_ids

    want = (limit or MAX_VENUES) + len(exclude)
    found_ids = venue_ids(user, filter_id, clock.today(), team_venues_clause(found.team), want + 1)
    new = [i for i in found_ids if i not in exclude]
    if not new:
        raise Invalid(
            _("The saved filter finds no venue in the team's area that is not listed yet."),
            field="filter_id",
        )
    return new[:limit] if limit else new


def coverage_year(found: Round) -> Period:
    """The coverage period a round works towards: the calendar year of its end."""
    y = found.ends_on.year
    return Period(date(y, 1, 1), date(y, 12, 31), str(y))


def unfinished_ids(found: Round) -> list[int]:
    """The round's venues with no submitted inspection in its period, in its order."""
    from .progress import venue_states

    return [s.venue_id for s in venue_states(found) if s.state != "done"]


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of the day's month."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def next_month(found: Round) -> tuple[date, date]:
    """The month after the round's end: the default period of a carried round."""
    return month_of(found.ends_on.replace(day=1) + timedelta(days=32))


@transactional
def carry_unfinished(
    user,
    found: Round,
    *,
    into_id: int | None = None,
    title: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Round:
    """Put the round's unfinished venues (not inspected in its period, whether or not the
    team could get in) into another round of the same team — an existing one (into_id, after
    its own venues) or a new one (by default the next month) — in one unit."""
    if not manages(user):
        raise NotFound(_("This page or object does not exist, or is outside your area."))
    left = unfinished_ids(found)
    if not left:
        raise Invalid(_("Every venue of this round was inspected: nothing to carry."))
    if into_id is not None:
        target = get_round(user, into_id, manage=True)
        if target.id == found.id:
            raise Invalid(_("Choose another round to carry into."), field="into_id")
        if target.team_id != found.team_id:
            raise Invalid(_("Carry into a round of the same team."), field="into_id")
        have = [rv.venue_id for rv in target.venues]
        return set_venues(user, target, have + [i for i in left if i not in have])
    default_start, default_end = next_month(found)
    starts_on = starts_on or default_start
    ends_on = ends_on or default_end
    # venues closed meanwhile cannot be planned again: leave them out rather than refuse
    still_open = set(
        db.session.scalars(
            select(Venue.id).where(
                Venue.id.in_(left),
                Venue.merged_into_id.is_(None),
                or_(Venue.closed_on.is_(None), Venue.closed_on >= starts_on),
                or_(Venue.status != "closed", Venue.closed_on.is_not(None)),
            )
        )
    )
    new = save_round(
        user,
        None,
        team_id=found.team_id,
        title=title or _("%(title)s (carried over)", title=found.title),
        starts_on=starts_on,
        ends_on=ends_on,
        kind=found.kind,
        decision_no=found.decision_no,
        decision_on=found.decision_on,
        unannounced=found.unannounced,
        venue_ids=[i for i in left if i in still_open],
    )
    new.carried_from_id = found.id
    db.session.flush()
    return new


def carry_targets(found: Round, today: date) -> list[Round]:
    """The team's other rounds not ended yet: where unfinished venues may be carried."""
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.team_id == found.team_id, Round.id != found.id, Round.ends_on >= today)
            .order_by(Round.starts_on, Round.id)
        )
    )


def rounds_for(user, *, when: str | None = None, team_id: int | None = None, today: date):
    """The rounds the user may see, newest first; when = planned / active / closed."""
    from .access import visible_clause

    q = select(Round).where(visible_clause(user))
    if team_id is not None:
        q = q.where(Round.team_id == team_id)
    if when == "planned":
        q = q.where(Round.starts_on > today)
    elif when == "active":
        q = q.where(Round.starts_on <= today, Round.ends_on >= today)
    elif when == "closed":
        q = q.where(Round.ends_on < today)
    elif when is not None:
        q = q.where(false())
    return q.order_by(Round.starts_on.desc(), Round.id.desc())
