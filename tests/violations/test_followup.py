"""Follow-up of remedies, fine payments, reviewer notes, overdue list and home counts,
amendments and venue merges carrying follow-ups along."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspections.audit.models import AuditEvent
from inspections.clock import today
from inspections.errors import Conflict
from inspections.extensions import db
from inspections.violations.models import (
    NOTE_MAX,
    FinePayment,
    RecordedViolation,
    ReviewerNote,
    ViolationFollowup,
)
from tests.conftest import csrf_token
from tests.visits.conftest import jpeg_bytes, new_key


def _post(client, url, data, files=None):
    token = csrf_token(client, "/violations")
    body = {"csrf_token": token, **data}
    if files is not None:
        body["file"] = [(io.BytesIO(b), name) for name, b in files]
    return client.post(url, data=body, content_type="multipart/form-data")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_remedy_is_followed_up_with_evidence_and_leaves_the_overdue_list(
    as_user, client, create_venue, record_violation
):
    venue = create_venue()
    day = today()
    v = record_violation(
        venue, day - timedelta(days=40), remedy="Tháo chốt cửa", deadline=day - timedelta(days=10)
    )
    as_user("t_coord")
    home = client.get("/").get_data(as_text=True)
    assert 'id="overdue-tile"' in home
    overdue_before = int(home.split('id="overdue-tile"')[1].split('tile-num">')[1].split("<")[0])
    assert overdue_before >= 1
    html = client.get("/violations/overdue").get_data(as_text=True)
    assert "Karaoke Hoàng Gia" in html and "Overdue" in html
    # counted by the venue's commune on today's map, whose tile lists its own
    commune = venue.commune_2025
    assert commune is not None and commune.level == "commune"
    tile = f'href="/violations/overdue?area={commune.code}"'
    assert tile in html and f'<div class="tile-label">{commune.name}</div>' in html
    own = client.get(f"/violations/overdue?area={commune.code}").get_data(as_text=True)
    assert "Karaoke Hoàng Gia" in own
    # a coordinator may not record follow-ups (reviewers do)
    r = _post(client, f"/violations/{v.id}/followups", {"kind": "remedied", "on": day})
    assert r.status_code == 403

    as_user("t_review")
    url = f"/violations/{v.id}/followups"
    before = _count(ViolationFollowup)
    # dated before the violation
    r = _post(
        client, url, {"kind": "remedied", "on": day - timedelta(days=41)}, [("a.jpg", jpeg_bytes())]
    )
    assert r.status_code == 422
    assert "dated before the violation was recorded" in r.get_data(as_text=True)
    # remedied without evidence; with a file that is not a photo
    r = _post(client, url, {"kind": "remedied", "on": day})
    assert r.status_code == 422 and "photo of the evidence" in r.get_data(as_text=True)
    r = _post(client, url, {"kind": "remedied", "on": day}, [("a.jpg", b"%PDF-1.4 not a photo")])
    assert r.status_code == 422 and "not a photo" in r.get_data(as_text=True)
    r = _post(client, url, {"kind": "reinspected", "on": day})
    assert r.status_code == 422 and "Choose the re-inspection" in r.get_data(as_text=True)
    assert _count(ViolationFollowup) == before
    assert db.session.get(RecordedViolation, v.id).remedy_status == "open"

    r = _post(
        client,
        url,
        {"kind": "remedied", "on": day, "note": "Đã tháo chốt"},
        [("a.jpg", jpeg_bytes())],
    )
    assert r.status_code == 302
    db.session.expire_all()
    row = db.session.get(RecordedViolation, v.id)
    assert row.remedy_status == "remedied" and row.remedied_on == day
    page = client.get(f"/violations/{v.id}").get_data(as_text=True)
    assert "Remedied" in page and "Đã tháo chốt" in page
    followup = db.session.scalar(
        select(ViolationFollowup).where(ViolationFollowup.violation_id == v.id)
    )
    file_id = followup.files[0].id
    photo = client.get(f"/violations/evidence/{file_id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert db.session.scalar(
        select(func.count()).where(
            AuditEvent.object_type == "violation_followup", AuditEvent.action == "create"
        )
    )
    as_user("t_insp_lagi")  # another district: the file is not theirs to see
    assert client.get(f"/violations/evidence/{file_id}").status_code == 404
    as_user("t_coord")
    home = client.get("/").get_data(as_text=True)
    after = int(home.split('id="overdue-tile"')[1].split('tile-num">')[1].split("<")[0])
    assert after == overdue_before - 1


def test_payments_need_a_fine_and_never_exceed_it(as_user, client, create_venue, record_violation):
    venue = create_venue()
    day = today()
    no_fine = record_violation(venue, day - timedelta(days=5), fine=None)
    fined = record_violation(venue, day - timedelta(days=5), fine=15_000_000)
    as_user("t_coord")
    r = _post(
        client,
        f"/violations/{no_fine.id}/payments",
        {"paid_on": day, "receipt_no": "BL-1", "amount_vnd": 1_000_000},
    )
    assert r.status_code == 422 and "no fine" in r.get_data(as_text=True)
    url = f"/violations/{fined.id}/payments"
    r = _post(client, url, {"paid_on": day, "receipt_no": "BL-2", "amount_vnd": 16_000_000})
    assert r.status_code == 422 and "more than the fine" in r.get_data(as_text=True)
    r = _post(
        client,
        url,
        {"paid_on": day - timedelta(days=6), "receipt_no": "BL-2", "amount_vnd": 15_000_000},
    )
    assert r.status_code == 422
    r = _post(client, url, {"paid_on": day, "receipt_no": "", "amount_vnd": 15_000_000})
    assert r.status_code == 422
    assert _count(FinePayment) == 0
    r = _post(client, url, {"paid_on": day, "receipt_no": "BL-2", "amount_vnd": 15_000_000})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(RecordedViolation, fined.id).paid_on == day
    r = client.get("/api/v1/violations", query_string={"paid": "yes", "venue": venue.id})
    assert [v["id"] for v in r.json] == [fined.id]
    as_user("t_insp")
    r = _post(client, url, {"paid_on": day, "receipt_no": "BL-3", "amount_vnd": 1})
    assert r.status_code == 403


def test_notes_respect_their_audience_and_size(as_user, client, create_venue, record_violation):
    venue = create_venue()
    v = record_violation(venue, today() - timedelta(days=3))
    as_user("t_review")
    url = f"/violations/{v.id}/notes"
    r = _post(client, url, {"body": "x" * (NOTE_MAX + 1)})
    assert r.status_code == 422
    assert f"the limit is {NOTE_MAX}" in r.get_data(as_text=True)
    assert _count(ReviewerNote) == 0
    token = csrf_token(client, "/violations")
    r = client.post(
        url,
        data={
            "csrf_token": token,
            "body": "Chỉ công an xem: theo dõi chủ cơ sở",
            "agencies": "police",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/violations/venue/{venue.id}/notes",
        data={"csrf_token": token, "body": "Ghi chú cho người rà soát", "roles": "reviewer"},
    )
    assert r.status_code == 302
    assert "Chỉ công an xem" in client.get(f"/violations/{v.id}").get_data(as_text=True)
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Ghi chú cho người rà soát" in page and "Chỉ công an xem" in page
    as_user("t_insp_pt")  # police inspector: the police note, not the reviewers' one
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Chỉ công an xem" in page and "Ghi chú cho người rà soát" not in page
    as_user("t_insp")  # labour inspector: neither
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Chỉ công an xem" not in page and "Ghi chú cho người rà soát" not in page
    assert "Chỉ công an xem" not in client.get(f"/violations/{v.id}").get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.object_type == "reviewer_note"))
        == 2
    )


def test_an_amendment_moves_follow_ups_to_the_corrected_violation(api, make_doc, client):
    latch = {
        "code": "ND38-2021-D15-6b",
        "offender": "individual",
        "fine_vnd": 15_000_000,
        "remedy": "Tháo chốt",
        "remedy_deadline": (today() + timedelta(days=30)).isoformat(),
    }
    created = api(
        "POST",
        "/api/v1/inspections",
        make_doc(violations=[latch], status="submitted"),
        key=new_key(),
    ).json
    vid = created["violations"][0]["id"]
    row = db.session.get(RecordedViolation, vid)
    assert row.in_register and row.remedy_status == "open"
    # the agency filter reads the inspection's agencies
    culture = api("GET", "/api/v1/violations?agency=culture", user="t_review").json
    assert [v["id"] for v in culture] == [vid]
    assert api("GET", "/api/v1/violations?agency=health", user="t_review").json == []
    from inspections.violations import followup
    from tests.conftest import user

    followup.add_followup(user("t_review"), row, kind="escalated", on=today(), note="Chuyển UBND")
    followup.add_payment(user("t_review"), row, paid_on=today(), receipt_no="BL-9", amount_vnd=5)
    r = api(
        "POST",
        f"/api/v1/inspections/{created['id']}/amendments",
        {"reason": "Sửa mức phạt", "violations": [{**latch, "id": vid, "fine_vnd": 18_000_000}]},
        key=new_key(),
    )
    assert r.status_code == 201, r.json
    new_id = r.json["violations"][0]["id"]
    assert new_id != vid
    db.session.expire_all()
    old, new = db.session.get(RecordedViolation, vid), db.session.get(RecordedViolation, new_id)
    assert not old.in_register and new.in_register
    assert new.remedy_status == "escalated" and new.paid_on == today()
    assert [f.violation_id for f in followup.followups_of(new)] == [new_id]
    assert followup.paid_total(new) == 5
    # withdrawn by a later amendment: out of the register, the follow-ups stay with it
    r = api(
        "POST",
        f"/api/v1/inspections/{created['id']}/amendments",
        {"reason": "Không đủ căn cứ", "violations": []},
        key=new_key(),
    )
    assert r.status_code == 201, r.json
    db.session.expire_all()
    assert not db.session.get(RecordedViolation, new_id).in_register
    assert len(followup.followups_of(db.session.get(RecordedViolation, new_id))) == 1
    with pytest.raises(Conflict):
        followup.add_followup(user("t_review"), new, kind="reopened", on=today())


def test_a_venue_merge_moves_violations_notes_and_tips(
    as_user, client, create_venue, record_violation
):
    from inspections.accounts.services import Scope
    from inspections.tips.models import Tip
    from inspections.venues.services import merge_venues
    from inspections.violations import followup
    from tests.conftest import user

    kept = create_venue(name="Karaoke Ánh Dương")
    dup = create_venue(name="Karaoke Anh Duong", lat=10.9291)
    v = record_violation(dup, today() - timedelta(days=3))
    followup.add_note(user("t_review"), dup, "Theo dõi", violation=v)
    tip = Tip(
        venue_id=dup.id,
        received_on=today(),
        source="citizen",
        summary="Tin báo",
        classification="prostitution",
        due_on=today() + timedelta(days=30),
    )
    db.session.add(tip)
    db.session.flush()
    merge_venues(dup, kept, reason="trùng", scope=Scope(), user=user("t_admin"))
    db.session.expire_all()
    assert db.session.get(RecordedViolation, v.id).venue_id == kept.id
    assert db.session.scalar(select(ReviewerNote.venue_id)) == kept.id
    assert db.session.get(Tip, tip.id).venue_id == kept.id


def test_evidence_over_the_size_cap_is_refused(
    app, as_user, client, create_venue, record_violation, monkeypatch
):
    venue = create_venue()
    day = today()
    v = record_violation(venue, day - timedelta(days=5), remedy="Sửa", deadline=day)
    as_user("t_review")
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 0)
    r = _post(
        client, f"/violations/{v.id}/followups", {"kind": "remedied", "on": day},
        [("big.jpg", jpeg_bytes())],
    )  # fmt: skip
    assert r.status_code == 413 and "the limit is 0 MB" in r.get_data(as_text=True)
    assert _count(ViolationFollowup) == 0
