"""The inspections API: start, autosave, submit, idempotency, bad input, permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from inspections.audit.models import AuditEvent
from inspections.clock import today
from inspections.extensions import db
from inspections.violations.models import RecordedViolation
from inspections.visits.models import IdempotencyRecord, Inspection
from tests.visits.conftest import VENUE_LAT, VENUE_LON, iso, new_key, recent

API = "/api/v1/inspections"


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_start_save_and_submit(api, make_doc, venue):
    key = new_key()
    draft = make_doc(checklist=[], signatures=[])
    r = api("POST", API, draft, key=key)
    assert r.status_code == 201, r.json
    doc = r.json
    assert doc["status"] == "draft" and doc["client_key"] == key
    assert [m["name"] for m in doc["members"]][:1] == ["Test t_insp"]
    assert set(doc["agencies"]) == {"labour", "police", "culture", "district_committee"}
    assert doc["checklist_template"]["sector"] == "karaoke"
    assert 15 < doc["location"]["distance_m"] < 30  # 0.0002° of latitude ≈ 22 m, by the database
    assert doc["presence"] == "on_site"
    # what still blocks submitting is listed, field by field
    assert "checklist" in doc["problems"] and "checklist.KAR-01" in doc["problems"]
    assert "signatures.lead" in doc["problems"]

    full = make_doc()
    r = api("PATCH", f"{API}/{doc['id']}", {"checklist": full["checklist"]}, key=key + ":save:1")
    assert r.status_code == 200 and len(r.json["checklist"]) == 10
    r = api("PATCH", f"{API}/{doc['id']}", {"signatures": full["signatures"]}, key=key + ":save:2")
    assert r.json["problems"] == {}, r.json["problems"]

    fix = {"latitude": VENUE_LAT, "longitude": VENUE_LON + 0.0001, "accuracy_m": 9}
    r = api("POST", f"{API}/{doc['id']}/submit", {"location": fix}, key=key + ":submit")
    assert r.status_code == 200, r.json
    assert r.json["status"] == "submitted" and r.json["submit_location"]["accuracy_m"] == 9
    inspection = db.session.get(Inspection, doc["id"])
    assert inspection.status == "submitted" and inspection.submitted_at is not None
    assert inspection.presence == "on_site"
    # coverage counts submitted inspections by their local day
    assert (
        count(
            Inspection,
            Inspection.venue_id == venue.id,
            Inspection.status == "submitted",
            Inspection.inspected_on
            == inspection.inspected_at.astimezone(
                __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")
            ).date(),
        )
        == 1
    )
    assert count(AuditEvent, AuditEvent.action == "submit", AuditEvent.object_id == doc["id"]) == 1


def test_idempotency_key_replays_and_refuses_another_body(api, make_doc):
    key = new_key()
    body = make_doc()
    first = api("POST", API, body, key=key)
    again = api("POST", API, body, key=key)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(Inspection, Inspection.client_key == key) == 1
    other = api("POST", API, {**body, "notes": "something else"}, key=key)
    assert other.status_code == 409 and "Idempotency-Key" in other.json["errors"]
    assert count(Inspection, Inspection.client_key == key) == 1
    # another account may use the same key: keys are per account
    assert api("POST", API, body, key=key, user="t_insp_pt").status_code == 201


def test_double_submit_returns_the_first_answer(api, make_doc):
    key = new_key()
    created = api("POST", API, make_doc(), key=key).json
    url = f"{API}/{created['id']}/submit"
    one = api("POST", url, {}, key=key + ":submit")
    two = api("POST", url, {}, key=key + ":submit")  # retry after a timeout
    assert one.status_code == two.status_code == 200
    assert one.json["submitted_at"] == two.json["submitted_at"]
    assert two.headers.get("Idempotent-Replayed") == "true"
    third = api("POST", url, {}, key=key + ":submit:again")  # a new tap, another key
    assert third.status_code == 409 and "already" in third.json["message"]
    assert (
        count(AuditEvent, AuditEvent.action == "submit", AuditEvent.object_id == created["id"]) == 1
    )


def test_failed_requests_store_nothing_and_can_be_retried(api, make_doc):
    key = new_key()
    future = make_doc(inspected_at=iso(datetime.now(UTC) + timedelta(days=2)))
    r = api("POST", API, future, key=key)
    assert r.status_code == 422 and "future" in r.json["errors"]["inspected_at"][0]
    assert count(IdempotencyRecord, IdempotencyRecord.key == key) == 0
    r = api("POST", API, make_doc(), key=key)
    assert r.status_code == 201


def test_submit_in_one_call(api, make_doc):
    r = api("POST", API, make_doc(status="submitted"), key=new_key())
    assert r.status_code == 201, r.json
    assert r.json["status"] == "submitted" and r.json["presence"] == "on_site"
    assert r.json["submit_location"] is not None


def test_local_day_follows_the_province_time_zone(api, make_doc):
    # 20:00 in New York on 31 Dec 2024 is 08:00 on 1 Jan 2025 in Phan Thiết
    r = api("POST", API, make_doc(inspected_at="2024-12-31T20:00:00-05:00"), key=new_key())
    assert r.json["inspected_on"] == "2025-01-01"
    r = api("POST", API, make_doc(inspected_at="2024-12-31T23:30:00+07:00"), key=new_key())
    assert r.json["inspected_on"] == "2024-12-31"
    r = api("POST", API, make_doc(inspected_at="2024-12-31T23:30:00"), key=new_key())
    assert r.status_code == 422 and "inspected_at" in r.json["errors"]


def test_dates_before_the_venue_opened_are_refused(api, make_doc, venue):
    r = api("POST", API, make_doc(inspected_at="2019-06-01T10:00:00+07:00"), key=new_key())
    assert r.status_code == 422
    assert "opened on 01/01/2020" in r.json["errors"]["inspected_at"][0]


def test_violation_codes_follow_the_date_and_the_sector(api, make_doc):
    old = {"code": "ND144-2021-D24-BUY", "offender": "individual", "fine_vnd": 1_500_000}
    r = api("POST", API, make_doc(inspected_at="2026-01-10T10:00:00+07:00", violations=[old]))
    assert r.status_code == 422
    message = r.json["errors"]["violations.0.code"][0]
    assert "not in force on 10/01/2026" in message and "ND282-2025-D32-1" in message
    # the same conduct under the new decree is accepted
    new = {**old, "code": "ND282-2025-D32-1"}
    r = api("POST", API, make_doc(inspected_at="2026-01-10T10:00:00+07:00", violations=[new]))
    assert r.status_code == 201 and r.json["violations"][0]["decree"] == "282/2025/NĐ-CP"
    # and before 15/12/2025 it is the other way round
    r = api("POST", API, make_doc(inspected_at="2025-12-14T22:00:00+07:00", violations=[new]))
    assert r.status_code == 422
    dance_only = {"code": "ND38-2021-D15-6e", "offender": "organisation", "fine_vnd": 30_000_000}
    r = api("POST", API, make_doc(violations=[dance_only]))
    assert r.status_code == 422 and "does not apply" in r.json["errors"]["violations.0.code"][0]
    assert count(RecordedViolation) == 1


def test_fines_are_checked_against_the_range_of_the_offender_type(api, make_doc):
    latch = {
        "code": "ND38-2021-D15-6b",
        "offender": "organisation",
        "fine_vnd": 20_000_000,
        "item": "KAR-05",
        "remedy": "Tháo chốt cửa",
        "remedy_deadline": (today() + timedelta(days=15)).isoformat(),
    }
    body = make_doc(violations=[latch])
    created = api("POST", API, body, key=new_key())
    assert created.status_code == 201
    # kept in the draft (nothing typed is lost) but blocks submitting
    problem = created.json["problems"]["violations.0.fine_vnd"][0]
    assert "outside the legal range" in problem and "30,000,000" in problem
    r = api("POST", f"{API}/{created.json['id']}/submit", {}, key=new_key())
    assert r.status_code == 422 and "violations.0.fine_vnd" in r.json["errors"]
    # individual-only conduct recorded against an organisation
    contracts = {"code": "ND12-2022-D9-1a", "offender": "organisation", "fine_vnd": 3_000_000}
    r = api("PATCH", f"{API}/{created.json['id']}", {"violations": [contracts]})
    assert "violations.0.offender" in r.json["problems"]
    fixed = {**latch, "fine_vnd": 35_000_000}
    r = api("PATCH", f"{API}/{created.json['id']}", {"violations": [fixed]})
    assert r.json["problems"] == {}
    r = api("POST", f"{API}/{created.json['id']}/submit", {}, key=new_key())
    assert r.status_code == 200
    v = r.json["violations"][0]
    assert v["fine_vnd"] == 35_000_000 and v["item"] == "KAR-05" and v["remedy_deadline"]
    assert v["legal_basis"] == "Decree 38/2021/NĐ-CP, Art. 15, cl. 6"


def test_gps_off_site_imprecise_or_missing_needs_a_reason(api, make_doc):
    far = {"latitude": VENUE_LAT + 0.012, "longitude": VENUE_LON, "accuracy_m": 20}  # ~1.3 km
    created = api("POST", API, make_doc(location=far), key=new_key()).json
    assert created["presence"] == "off_site" and created["location"]["distance_m"] > 1200
    assert "presence_reason" in created["problems"]
    url = f"{API}/{created['id']}/submit"
    r = api("POST", url, {"location": far}, key=new_key())
    assert r.status_code == 422 and "1.3 km" in r.json["errors"]["presence_reason"][0]
    r = api("POST", url, {"location": far, "presence_reason": "Cơ sở đã chuyển địa điểm"})
    assert r.status_code == 200 and r.json["presence"] == "off_site"
    assert r.json["presence_reason"] == "Cơ sở đã chuyển địa điểm"

    vague = {"latitude": VENUE_LAT, "longitude": VENUE_LON, "accuracy_m": 5000}  # cell tower
    created = api("POST", API, make_doc(location=vague), key=new_key()).json
    assert created["presence"] == "imprecise"
    r = api("POST", f"{API}/{created['id']}/submit", {"location": vague}, key=new_key())
    assert r.status_code == 422 and "imprecise" in r.json["errors"]["presence_reason"][0]

    created = api("POST", API, make_doc(location=None), key=new_key()).json
    assert created["presence"] == "no_gps" and created["location"] is None
    r = api("POST", f"{API}/{created['id']}/submit", {"location": None}, key=new_key())
    assert r.status_code == 422 and "No GPS position" in r.json["errors"]["presence_reason"][0]
    # a good fix at submit is enough even when the start had none
    good = {"latitude": VENUE_LAT, "longitude": VENUE_LON, "accuracy_m": 15}
    r = api("POST", f"{API}/{created['id']}/submit", {"location": good}, key=new_key())
    assert r.status_code == 200 and r.json["presence"] == "on_site"


def test_offsite_distance_is_configurable(app, api, make_doc, monkeypatch):
    near = {"latitude": VENUE_LAT + 0.0025, "longitude": VENUE_LON, "accuracy_m": 10}  # ~280 m
    assert api("POST", API, make_doc(location=near)).json["presence"] == "off_site"
    monkeypatch.setitem(app.config, "OFFSITE_DISTANCE_M", 500)
    assert api("POST", API, make_doc(location=near)).json["presence"] == "on_site"


def test_coordinates_outside_vietnam_are_refused(api, make_doc):
    paris = {"latitude": 48.85, "longitude": 2.35, "accuracy_m": 10}
    r = api("POST", API, make_doc(location=paris))
    assert r.status_code == 422 and "outside Vietnam" in r.json["errors"]["location"][0]
    r = api("POST", API, make_doc(location={"latitude": 108.1, "longitude": 10.9, "accuracy_m": 5}))
    assert r.status_code == 422 and "latitude" in r.json["errors"]["location"]


def test_members_team_and_area_rules(api, make_doc, team, create_venue):
    two = make_doc(
        members=[
            {"user_id": team.memberships[0].user_id, "lead": True},
            {"name": "A B", "agency": "police"},
        ]
    )
    created = api("POST", API, two).json
    assert "at least 3 members (now 2)" in created["problems"]["members"][0]
    # without members the team's are used
    body = make_doc()
    del body["members"]
    r = api("POST", API, body)
    assert {m["name"] for m in r.json["members"]} == {"Test t_insp", "Test t_insp_pt"}
    assert [m["lead"] for m in r.json["members"]].count(True) == 1
    # a venue in La Gi (594) does not exist for an inspector of Phan Thiết
    lagi = create_venue(name="Karaoke La Gi", lat=10.66, lon=107.77)
    r = api("POST", API, make_doc(venue_id=lagi.id, team_id=None))
    assert r.status_code == 404
    # a team the inspector is not in
    r = api("POST", API, make_doc(), user="t_insp_lagi")
    assert r.status_code == 404  # the 593 venue is outside La Gi
    r = api("POST", API, make_doc(), user="t_admin")
    assert r.status_code == 201  # admins may record for any team
    bad_lead = make_doc(
        members=[
            {"name": "A", "agency": "labour", "lead": True},
            {"name": "B", "agency": "police", "lead": True},
        ]
    )
    assert api("POST", API, bad_lead).status_code == 422


def test_only_the_team_edits_and_others_read(api, make_doc, team):
    created = api(
        "POST",
        API,
        make_doc(members=[{"user_id": team.memberships[0].user_id, "lead": True}]),
        key=new_key(),
    ).json
    url = f"{API}/{created['id']}"
    assert api("GET", url, user="t_review").status_code == 200
    assert api("GET", url, user="t_coord").status_code == 200
    assert api("PATCH", url, {"notes": "x"}, user="t_review").status_code == 403
    assert api("GET", url, user="t_insp_lagi").status_code == 404
    # a colleague in the inspection's team may continue it
    assert api("PATCH", url, {"notes": "tiếp tục"}, user="t_insp_pt").status_code == 200


def test_drafts_keep_everything_on_partial_saves(api, make_doc):
    created = api("POST", API, make_doc(notes="ghi chú")).json
    url = f"{API}/{created['id']}"
    r = api(
        "PATCH",
        url,
        {"checklist": [{"item": "KAR-03", "answer": "not_compliant", "note": "Sai số phòng"}]},
    )
    assert r.json["notes"] == "ghi chú" and len(r.json["members"]) == 3
    assert r.json["checklist"] == [
        {"item": "KAR-03", "answer": "not_compliant", "note": "Sai số phòng", "amended": False}
    ]
    assert len(r.json["signatures"]) == 2  # PATCH leaves other sections alone
    r = api("PATCH", url, {"checklist": [{"item": "NOPE-1", "answer": "compliant"}]})
    assert r.status_code == 422 and "checklist.0.item" in r.json["errors"]
    assert len(api("GET", url).json["checklist"]) == 1  # the refused save changed nothing
    r = api("PUT", url, make_doc(checklist=[], notes=None, signatures=[]))
    assert r.status_code == 200 and r.json["checklist"] == [] and r.json["notes"] is None
    assert len(r.json["signatures"]) == 2  # PUT keeps evidence it was not given
    r = api("PATCH", url, {"venue_id": created["venue"]["id"] + 1000})
    assert r.status_code == 422


def test_submitted_inspections_are_amended_not_overwritten(api, make_doc):
    latch = {
        "code": "ND38-2021-D15-6b",
        "offender": "individual",
        "fine_vnd": 15_000_000,
        "item": "KAR-05",
    }
    checklist = [
        {"item": c, "answer": "not_compliant" if c == "KAR-05" else "compliant"}
        for c in [f"KAR-{i:02d}" for i in range(1, 11)]
    ]
    created = api(
        "POST",
        API,
        make_doc(checklist=checklist, violations=[latch], status="submitted"),
        key=new_key(),
    ).json
    url = f"{API}/{created['id']}"
    assert api("PATCH", url, {"notes": "x"}).status_code == 409
    vid = created["violations"][0]["id"]
    amendment = {
        "reason": "Ghi sai mức phạt và kết quả mục 7",
        "checklist": [{"item": "KAR-07", "answer": "not_compliant", "note": "Mở cửa sau 0 giờ"}],
        "violations": [{**latch, "id": vid, "fine_vnd": 18_000_000}],
        "notes": "Đã đối chiếu lại",
    }
    r = api("POST", f"{url}/amendments", amendment, key=new_key())
    assert r.status_code == 201, r.json
    doc = r.json
    assert doc["violations"][0]["fine_vnd"] == 18_000_000 and doc["violations"][0]["amended"]
    kar07 = next(a for a in doc["checklist"] if a["item"] == "KAR-07")
    assert kar07["answer"] == "not_compliant" and kar07["amended"]
    assert doc["notes"] == "Đã đối chiếu lại"
    changes = doc["amendments"][0]["changes"]
    assert changes["violations.ND38-2021-D15-6b"][0]["fine_vnd"] == 15_000_000
    assert changes["notes"] == [None, "Đã đối chiếu lại"]
    # the original rows are still there, marked as superseded
    rows = db.session.scalars(
        select(RecordedViolation)
        .where(RecordedViolation.inspection_id == created["id"])
        .order_by(RecordedViolation.id)
    ).all()
    assert [(r.fine_vnd, r.superseded_by_id is None) for r in rows] == [
        (15_000_000, False),
        (18_000_000, True),
    ]
    assert rows[1].supersedes_id == rows[0].id
    inspection = db.session.get(Inspection, created["id"])
    assert inspection.notes is None  # the row keeps the original; the amendment holds the change
    # withdrawing the violation
    r = api("POST", f"{url}/amendments", {"reason": "Không đủ căn cứ", "violations": []})
    assert r.status_code == 201 and r.json["violations"] == []
    assert (
        api(
            "POST", f"{url}/amendments", {"reason": "Không đổi gì", "notes": "Đã đối chiếu lại"}
        ).status_code
        == 422
    )
    assert api("POST", f"{url}/amendments", {"notes": "no reason"}).status_code == 422
    # amending needs a reason and is audited
    assert (
        count(AuditEvent, AuditEvent.action == "amend", AuditEvent.object_id == created["id"]) == 2
    )
    # an amended fine is still checked against the range
    bad = {"reason": "Sửa", "violations": [{**latch, "fine_vnd": 99_000_000}]}
    assert api("POST", f"{url}/amendments", bad).status_code == 422


def test_cancel_needs_a_reason_and_then_counts_nowhere(api, make_doc):
    created = api("POST", API, make_doc(status="submitted")).json
    url = f"{API}/{created['id']}/cancel"
    assert api("POST", url, {"reason": ""}).status_code == 422
    r = api("POST", url, {"reason": "Nhập trùng cuộc kiểm tra"})
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert r.json["cancel_reason"] == "Nhập trùng cuộc kiểm tra"
    assert api("POST", url, {"reason": "lần nữa"}).status_code == 409
    assert count(Inspection, Inspection.id == created["id"], Inspection.status == "submitted") == 0


def test_list_is_filtered_paginated_and_scoped(api, make_doc, create_venue):
    for _ in range(3):
        api("POST", API, make_doc(status="submitted"))
    api("POST", API, make_doc(inspected_at="2025-03-01T09:00:00+07:00"))
    r = api("GET", f"{API}?status=submitted&page_size=2")
    assert r.status_code == 200 and len(r.json) == 2
    assert '"total": 3' in r.headers["X-Pagination"]
    assert r.json[0]["violations"] == 0 and r.json[0]["team"] == "Đoàn liên ngành Phan Thiết"
    assert len(api("GET", f"{API}?start=2025-01-01&end=2025-12-31").json) == 1
    assert len(api("GET", f"{API}?agency=culture").json) == 4
    assert len(api("GET", f"{API}?agency=health").json) == 0
    assert len(api("GET", f"{API}?area=593").json) == 4
    assert len(api("GET", f"{API}?area=594").json) == 0
    assert api("GET", f"{API}?area=999").status_code == 422
    assert api("GET", f"{API}?status=nonsense").status_code == 422
    assert len(api("GET", API, user="t_insp_lagi").json) == 0
    assert len(api("GET", API, user="t_review").json) == 4


def test_openapi_documents_the_inspection_api(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/inspections"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/inspections/{inspection_id}"])
    for tail in ("submit", "photos", "amendments", "cancel", "minutes"):
        assert f"/api/v1/inspections/{{inspection_id}}/{tail}" in paths
    params = paths["/api/v1/inspections"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)
    assert "/api/v1/violation-types" in paths and "/api/v1/checklists" in paths


def test_recent_is_in_the_past():
    assert recent() < datetime.now(UTC)


def test_the_checklist_items_are_read_once_per_write(api, make_doc):
    """The items of the checklist version are loaded once and kept for the answer: not one
    query per answered item (a full checklist is ten to twenty items on every phone's save)."""
    from sqlalchemy import event

    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    doc = make_doc()
    api("GET", "/")  # signed in, with the CSRF token, before counting
    db.session.expunge_all()  # nothing of the test's own reads helps the request
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        r = api("POST", API, doc, key=new_key())
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert r.status_code == 201, r.json
    assert len(r.json["checklist"]) == 10
    item_reads = [s for s in statements if "FROM checklist_item" in s]
    assert len(item_reads) == 1, item_reads
