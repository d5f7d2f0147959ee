"""What the phone's queue relies on in the inspections API: a queue replayed (whole, or cut
off half-way) creates nothing twice; a phone clock hours ahead is kept as recorded; a closed
venue or a lost area is a conflict with the server's reason; a lost session answers 401."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from inspections.audit.models import AuditEvent
from inspections.clock import today
from inspections.extensions import db
from inspections.visits.models import Inspection, InspectionPhoto
from tests.visits.conftest import iso, jpeg_bytes, new_key

API = "/api/v1/inspections"


def _send_queue(api, key: str, body: dict, photo: bytes, photo_key: str):
    """What offline-sync.js sends for one queued inspection, in order."""
    found = api("GET", f"{API}?client_key={key}")
    assert found.status_code == 200
    if found.json:
        inspection_id = found.json[0]["id"]
    else:
        made = api("POST", API, body, key=key)
        assert made.status_code == 201, made.json
        inspection_id = made.json["id"]
    sent = api(
        "POST",
        f"{API}/{inspection_id}/photos",
        key=photo_key,
        data={"file": (__import__("io").BytesIO(photo), "photo.jpg"), "item": "KAR-01"},
        content_type="multipart/form-data",
    )
    assert sent.status_code in (200, 201), sent.json
    submitted = api("POST", f"{API}/{inspection_id}/submit", {}, key=f"{key}:submit:0")
    return inspection_id, submitted


def _counts(key: str) -> tuple[int, int, int]:
    ids = list(db.session.scalars(select(Inspection.id).where(Inspection.client_key == key)))
    photos = db.session.scalar(
        select(func.count())
        .select_from(InspectionPhoto)
        .where(InspectionPhoto.inspection_id.in_(ids))
    )
    submits = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "submit", AuditEvent.object_id.in_(ids))
    )
    return len(ids), photos, submits


def test_a_replayed_queue_creates_everything_once(api, make_doc):
    key, photo_key, photo = new_key(), new_key(), jpeg_bytes()
    body = make_doc()
    first_id, first = _send_queue(api, key, body, photo, photo_key)
    assert first.status_code == 200 and first.json["status"] == "submitted"
    # the same queue again (the phone never heard the answers)
    again_id, again = _send_queue(api, key, body, photo, photo_key)
    assert again_id == first_id and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    # and the create itself replayed with its key answers the first result
    replay = api("POST", API, body, key=key)
    assert replay.status_code == 201 and replay.json["id"] == first_id
    assert _counts(key) == (1, 1, 1)


def test_a_queue_cut_off_after_the_create_resumes(api, make_doc):
    key, photo_key, photo = new_key(), new_key(), jpeg_bytes()
    body = make_doc()
    made = api("POST", API, body, key=key)  # ...and then the connection went
    assert made.status_code == 201
    inspection_id, submitted = _send_queue(api, key, body, photo, photo_key)
    assert inspection_id == made.json["id"] and submitted.status_code == 200
    assert _counts(key) == (1, 1, 1)


def test_a_phone_clock_hours_ahead_is_kept_as_recorded(api, make_doc):
    ahead = timedelta(hours=5)
    phone_now = datetime.now(UTC) + ahead
    recorded = phone_now - timedelta(minutes=40)
    body = make_doc(inspected_at=iso(recorded), status="submitted")
    refused = api("POST", API, body, key=new_key())
    assert refused.status_code == 422 and "future" in refused.json["errors"]["inspected_at"][0]
    sent = api("POST", API, body, key=new_key(), headers={"X-Client-Time": phone_now.isoformat()})
    assert sent.status_code == 201, sent.json
    inspection = db.session.get(Inspection, sent.json["id"])
    assert abs(inspection.inspected_at - recorded) < timedelta(seconds=1)  # as the phone said
    assert inspection.submitted_at < datetime.now(UTC) + timedelta(minutes=1)  # server time
    # a time in the future even by the phone's own clock is still refused
    later = make_doc(inspected_at=iso(phone_now + timedelta(hours=2)))
    assert (
        api(
            "POST", API, later, key=new_key(), headers={"X-Client-Time": phone_now.isoformat()}
        ).status_code
        == 422
    )
    # a phone that says it is two days ahead is not believed; garbage is ignored
    far = datetime.now(UTC) + timedelta(days=2)
    body = make_doc(inspected_at=iso(far - timedelta(hours=1)))
    assert (
        api(
            "POST", API, body, key=new_key(), headers={"X-Client-Time": far.isoformat()}
        ).status_code
        == 422
    )
    assert (
        api(
            "POST", API, make_doc(), key=new_key(), headers={"X-Client-Time": "yesterday"}
        ).status_code
        == 201
    )


def test_a_venue_closed_meanwhile_is_a_conflict_with_the_reason(api, make_doc, venue):
    body = make_doc()
    venue.status, venue.closed_on = "closed", today() - timedelta(days=3)
    db.session.flush()
    resp = api("POST", API, body, key=new_key())
    assert resp.status_code == 409
    assert "closed" in resp.json["message"] and "venue_id" in resp.json["errors"]
    # an inspection before the closing day can still be recorded
    before = make_doc(inspected_at=iso(datetime.now(UTC) - timedelta(days=5)))
    assert api("POST", API, before, key=new_key()).status_code == 201


def test_a_draft_whose_venue_closed_cannot_be_submitted(api, make_doc, venue):
    made = api("POST", API, make_doc(), key=new_key())
    # two days back: the draft's time (an hour ago) may fall on yesterday's local date
    venue.status, venue.closed_on = "closed", today() - timedelta(days=2)
    db.session.flush()
    resp = api("POST", f"{API}/{made.json['id']}/submit", {}, key=new_key())
    assert resp.status_code == 409 and "closed" in resp.json["message"]


def test_an_inspector_who_lost_the_area_gets_a_404_with_the_reason(api, make_doc):
    resp = api("POST", API, make_doc(), key=new_key(), user="t_insp_lagi")
    assert resp.status_code == 404 and "outside your area" in resp.json["message"]


def test_a_lost_session_answers_401_and_changes_nothing(client, make_doc):
    key = new_key()
    resp = client.post(API, json=make_doc(), headers={"Idempotency-Key": key})
    assert resp.status_code == 401 and resp.is_json
    assert _counts(key) == (0, 0, 0)
