"""Repeat offenders (window edges, lists, API), the venue timeline, tips."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from inspections.clock import today
from inspections.extensions import db
from inspections.tips.models import Tip
from inspections.venues.services import change_status
from inspections.violations import followup, repeat
from tests.conftest import csrf_token, user


def test_window_start_is_the_same_day_months_earlier():
    assert repeat.window_start(date(2025, 6, 15), 12) == date(2024, 6, 15)
    assert repeat.window_start(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert repeat.window_start(date(2025, 1, 10), 3) == date(2024, 10, 10)


def test_repeat_offenders_count_inside_the_window_only(
    as_user, client, create_venue, record_violation
):
    day = today()
    start = repeat.window_start(day, 12)
    edge = create_venue(name="Karaoke Biên Giới")
    outside = create_venue(name="Karaoke Ngoài Cửa Sổ", lat=10.9300)
    once = create_venue(name="Karaoke Một Lần", lat=10.9310)
    record_violation(edge, start)  # the first day of the window counts
    record_violation(edge, day - timedelta(days=1))
    record_violation(outside, start - timedelta(days=1))  # one day too early
    record_violation(outside, day - timedelta(days=1))
    record_violation(once, day - timedelta(days=2))
    record_violation(once, day - timedelta(days=2), status="cancelled")
    # three violations found at one inspection: one occasion, not a repeat offence
    single = create_venue(name="Karaoke Ba Lỗi Một Lượt", lat=10.9320)
    first = record_violation(single, day - timedelta(days=3))
    for _ in range(2):
        record_violation(single, day - timedelta(days=3), inspection=first.inspection)
    counts = repeat.repeat_counts([edge.id, outside.id, once.id, single.id], start)
    assert counts == {edge.id: (2, day - timedelta(days=1))}
    assert repeat.repeat_counts([outside.id], start - timedelta(days=1))[outside.id][0] == 2

    as_user("t_review")
    html = client.get("/violations/repeat").get_data(as_text=True)
    assert "Karaoke Biên Giới" in html and "Karaoke Ngoài Cửa Sổ" not in html
    wider = client.get("/violations/repeat?months=13").get_data(as_text=True)
    assert "Karaoke Ngoài Cửa Sổ" in wider
    assert client.get("/violations/repeat?months=0").status_code == 422
    r = client.get("/api/v1/violations/repeat-offenders", query_string={"area": "593"})
    assert [(o["venue_name"], o["count"]) for o in r.json] == [("Karaoke Biên Giới", 2)]
    assert client.get("/api/v1/violations/repeat-offenders?area=nowhere").status_code == 422
    # flagged on the venue page, in venue lists (cards and rows) and the register
    page = client.get(f"/venues/{edge.id}").get_data(as_text=True)
    assert "Repeat offender" in page and "2 violations in the last 12 months" in page
    assert "Repeat offender" not in client.get(f"/venues/{once.id}").get_data(as_text=True)
    listing = client.get("/venues?flag=repeat").get_data(as_text=True)
    assert "Karaoke Biên Giới" in listing and "Karaoke Một Lần" not in listing
    assert listing.count("repeat-badge") == 2  # the card and the table row
    register = client.get(f"/violations?venue={edge.id}").get_data(as_text=True)
    assert "repeat-badge" in register
    # the badge says what its number counts (a phone has no hover title)
    assert "Repeat offender: 2 violations" in register
    assert "Karaoke Ba Lỗi Một Lượt" not in listing
    # found again at a second inspection: a repeat offender, with its four violations
    record_violation(single, day - timedelta(days=1))
    assert repeat.repeat_counts([single.id], start) == {single.id: (4, day - timedelta(days=1))}
    r = client.get("/api/v1/violations/repeat-offenders", query_string={"area": "593"})
    assert (r.json[0]["venue_name"], r.json[0]["count"]) == ("Karaoke Ba Lỗi Một Lượt", 4)
    assert "Karaoke Ba Lỗi Một Lượt" in client.get("/venues?flag=repeat").get_data(as_text=True)


def test_the_timeline_shows_everything_newest_first_with_who(
    as_user, client, create_venue, record_violation, api, make_doc
):
    venue = create_venue(name="Karaoke Dòng Thời Gian")
    day = today()
    v = record_violation(
        venue, day - timedelta(days=20), remedy="Tháo chốt", deadline=day + timedelta(days=5)
    )
    reviewer = user("t_review")
    followup.add_followup(reviewer, v, kind="escalated", on=day - timedelta(days=10), note="Chuyển")
    followup.add_payment(
        reviewer, v, paid_on=day - timedelta(days=5), receipt_no="BL-77", amount_vnd=1_000_000
    )
    change_status(venue, "suspend", day - timedelta(days=3), "Đình chỉ 3 tháng", user=reviewer)
    db.session.add(
        Tip(
            venue_id=venue.id,
            received_on=day - timedelta(days=2),
            source="citizen",
            summary="Tin báo có tiếp viên",
            classification="prostitution",
            due_on=day + timedelta(days=28),
            created_by_id=reviewer.id,
        )
    )
    followup.add_note(reviewer, venue, "Ghi chú mới nhất")
    db.session.flush()
    as_user("t_review")
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    timeline = page.split('id="timeline"')[1]
    order = [
        "Reviewer note",
        "Tip received",
        "Suspended",
        "Fine paid: 1,000,000 ₫",
        "Follow-up: Escalated",
        "Inspection",  # the visit, then what it found (same day and time)
        "Violation: ",
    ]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions), positions
    assert "Test t_review" in timeline and "Đình chỉ 3 tháng" in timeline
    assert "Decree 38/2021/NĐ-CP" in timeline
    full = client.get(f"/violations/venue/{venue.id}/timeline")
    assert full.status_code == 200 and "Tin báo có tiếp viên" in full.get_data(as_text=True)
    as_user("t_insp_lagi")
    assert client.get(f"/violations/venue/{venue.id}/timeline").status_code == 404
    assert 'id="timeline"' not in client.get("/").get_data(as_text=True)


def test_amendments_appear_on_the_timeline(as_user, client, api, make_doc, venue):
    from tests.visits.conftest import new_key

    latch = {"code": "ND38-2021-D15-6b", "offender": "individual", "fine_vnd": 15_000_000}
    created = api(
        "POST",
        "/api/v1/inspections",
        make_doc(violations=[latch], status="submitted"),
        key=new_key(),
    ).json
    r = api(
        "POST",
        f"/api/v1/inspections/{created['id']}/amendments",
        {
            "reason": "Sửa mức phạt",
            "violations": [{**latch, "id": created["violations"][0]["id"], "fine_vnd": 16_000_000}],
        },
        key=new_key(),
    )
    assert r.status_code == 201
    as_user("t_review")
    timeline = client.get(f"/venues/{venue.id}").get_data(as_text=True).split('id="timeline"')[1]
    assert "amended" in timeline and "Sửa mức phạt" in timeline
    assert "corrected or withdrawn by an amendment" in timeline
    assert "16,000,000 ₫" in timeline


def test_tips_are_recorded_closed_and_counted(as_user, client, create_venue):
    venue = create_venue()
    as_user("t_review")
    token = csrf_token(client, "/tips/new")
    day = today()
    r = client.post(
        "/tips/new",
        data={
            "csrf_token": token,
            "received_on": day + timedelta(days=1),
            "source": "citizen",
            "classification": "prostitution",
            "summary": "Tin báo",
        },
    )
    assert r.status_code == 422 and "in the future" in r.get_data(as_text=True)
    r = client.post(
        "/tips/new",
        data={
            "csrf_token": token,
            "received_on": day - timedelta(days=40),
            "source": "hotline",
            "classification": "prostitution",
            "summary": "Có tiếp viên",
            "venue_id": venue.id,
        },
    )
    assert r.status_code == 302
    tip = db.session.scalar(select(Tip).where(Tip.venue_id == venue.id))
    assert tip.due_on == day - timedelta(days=10)
    html = client.get("/tips?state=late").get_data(as_text=True)
    assert "Có tiếp viên" in html and "past due" in html
    url = f"/tips/{tip.id}/close"
    r = client.post(
        url,
        data={
            "csrf_token": token,
            "closed_on": day - timedelta(days=41),
            "outcome": "confirmed",
            "verification": "Đã xác minh",
        },
    )
    assert r.status_code == 422 and "before it was received" in r.get_data(as_text=True)
    r = client.post(
        url,
        data={
            "csrf_token": token,
            "closed_on": day,
            "outcome": "confirmed",
            "verification": "Kiểm tra đột xuất",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    tip = db.session.get(Tip, tip.id)
    assert tip.closed_on == day and tip.handled_in_time() is False
    assert "late" in client.get(f"/tips/{tip.id}").get_data(as_text=True)
    as_user("t_insp_lagi")
    assert client.get(f"/tips/{tip.id}").status_code == 404
    assert client.get("/tips/new").status_code == 403


def test_demo_follow_ups_show_every_state_and_are_idempotent(app, monkeypatch):
    from sqlalchemy import func

    from inspections import clock
    from tests.visits.conftest import DEMO_DAY

    monkeypatch.setattr(clock, "utcnow", lambda: DEMO_DAY)  # the demo stops at "today"
    from inspections.venues import demo as venue_demo
    from inspections.violations import demo
    from inspections.violations.models import FinePayment, RecordedViolation, ViolationFollowup
    from inspections.visits import demo as visit_demo

    venue_demo.load_demo_venues()
    visit_demo.load_demo_inspections(password=None)
    assert demo.load_demo_followups() > 0
    assert demo.load_demo_followups() == 0
    day = today()
    statuses = {
        row.remedy_status: row.n
        for row in db.session.execute(
            select(RecordedViolation.remedy_status, func.count().label("n"))
            .where(RecordedViolation.in_register.is_(True))
            .group_by(RecordedViolation.remedy_status)
        )
    }
    assert statuses.get("remedied") and statuses.get("escalated"), statuses
    overdue = db.session.scalar(select(func.count()).where(followup.overdue_clause(day)))
    assert overdue > 0
    assert db.session.scalar(select(func.count()).select_from(FinePayment)) > 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(ViolationFollowup).where(ViolationFollowup.files.any())
        )
        == demo.EVIDENCE_PHOTOS
    )
    start = repeat.window_start(day, 12)
    ids = db.session.scalars(select(RecordedViolation.venue_id).distinct()).all()
    assert repeat.repeat_counts(ids, start)
    tips = db.session.scalars(select(Tip)).all()
    assert any(t.closed_on is None for t in tips) and any(t.closed_on for t in tips)


def test_the_pages_speak_vietnamese(app, as_user, client, create_venue, record_violation):
    venue = create_venue()
    day = today()
    v = record_violation(
        venue, day - timedelta(days=40), remedy="Tháo chốt", deadline=day - timedelta(days=9)
    )
    record_violation(venue, day - timedelta(days=20))
    as_user("t_review")
    client.get("/language/vi")
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Tái phạm" in page and "Nghị định 38/2021/NĐ-CP" in page
    panel = page[page.index('class="violations-panel') : page.index('id="timeline"')]
    assert "Quá hạn" in panel  # the venue's own card says its remedy is overdue
    register = client.get("/violations").get_data(as_text=True)
    assert "Quá hạn" in register and "15.000.000 ₫" in register
    assert "Ghi nhận kết quả theo dõi" in client.get(f"/violations/{v.id}").get_data(as_text=True)
    assert "Cơ sở tái phạm" in client.get("/violations/repeat").get_data(as_text=True)
    assert "Khắc phục quá hạn" in client.get("/violations/overdue").get_data(as_text=True)
    assert "Tin báo, tố giác, khiếu nại" in client.get("/tips").get_data(as_text=True)
    assert "khắc phục quá hạn" in client.get("/").get_data(as_text=True)


def test_a_viewer_sees_when_a_venue_was_inspected_not_what_was_found(
    as_user, client, create_venue, record_violation
):
    """A viewer (leaders, districts) reads venues, coverage and reports: the venue page lists
    its inspections without links it could not open and without violations, and does not say
    "no violation recorded" of a venue that has one."""
    venue = create_venue(name="Karaoke Chỉ Xem")
    row = record_violation(venue, today() - timedelta(days=5))
    link = f'href="/inspections/{row.inspection_id}"'
    as_user("t_viewer")
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Inspections (1)" in page and link not in page
    assert "1 violation" not in page and "No violation recorded" not in page
    assert client.get(f"/inspections/{row.inspection_id}").status_code == 403
    as_user("t_review")
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert link in page and "1 violation" in page and "Violations (1)" in page
