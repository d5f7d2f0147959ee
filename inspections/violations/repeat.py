"""Repeat offenders: venues found in violation at two or more inspections in a rolling window.

Offending again is what makes a repeat offender ("tái phạm"): several violations found at one
inspection are one occasion. The window ends today and starts `months` months earlier
(inclusive): with the default 12 months on 15/06/2025, violations recorded from 15/06/2024
count. The count shown is the violations of those occasions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from flask import current_app
from sqlalchemy import ColumnElement, Row, Select, func, select

from ..extensions import db
from ..venues.models import Venue
from .models import RecordedViolation

MIN_COUNT = 2  # inspections that found a violation

# (venue id, violations, last day, fines, offenders in all): a row of offenders_query
OffenderRow = Row[int, int, date | None, int | None, int]


def default_months() -> int:
    return int(current_app.config.get("REPEAT_WINDOW_MONTHS", 12))


def window_start(today: date, months: int) -> date:
    """The first day of the window: the same day `months` months earlier (clamped)."""
    year, month = divmod(today.month - 1 - months, 12)
    year, month = today.year + year, month + 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, 28)


def _counted(start: date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (RecordedViolation.in_register.is_(True), RecordedViolation.inspected_on >= start)


def _occasions():
    """The inspections that found the violations of a group: a repeat offender has two."""
    return func.count(RecordedViolation.inspection_id.distinct())


def repeat_counts(venue_ids: Iterable[int], start: date) -> dict[int, tuple[int, date]]:
    """{venue id: (violations in the window, last day)} for the repeat offenders among
    these venues, in one GROUP BY."""
    ids = list(set(venue_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            RecordedViolation.venue_id,
            func.count().label("n"),
            func.max(RecordedViolation.inspected_on).label("last_on"),
        )
        .where(RecordedViolation.venue_id.in_(ids), *_counted(start))
        .group_by(RecordedViolation.venue_id)
        .having(_occasions() >= MIN_COUNT)
    )
    return {row.venue_id: (row.n, row.last_on) for row in rows}


def repeat_clause(start: date) -> ColumnElement[bool]:
    """WHERE clause on Venue: the venue is a repeat offender in the window (venue lists)."""
    count = (
        select(_occasions())
        .where(RecordedViolation.venue_id == Venue.id, *_counted(start))
        .correlate(Venue)
        .scalar_subquery()
    )
    return count >= MIN_COUNT


def offenders_query(
    start: date, where: list[ColumnElement[bool]]
) -> Select[int, int, date | None, int | None, int]:
    """(venue id, count, last day, fines, total) of repeat offenders, most violations first;
    `total` is how many offenders there are in all (one aggregation serves the page and its
    count). `where` are clauses on Venue (scope, area, sector); without them the venue table
    is not read (merged duplicates have no violations left: the merge moves them)."""
    q = select(
        RecordedViolation.venue_id,
        func.count().label("n"),
        func.max(RecordedViolation.inspected_on).label("last_on"),
        func.coalesce(func.sum(RecordedViolation.fine_vnd), 0).label("fines"),
        func.count().over().label("total"),
    )
    if where:
        q = q.join(Venue, Venue.id == RecordedViolation.venue_id)
    return (
        q.where(*_counted(start), *where)
        .group_by(RecordedViolation.venue_id)
        .having(_occasions() >= MIN_COUNT)
        .order_by(
            func.count().desc(),
            func.max(RecordedViolation.inspected_on).desc(),
            RecordedViolation.venue_id,
        )
    )


def offenders_page(
    start: date, where: list[ColumnElement[bool]], page: int, size: int
) -> tuple[Sequence[OffenderRow], int]:
    """(rows of one page, total offenders)."""
    q = offenders_query(start, where)
    rows = db.session.execute(q.offset((page - 1) * size).limit(size)).all()
    if rows:
        return rows, rows[0].total
    if page == 1:
        return [], 0
    total = db.session.execute(
        select(func.count()).select_from(q.order_by(None).subquery())
    ).scalar_one()
    return [], total
