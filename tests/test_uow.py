"""The unit of work: a unit commits when it succeeds and leaves nothing when it raises."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inspections.errors import Invalid
from inspections.extensions import db
from inspections.uow import depth, transactional, trial, unit
from inspections.venues.models import Venue


def _names() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(Venue.name)))


@transactional
def _rename(venue_id: int, name: str, fail: bool = False) -> None:
    db.session.get(Venue, venue_id).name = name
    db.session.flush()  # written to the database before the refusal below
    if fail:
        raise Invalid("refused after writing")


def test_a_failed_unit_leaves_nothing_and_a_caller_keeps_its_own_work(create_venue):
    a = create_venue(name="Karaoke A")
    b = create_venue(name="Karaoke B", lat=10.93, lon=108.11)
    with unit():
        _rename(a.id, "Karaoke A2")
        with pytest.raises(Invalid):
            _rename(b.id, "Karaoke B2", fail=True)  # an inner unit: a savepoint
        assert depth() == 1
    names = _names()
    assert "Karaoke A2" in names and "Karaoke B" in names and "Karaoke B2" not in names
    assert depth() == 0


def test_an_outermost_unit_that_raises_rolls_back_everything_it_wrote(create_venue):
    a = create_venue(name="Karaoke A")
    with unit():  # the venue itself is committed first
        pass
    with pytest.raises(Invalid), unit():
        _rename(a.id, "Karaoke A2")
        raise Invalid("late refusal")
    assert "Karaoke A2" not in _names() and "Karaoke A" in _names()


def test_a_trial_is_undone_unless_kept(create_venue):
    a = create_venue(name="Karaoke A")
    with unit():
        pass
    with unit(), trial():
        _rename(a.id, "Karaoke dry run")
        assert db.session.scalar(select(func.count()).where(Venue.name == "Karaoke dry run"))
    assert "Karaoke dry run" not in _names()
    with unit(), trial(keep=lambda: True):
        _rename(a.id, "Karaoke kept")
    assert "Karaoke kept" in _names()


def test_a_unit_inside_a_bare_trial_cannot_commit_what_the_trial_undoes(create_venue):
    a = create_venue(name="Karaoke A")
    with unit():
        pass
    with trial():  # no unit around it: the inner unit must still be a savepoint
        _rename(a.id, "Karaoke tried")
        assert depth() == 1
    assert depth() == 0
    assert "Karaoke tried" not in _names()
