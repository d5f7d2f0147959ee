"""Tips: record, close, list; the share handled in time (the plan's 100 % target).

A tip's due day is its intake day plus TIP_HANDLING_DAYS (default 30). A tip about a venue
takes the venue's district; merging venues moves tips to the kept venue.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, true, update
from sqlalchemy.engine import CursorResult

from ..accounts.services import Scope
from ..areas.services import get_area
from ..clock import today
from ..errors import Invalid, NotFound, OutsideScope
from ..extensions import db
from ..i18n import fmt_date
from ..uow import transactional
from ..venues.models import Venue
from ..venues.services import MERGE_HOOKS, get_venue
from ..visits.models import Inspection
from .models import SUMMARY_MAX, Tip


def handling_days() -> int:
    return int(current_app.config.get("TIP_HANDLING_DAYS", 30))


def scope_clause(scope: Scope):
    """Tips inside the scope: by their venue's area, or their own district when no venue."""
    if scope.everything:
        return true()
    venue_ok = select(Venue.id).where(Venue.id == Tip.venue_id, scope.venues(Venue)).exists()
    if scope.level == "district":
        return or_(venue_ok, and_(Tip.venue_id.is_(None), Tip.district_id == scope.area_id))
    return venue_ok


def get_tip(tip_id: int, scope: Scope) -> Tip:
    tip = db.session.get(Tip, tip_id)
    if tip is None:
        raise NotFound(_("No such tip."))
    if not db.session.scalar(select(func.count()).where(Tip.id == tip_id, scope_clause(scope))):
        raise OutsideScope(_("No such tip."), object_type="tip", object_id=tip_id)
    return tip


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


@transactional
def create_tip(user, data: dict, scope: Scope) -> Tip:
    """Record a tip; the due day follows from the intake day."""
    received = data["received_on"]
    if received > today():
        raise Invalid(_("This date is in the future."), field="received_on")
    summary = _clean(data.get("summary"))
    if not summary:
        raise Invalid(_("Summarise the tip."), field="summary")
    if len(summary) > SUMMARY_MAX:
        raise Invalid(
            _("The summary is longer than %(max)s characters.", max=SUMMARY_MAX), field="summary"
        )
    venue = get_venue(data["venue_id"], scope) if data.get("venue_id") else None
    district_id = venue.district_id if venue else data.get("district_id")
    if venue is None and not scope.everything and scope.level == "district":
        district_id = scope.area_id
    tip = Tip(
        venue_id=venue.id if venue else None,
        district_id=district_id,
        received_on=received,
        source=data["source"],
        summary=summary,
        classification=data["classification"],
        due_on=received + timedelta(days=handling_days()),
        created_by_id=user.id,
    )
    db.session.add(tip)
    db.session.flush()
    return tip


@transactional
def close_tip(tip: Tip, data: dict) -> Tip:
    """Close a tip with its verification result and outcome, optionally the inspection."""
    if tip.closed_on is not None:
        raise Invalid(_("This tip is already closed."), field="closed_on")
    closed = data["closed_on"]
    if closed < tip.received_on:
        raise Invalid(
            _("The tip is closed before it was received (%(day)s).", day=fmt_date(tip.received_on)),
            field="closed_on",
        )
    if closed > today():
        raise Invalid(_("This date is in the future."), field="closed_on")
    verification = _clean(data.get("verification"))
    if not verification:
        raise Invalid(_("Say how the tip was verified."), field="verification")
    if data.get("inspection_id"):
        inspection = db.session.get(Inspection, data["inspection_id"])
        if inspection is None or inspection.venue_id != tip.venue_id:
            raise Invalid(_("Link an inspection of the tip's venue."), field="inspection_id")
        tip.inspection_id = inspection.id
    tip.closed_on = closed
    tip.outcome = data["outcome"]
    tip.verification = verification
    db.session.flush()
    return tip


STATES = ("open", "late", "closed", "in_time", "overdue")


def tips_query(
    scope: Scope,
    state: str | None = None,
    *,
    received_from: date | None = None,
    received_to: date | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    area: str | None = None,
):
    """Tips in the scope, open first by due day: by state (in_time: closed by the due day;
    overdue: closed after it, or open past it), received or due between two days, and in
    one unit (a GSO code inside the scope; NotFound outside)."""
    on = today()
    q = select(Tip).where(scope_clause(scope))
    if state == "open":
        q = q.where(Tip.closed_on.is_(None))
    elif state == "late":
        q = q.where(Tip.closed_on.is_(None), Tip.due_on < on)
    elif state == "closed":
        q = q.where(Tip.closed_on.is_not(None))
    elif state == "in_time":
        q = q.where(Tip.closed_on.is_not(None), Tip.closed_on <= Tip.due_on)
    elif state == "overdue":
        q = q.where(or_(Tip.closed_on > Tip.due_on, and_(Tip.closed_on.is_(None), Tip.due_on < on)))
    for column, low, high in (
        (Tip.received_on, received_from, received_to),
        (Tip.due_on, due_from, due_to),
    ):
        if low:
            q = q.where(column >= low)
        if high:
            q = q.where(column <= high)
    if area:
        unit = get_area(area)
        if not (scope.everything or scope.allows_area(unit)):
            raise NotFound(_("Unknown area code %(code)s.", code=area), field="area")
        if unit.level != "province":
            q = q.where(scope_clause(Scope.of(unit)))
    return q.order_by(Tip.closed_on.is_not(None), Tip.due_on, Tip.id.desc())


def in_time_share(scope: Scope, start: date, end: date) -> dict:
    """Tips received in [start, end]: how many, handled in time, overdue (one aggregate)."""
    on = today()
    in_time = case((and_(Tip.closed_on.is_not(None), Tip.closed_on <= Tip.due_on), 1), else_=0)
    late = case(
        (or_(Tip.closed_on > Tip.due_on, and_(Tip.closed_on.is_(None), Tip.due_on < on)), 1),
        else_=0,
    )
    found = db.session.execute(
        select(
            func.count().label("received"),
            func.coalesce(func.sum(in_time), 0).label("in_time"),
            func.coalesce(func.sum(late), 0).label("late"),
        ).where(scope_clause(scope), Tip.received_on >= start, Tip.received_on <= end)
    ).one()
    return {
        "received": int(found.received),
        "in_time": int(found.in_time),
        "late": int(found.late),
    }


def move_tips(duplicate_id: int, kept_id: int) -> int:
    """Merge hook: tips about the duplicate are about the kept venue."""
    result = db.session.execute(
        update(Tip)
        .where(Tip.venue_id == duplicate_id)
        .values(venue_id=kept_id)
        .execution_options(synchronize_session=False)
    )
    # an UPDATE without RETURNING answers a CursorResult; Session.execute is typed as a plain Result
    return cast(CursorResult, result).rowcount or 0


if move_tips not in MERGE_HOOKS:
    MERGE_HOOKS.append(move_tips)
