"""The demo round: made once, for the demo team of Phan Thiết, with venues and an outcome."""

from __future__ import annotations

from inspections import clock
from inspections.extensions import db
from inspections.rounds import progress
from inspections.rounds.demo import load_demo_rounds
from inspections.rounds.models import Round
from tests.visits.conftest import DEMO_DAY


def test_demo_round(app, monkeypatch):
    from inspections.venues.demo import load_demo_venues
    from inspections.visits.demo import load_demo_inspections

    monkeypatch.setattr(clock, "utcnow", lambda: DEMO_DAY)
    load_demo_venues()
    load_demo_inspections(password=None)
    assert load_demo_rounds() == 1
    assert load_demo_rounds() == 0
    (found,) = db.session.scalars(db.select(Round)).all()
    counts = progress.counts(found)
    has_lead = any(m.is_lead for m in found.team.memberships)  # demo accounts made
    assert counts.planned == 25 and counts.could_not == (1 if has_lead else 0)
    assert found.status_on(clock.today()) == "active"
