"""Each venue's submitted inspections as a chain: every one knows the date of the next.

``Inspection.next_submitted_on`` holds, for a submitted inspection, the date of the venue's
next submitted inspection in (inspected_on, id) order, or ``OPEN_END`` when it is the latest;
drafts and cancelled inspections hold NULL. ``Venue.last_submitted_on`` is the date of the
venue's latest submitted inspection. The venue's latest submitted inspection up to a day D is
then ``last_submitted_on`` when that is ≤ D, else the one row with
``inspected_on <= D < next_submitted_on``: coverage reads the venues, and the inspections
only for venues inspected again after D, instead of grouping every inspection by venue.

Both columns are kept here and only here: after every flush that adds, removes, submits, cancels,
re-dates or moves a submitted inspection to another venue (a merge), the chains of the venues
concerned are recomputed by one UPDATE with a window function, and their latest dates by one
UPDATE of the venues. Bulk SQL that bypasses the ORM
(benchmarks, migrations) calls :func:`relink` itself; ``flask relink-inspections`` repairs a
database edited by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Date, and_, bindparam, event, func, inspect, literal_column, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from ..venues.models import Venue
from .models import Inspection

OPEN_END = date(9999, 12, 31)
# The attributes whose change moves an inspection in (or out of) its venue's chain.
LINKED = ("status", "inspected_on", "venue_id")
SUBMITTED = "submitted"
_PENDING = "inspections.chain.pending"
_STALE = "inspections.chain.stale"
# A literal, not a bound parameter: the partial indexes on submitted inspections (PostGIS)
# then match even in the generic plans of prepared statements. Coverage filters with it too.
IS_SUBMITTED = Inspection.status == literal_column("'submitted'")


def expected_next():
    """(id, nxt) of every submitted inspection, nxt as the chain defines it (never NULL)."""
    following = func.lead(Inspection.inspected_on).over(
        partition_by=Inspection.venue_id, order_by=(Inspection.inspected_on, Inspection.id)
    )
    open_end = bindparam("open_end", OPEN_END, type_=Date)
    return select(Inspection.id, func.coalesce(following, open_end).label("nxt")).where(
        IS_SUBMITTED
    )


def relink(connection, venue_ids: Iterable[int] | None = None) -> int:
    """Recompute the chains of these venues (every venue when None); returns rows changed."""
    ids = None if venue_ids is None else sorted({int(v) for v in venue_ids if v is not None})
    if ids == []:
        return 0
    if ids is not None:
        # One writer per venue at a time (PostgreSQL; SQLite has one writer anyway): a second
        # transaction inspecting the same venue waits here, then reads the first one's
        # inspections in its next statement instead of relinking from an older snapshot.
        connection.execute(
            select(Venue.id).where(Venue.id.in_(ids)).order_by(Venue.id).with_for_update()
        ).all()
    stmt = expected_next()
    clear = [Inspection.status != SUBMITTED, Inspection.next_submitted_on.is_not(None)]
    if ids is not None:
        stmt = stmt.where(Inspection.venue_id.in_(ids))
        clear.append(Inspection.venue_id.in_(ids))
    nxt = stmt.subquery("chain")
    changed = connection.execute(
        sql_update(Inspection)
        .where(Inspection.id == nxt.c.id, Inspection.next_submitted_on.is_distinct_from(nxt.c.nxt))
        .values(next_submitted_on=nxt.c.nxt)
        .execution_options(synchronize_session=False)
    ).rowcount
    cleared = connection.execute(
        sql_update(Inspection)
        .where(and_(*clear))
        .values(next_submitted_on=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    stmt = (
        sql_update(Venue)
        .where(Venue.last_submitted_on.is_distinct_from(_latest()))
        # A derived column: the venue record itself did not change.
        .values(last_submitted_on=_latest(), updated_at=Venue.updated_at)
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        stmt = stmt.where(Venue.id.in_(ids))
    venues = connection.execute(stmt).rowcount
    return (changed or 0) + (cleared or 0) + (venues or 0)


def _latest():
    return (
        select(func.max(Inspection.inspected_on))
        .where(Inspection.venue_id == Venue.id, IS_SUBMITTED)
        .scalar_subquery()
    )


def broken_links(connection) -> int:
    """How many inspections and venues hold other dates than the chain defines (0: sound)."""
    nxt = expected_next().subquery("chain")
    # Drafts and cancelled inspections find no chain row: NULL is what they must hold.
    wrong = connection.scalar(
        select(func.count())
        .select_from(Inspection)
        .outerjoin(nxt, nxt.c.id == Inspection.id)
        .where(Inspection.next_submitted_on.is_distinct_from(nxt.c.nxt))
    )
    wrong_venues = connection.scalar(
        select(func.count())
        .select_from(Venue)
        .where(Venue.last_submitted_on.is_distinct_from(_latest()))
    )
    return int(wrong or 0) + int(wrong_venues or 0)


# ---------------------------------------------------------------- kept up to date on flush


def _was_or_is_submitted(obj: Inspection) -> bool:
    history = inspect(obj).attrs.status.history
    return obj.status == SUBMITTED or SUBMITTED in (history.deleted or ())


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    """Note the inspections whose place in a chain may change, and the venues they leave."""
    objects, venues = [], set()
    for obj in session.new:
        if isinstance(obj, Inspection) and obj.status == SUBMITTED:
            objects.append(obj)
    for obj in session.deleted:
        if isinstance(obj, Inspection):
            venues.add(obj.venue_id)
    for obj in session.dirty:
        if not isinstance(obj, Inspection) or not _was_or_is_submitted(obj):
            continue
        state = inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in LINKED):
            objects.append(obj)
            venues.update(v for v in state.attrs.venue_id.history.deleted or () if v)
    if objects or venues:
        pending = session.info.setdefault(_PENDING, ([], set()))
        pending[0].extend(objects)
        pending[1].update(venues)


@event.listens_for(Session, "after_flush")
def _relink_after_flush(session: Session, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    objects, venues = pending
    venues = venues | {obj.venue_id for obj in objects}
    relink(session.connection(), venues)
    session.info[_STALE] = venues


@event.listens_for(Session, "after_flush_postexec")
def _forget_stale(session: Session, flush_context) -> None:
    """The UPDATE bypassed the identity map: loaded inspections read the new dates afresh."""
    venues = session.info.pop(_STALE, None)
    if not venues:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Inspection) and obj.venue_id in venues:
            session.expire(obj, ["next_submitted_on"])
        elif isinstance(obj, Venue) and obj.id in venues:
            session.expire(obj, ["last_submitted_on"])
