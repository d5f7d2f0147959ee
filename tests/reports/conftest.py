"""Fixtures of the reports tests: a small province with venues, inspections, violations and
tips in the 2024 windows, and the clock set after the year's last window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inspections.extensions import db
from inspections.tips.models import Tip
from inspections.violations.followup import sync_register
from inspections.violations.models import LegalViolation, RecordedViolation

# Venues in Phan Thiết (593) and La Gi (594).
PHAN_THIET = (10.93, 108.10)
LA_GI = (10.68, 107.77)


@pytest.fixture
def fixed_today(monkeypatch):
    """Set the province's today (clock.today and every module that imported it)."""

    def _set(day: date):
        import inspections.clock as clock

        monkeypatch.setattr(clock, "today", lambda: day)
        for module in (
            "inspections.reports.api",
            "inspections.reports.views.pages",
            "inspections.reports.views.entry",
            "inspections.tips.services",
        ):
            mod = __import__(module, fromlist=["today"])
            monkeypatch.setattr(mod, "today", lambda: day)
        return day

    return _set


@pytest.fixture
def province(create_venue, create_inspection):
    """Six venues (4 in 593, 2 in 594); in the 2024 yearly window (15/12/2023–14/12/2024)
    three are inspected (two in 593, one in 594), one in 2023's window only; two
    violations with fines; three tips."""
    made = {}
    for i in range(4):
        made[f"pt{i}"] = create_venue(
            name=f"Karaoke PT {i}", lat=PHAN_THIET[0] + i * 0.001, lon=PHAN_THIET[1]
        )
    for i in range(2):
        made[f"lg{i}"] = create_venue(
            name=f"Massage LG {i}", lat=LA_GI[0] + i * 0.001, lon=LA_GI[1], sector="massage"
        )
    ins = {
        "a": create_inspection(made["pt0"], on=date(2024, 3, 1)),
        "b": create_inspection(made["pt1"], on=date(2024, 9, 10)),
        "c": create_inspection(made["lg0"], on=date(2024, 6, 1)),
        "old": create_inspection(made["pt2"], on=date(2023, 5, 1)),
        "draft": create_inspection(made["pt3"], on=date(2024, 5, 1), status="draft"),
    }
    legal = db.session.scalar(select(LegalViolation.id).order_by(LegalViolation.id).limit(1))
    for key, fine in (("a", 2_000_000), ("c", 3_000_000)):
        insp = ins[key]
        db.session.add(
            RecordedViolation(
                inspection_id=insp.id,
                venue_id=insp.venue_id,
                legal_violation_id=legal,
                offender_type="individual",
                fine_vnd=fine,
                measures=[],
            )
        )
    db.session.flush()
    sync_register([ins["a"].id, ins["c"].id])
    for received, closed, venue in (
        (date(2024, 2, 1), date(2024, 2, 20), made["pt0"]),  # due 2/3, in time
        (date(2024, 4, 1), date(2024, 6, 1), made["pt1"]),  # due 1/5, late
        (date(2024, 11, 20), None, made["lg0"]),  # due 20/12: after the window
    ):
        db.session.add(
            Tip(
                venue_id=venue.id,
                district_id=venue.district_id,
                received_on=received,
                source="citizen",
                summary="Tin báo",
                classification="prostitution",
                due_on=received + timedelta(days=30),
                closed_on=closed,
                verification="Đã xác minh" if closed else None,
                outcome="confirmed" if closed else None,
            )
        )
    db.session.flush()
    made["inspections"] = ins
    return made
