"""Transactions by construction: a page that catches a service's error and then re-renders or
redirects leaves nothing of the failed call behind, even though the service had already
written (flushed) part of its work when it refused.

The request boundary rolls back a 4xx answer, but a redirect (302) is a success: there only
the service's own unit of work (``@transactional``) undoes what it wrote. Each test first
proves that the service did write before raising (a flush was seen during the request), then
reads the rows afresh.
"""

from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from inspections.audit.models import AuditEvent
from inspections.extensions import db
from inspections.venues.models import Venue, VenueEvent, VenueLicence
from inspections.visits.models import Inspection
from tests.conftest import csrf_token, login

SAI_GON = (10.7700, 106.7000)  # in Vietnam, 75 km outside the province


@pytest.fixture
def flushed():
    """(class name, id) of every object written by a flush while the test runs."""
    seen: list[tuple[str, int | None]] = []

    def note(session, _context):
        for obj in list(session.new) + list(session.dirty):
            seen.append((type(obj).__name__, getattr(obj, "id", None)))

    event.listen(Session, "after_flush", note)
    yield seen
    event.remove(Session, "after_flush", note)


COLUMNS = (
    "name",
    "owner_phone",
    "district_id",
    "commune_id",
    "status",
    "closed_on",
    "registration_no",
    "merged_into_id",
    "last_submitted_on",
    "label_version",
)


def _post(client, username: str, path: str, data: dict):
    """POST a form as this user, with the session's CSRF token."""
    login(client, username)
    return client.post(path, data={"csrf_token": csrf_token(client, "/venues"), **data})


def _stored(venue_id: int) -> dict:
    """What the database holds about a venue: its row, events, licences and audit trail."""
    db.session.expire_all()
    venue = db.session.get(Venue, venue_id)
    return {
        "row": {k: getattr(venue, k) for k in COLUMNS},
        "events": db.session.scalars(
            select(VenueEvent.kind).where(VenueEvent.venue_id == venue_id)
        ).all(),
        "licences": sorted(
            (lic.kind, lic.number, lic.expires_on)
            for lic in db.session.scalars(
                select(VenueLicence).where(VenueLicence.venue_id == venue_id)
            )
        ),
        "audit": db.session.scalar(
            select(func.count()).where(
                AuditEvent.object_type == "venue", AuditEvent.object_id == venue_id
            )
        ),
    }


def test_a_refused_edit_leaves_the_venue_as_stored(client, create_venue, flushed):
    """update_venue applies the form's fields, then refuses a location outside the province:
    the page is shown again (422) with the venue as the database still has it."""
    venue = create_venue(name="Karaoke Lưu Trữ")
    db.session.add(VenueLicence(venue_id=venue.id, kind="fire_safety", number="PC-1"))
    db.session.flush()
    before = _stored(venue.id)
    r = _post(
        client,
        "t_coord",
        f"/venues/{venue.id}/edit",
        {
            "name": "Karaoke Đổi Tên",
            "sector": "karaoke",
            "coordinates": f"{SAI_GON[0]}, {SAI_GON[1]}",
            "owner_phone": "0912345678",
            "licence_kind": ["food_safety"],
            "licence_number": ["TP-9"],
            "licence_issued_on": [""],
            "licence_expires_on": ["01/01/2030"],
            "licence_issuer": [""],
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "outside the province" in html
    # the service had written the new name before it refused the location
    assert ("Venue", venue.id) in flushed
    assert "Edit Karaoke Lưu Trữ" in html and "Edit Karaoke Đổi Tên" not in html
    assert _stored(venue.id) == before


def test_a_refused_merge_redirects_and_moves_nothing(
    client, create_venue, create_inspection, flushed
):
    """merge_venues moves the duplicate's inspection, then refuses the duplicate's licence
    (of a kind the registry no longer offers): the page redirects (302, a success for the
    request), and the inspection is still the duplicate's."""
    kept = create_venue(name="Karaoke Hoàng Gia", lat=10.92900, lon=108.10200)
    duplicate = create_venue(
        name="Karaoke Hoang Gia", lat=10.92920, lon=108.10210, registration_no="KD-555"
    )
    inspection = create_inspection(duplicate, on=date(2024, 4, 4))
    db.session.add(VenueLicence(venue_id=duplicate.id, kind="old_permit", number="OP-1"))
    db.session.flush()
    before = {v.id: _stored(v.id) for v in (kept, duplicate)}
    r = _post(
        client,
        "t_coord",
        "/venues/duplicates/merge",
        {"keep": kept.id, "other": duplicate.id, "reason": "trùng"},
    )
    assert r.status_code == 302
    assert "Unknown licence kind old_permit" in client.get(r.headers["Location"]).get_data(
        as_text=True
    )
    # the service had moved the inspection (and flushed it) before it refused
    assert ("Inspection", inspection.id) in flushed
    assert db.session.get(Inspection, inspection.id).venue_id == duplicate.id
    assert {v_id: _stored(v_id) for v_id in before} == before
    assert not db.session.scalar(select(func.count()).where(AuditEvent.action == "merge"))


def test_a_refused_status_change_redirects_and_writes_nothing(client, create_venue):
    """The lifecycle form: a closure dated before the venue opened is refused (302)."""
    venue = create_venue(name="Spa Sen", sector="spa_sauna", opened_on=date(2021, 5, 1))
    before = _stored(venue.id)
    r = _post(
        client,
        "t_coord",
        f"/venues/{venue.id}/lifecycle",
        {"action": "close", "on": "01/01/2021", "reason": "giải thể"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#status")
    assert _stored(venue.id) == before
