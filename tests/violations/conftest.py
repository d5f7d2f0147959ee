"""The inspection fixtures (a team, a venue, an API caller) are shared with these tests, plus
a factory of recorded violations at submitted inspections."""

from __future__ import annotations

from datetime import date

import pytest

from inspections.extensions import db
from tests.visits.conftest import api, make_doc, team, venue  # noqa: F401

LATCH = "ND38-2021-D15-6b"


@pytest.fixture
def record_violation(create_inspection):
    """record_violation(place, on, code=LATCH, fine=15_000_000, remedy=None, deadline=None,
    offender="individual", inspection=None, status="submitted") -> RecordedViolation."""
    from inspections.violations.followup import sync_register
    from inspections.violations.services import ViolationEntry, add_violation, by_codes

    def _record(
        place,
        on: date,
        code: str = LATCH,
        fine: int | None = 15_000_000,
        remedy: str | None = None,
        deadline: date | None = None,
        offender: str = "individual",
        inspection=None,
        status: str = "submitted",
    ):
        inspection = inspection or create_inspection(place, on=on, status=status)
        entry = ViolationEntry(
            legal=by_codes([code])[code],
            offender_type=offender,
            offender_name=None,
            fine_vnd=fine,
            measures=["remedy"] if remedy else [],
            remedy=remedy,
            remedy_deadline=deadline,
        )
        row = add_violation(inspection, entry, 0)
        db.session.flush()
        sync_register([inspection.id])
        return row

    return _record
