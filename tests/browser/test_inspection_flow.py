"""An inspector records a whole inspection on a 390×844 phone: checklist, a violation, a photo
resized on the phone, signatures, GPS from a mocked position; it is submitted once and counted."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from inspections.extensions import db
from tests.browser.conftest import sign_in
from tests.conftest import phan_thiet_team

VENUE = (10.9290, 108.1020)


def _arrange(app) -> int:
    """A karaoke venue in Phan Thiết and a team of two (the inspector adds the third)."""
    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.text import fold
    from inspections.venues.models import Sector, Venue

    with app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        venue = Venue(
            name="Karaoke Sóng Biển",
            search_text=fold("Karaoke Sóng Biển 5 Nguyễn Huệ"),
            sector_id=sector,
            address="5 Nguyễn Huệ",
            location=point(*VENUE),
            opened_on=date(2019, 5, 1),
        )
        db.session.add(venue)
        db.session.flush()
        assign_venue_areas([venue.id])
        phan_thiet_team()
        db.session.commit()
        return venue.id


def _draw(page, selector: str) -> None:
    canvas = page.locator(selector)
    canvas.evaluate("c => c.scrollIntoView({block: 'center'})")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(1, 16):
        page.mouse.move(box["x"] + 20 + i * 14, box["y"] + box["height"] / 2 + (i % 3 - 1) * 25)
    page.mouse.up()


def test_record_and_submit_an_inspection_on_a_phone(phone, live_server, tmp_path: Path):
    app = live_server.app
    venue_id = _arrange(app)
    page = phone
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.context.grant_permissions(["geolocation"], origin=live_server.base)
    page.context.set_geolocation(
        {"latitude": VENUE[0] + 0.0002, "longitude": VENUE[1], "accuracy": 12}
    )
    photo = tmp_path / "camera.jpg"
    Image.new("RGB", (4000, 3000), (150, 60, 40)).save(photo, "JPEG", quality=85)

    sign_in(page, live_server, "t_insp")
    with app.app_context():
        from inspections.venues.qr import venue_token

        label = venue_token(venue_id)
    # the printed QR label opens the venue page; one tap starts the inspection
    page.goto(live_server.url(f"/q/{label}"))
    page.wait_for_url(f"**/venues/{venue_id}?scanned=1")
    assert "Never inspected" in page.inner_text("main")
    page.get_by_role("link", name="Start inspection").click()
    # the draft is created on the server at once, and the address becomes its own
    page.wait_for_url("**/inspections/*/edit")
    inspection_id = int(page.url.rstrip("/").split("/")[-2])
    expect(page.locator("#gps-chip")).to_contain_text("from the venue")
    assert "±12 m" in page.inner_text("#gps-chip")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # team: two members from the team (the section opens itself to say it is short)
    expect(page.locator("#sec-team")).to_have_attribute("open", "")
    assert "At least 3 members" in page.inner_text("#members-warning")
    page.fill("#new-member-name", "Phạm Thu Hà")
    page.select_option("#new-member-agency", "culture")
    page.click("#add-member")
    assert page.locator("#members li").count() == 3
    assert page.locator("#members-warning").is_hidden()

    # checklist: the three answers are big buttons
    buttons = page.locator(".item .seg-btn")
    assert buttons.first.bounding_box()["height"] >= 44
    for item in page.locator(".item").all():
        answer = "not_compliant" if item.get_attribute("data-item") == "KAR-05" else "compliant"
        item.locator(f".seg-btn[data-answer={answer}]").click()
    assert page.inner_text("#progress-text") == "10/10 answered"

    # the non-compliant item proposes its violations; one tap records it
    proposal = page.locator("#item-KAR-05 .proposal").first
    assert "Door latch" in proposal.inner_text()
    proposal.click()
    card = page.locator("#violations .viol").first
    card.locator("[data-offender=organisation]").click()
    card = page.locator("#violations .viol").first
    card.locator(".viol-fine").fill("25000000")
    assert "Outside the legal range" in card.locator(".viol-range").inner_text()
    card.locator(".fine-min").click()
    assert page.locator("#violations .viol .viol-range.bad").count() == 0
    card.locator(".viol-remedy").fill("Tháo chốt cửa bên trong các phòng hát")
    assert card.locator(".viol-remedy").bounding_box()["width"] >= 280  # a row of its own
    card.locator(".viol-deadline").fill("2030-01-15")

    # a photo from the camera, resized on the phone before upload
    page.locator("#item-KAR-05 .photo-input").set_input_files(str(photo))
    expect(page.locator("#item-KAR-05 .thumb")).to_have_count(1)
    expect(page.locator("#item-KAR-05 .thumb .thumb-state")).to_have_count(0, timeout=15000)

    # the phone reloads the page (or the browser is killed): nothing is lost
    expect(page.locator("#save-state")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))
    page.reload()
    expect(page.locator("#progress-text")).to_have_text("10/10 answered")
    card = page.locator("#violations .viol").first
    expect(card.locator(".viol-fine")).to_have_value("30,000,000")
    expect(card.locator(".viol-deadline")).to_have_value("2030-01-15")
    expect(page.locator("#item-KAR-05 .thumb")).to_have_count(1)
    card.locator(".viol-remedy").fill("Tháo chốt cửa bên trong tất cả các phòng hát")

    # signatures: the lead signs, the representative refuses in front of witnesses
    page.click("#sec-sign > summary")
    _draw(page, ".sign-block[data-role=lead] canvas")
    page.check(".sign-block[data-role=representative] .sign-refused")
    page.fill(
        ".sign-block[data-role=representative] .sign-reason",
        "Không ký; 3 thành viên đoàn chứng kiến",
    )
    expect(page.locator("#save-state")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))

    # a double tap on Submit submits once
    page.dblclick("#submit")
    page.wait_for_url(f"**/inspections/{inspection_id}")
    assert "Submitted" in page.inner_text("main")
    assert "30,000,000 ₫" in page.inner_text("main")

    with app.app_context():
        from inspections.audit.models import AuditEvent
        from inspections.violations.models import RecordedViolation
        from inspections.visits.models import Inspection, InspectionPhoto

        inspection = db.session.get(Inspection, inspection_id)
        assert inspection.status == "submitted" and inspection.presence == "on_site"
        today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        assert inspection.inspected_on == today
        assert 10 < inspection.start_distance_m < 40 and inspection.submit_distance_m is not None
        assert [m.full_name for m in inspection.members][-1] == "Phạm Thu Hà"
        assert {a.code for a in inspection.agencies} == {"labour", "police", "culture"}
        (violation,) = db.session.scalars(
            select(RecordedViolation).where(RecordedViolation.inspection_id == inspection_id)
        ).all()
        assert violation.legal.code == "ND38-2021-D15-6b"
        assert (violation.offender_type, violation.fine_vnd) == ("organisation", 30_000_000)
        assert violation.remedy_deadline == date(2030, 1, 15) and violation.item.code == "KAR-05"
        assert violation.remedy == "Tháo chốt cửa bên trong tất cả các phòng hát"
        (stored,) = db.session.scalars(
            select(InspectionPhoto).where(InspectionPhoto.inspection_id == inspection_id)
        ).all()
        assert max(stored.width, stored.height) == 1600 and stored.content_type == "image/jpeg"
        path = Path(app.config["UPLOAD_FOLDER"]) / stored.stored_name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
        signatures = {s.role: s for s in inspection.signatures}
        assert signatures["lead"].stored_name and signatures["representative"].refused
        submits = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "submit", AuditEvent.object_id == inspection_id)
        )
        assert submits == 1
        # counted: the coverage rule counts submitted inspections of the venue in the period
        counted = db.session.scalar(
            select(func.count(func.distinct(Inspection.venue_id))).where(
                Inspection.status == "submitted",
                Inspection.inspected_on.between(date(today.year, 1, 1), date(today.year, 12, 31)),
                Inspection.venue_id == venue_id,
            )
        )
        assert counted == 1

    # the venue page and the coverage figures now count it
    page.goto(live_server.url(f"/venues/{venue_id}"))
    panel = page.locator(".visits-panel")
    expect(panel).to_contain_text("Submitted")
    expect(panel).to_contain_text("1 violation")
    # by former district: since 1 July 2025 the map has no districts (as_of picks the old one)
    coverage = page.request.get(
        live_server.url(f"/api/v1/coverage?period={today.year}&level=district&as_of=2025-06-30")
    ).json()
    phan_thiet = next(r for r in coverage["rows"] if r["code"] == "593")
    assert (phan_thiet["venues_in_scope"], phan_thiet["venues_inspected"]) == (1, 1)
    assert phan_thiet["meets_target"] is True

    # the minutes open for the inspector
    pdf = page.request.get(live_server.url(f"/inspections/{inspection_id}/minutes.pdf"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert page.errors == []
    assert all(u.startswith(live_server.base) or u.startswith("blob:") for u in requested)


def test_parallel_retries_with_one_key_create_one_inspection(live_server):
    """Eight copies of the same start sent at once (a phone retrying on a bad line)."""
    import json
    import urllib.request
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    app = live_server.app
    with app.app_context():
        from inspections.accounts.services import create_token
        from inspections.venues.models import Venue
        from inspections.visits.models import Inspection
        from tests.conftest import user

        token = create_token(user("t_insp_pt"), name="parallel")
        venue_id = db.session.scalar(select(Venue.id).order_by(Venue.id).limit(1))
        if venue_id is None:
            db.session.commit()
            venue_id = _arrange(app)
        db.session.commit()
    key = str(uuid.uuid4())
    body = json.dumps(
        {
            "venue_id": venue_id,
            "inspected_at": datetime.now(UTC).isoformat(),
            "members": [{"name": "Lê Văn Một", "agency": "police", "lead": True}],
        }
    ).encode()

    def call(_n):
        request = urllib.request.Request(  # noqa: S310 - the local test server
            live_server.url("/api/v1/inspections"),
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": key,
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read())["id"]

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(call, range(8)))
    except Exception:
        print(live_server.log.read_text()[-6000:])
        raise
    assert {status for status, _id in results} == {201}
    assert len({inspection_id for _s, inspection_id in results}) == 1
    with app.app_context():
        from inspections.visits.models import Inspection

        assert (
            db.session.scalar(
                select(func.count()).select_from(Inspection).where(Inspection.client_key == key)
            )
            == 1
        )
