"""Keep recorded violations with their venue when a duplicate venue is merged."""

from __future__ import annotations

from typing import cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult

from ..extensions import db
from ..venues.services import MERGE_HOOKS
from .models import RecordedViolation, ReviewerNote


def move_recorded_violations(duplicate_id: int, kept_id: int) -> int:
    """The denormalised venue of violations follows their inspections to the kept venue."""
    result = db.session.execute(
        update(RecordedViolation)
        .where(RecordedViolation.venue_id == duplicate_id)
        .values(venue_id=kept_id)
        .execution_options(synchronize_session=False)
    )
    # an UPDATE without RETURNING answers a CursorResult; Session.execute is typed as a plain Result
    moved = cast(CursorResult, result).rowcount or 0
    # Follow-ups and payments hang off the violations (moved with them); notes name the venue.
    notes = db.session.execute(
        update(ReviewerNote)
        .where(ReviewerNote.venue_id == duplicate_id)
        .values(venue_id=kept_id)
        .execution_options(synchronize_session=False)
    )
    return moved + (cast(CursorResult, notes).rowcount or 0)


if move_recorded_violations not in MERGE_HOOKS:
    MERGE_HOOKS.append(move_recorded_violations)
