"""A reviewer on a 390×844 phone: venue timeline, repeat badge, a follow-up with a photo, and
the overdue count going down."""

from datetime import UTC, datetime, timedelta

import pytest

from inspections.extensions import db
from tests.browser.conftest import sign_in
from tests.visits.conftest import jpeg_bytes


@pytest.fixture(scope="module")
def offender(live_server):
    """A venue with two recent violations, one with a remedy past its deadline (committed)."""
    from sqlalchemy import select

    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.venues.models import Sector, Venue
    from inspections.violations.followup import sync_register
    from inspections.violations.services import ViolationEntry, add_violation, by_codes
    from inspections.visits.models import Inspection

    with live_server.app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        venue = Venue(name="Karaoke Tái Phạm", sector_id=sector, address="5 Trần Hưng Đạo",
                      location=point(10.9290, 108.1020), status="operating")  # fmt: skip
        db.session.add(venue)
        db.session.flush()
        assign_venue_areas([venue.id])
        legal = by_codes(["ND38-2021-D15-6b"])["ND38-2021-D15-6b"]
        ids = []
        for days, remedy in ((60, None), (30, "Tháo chốt cửa phòng")):
            at = datetime.now(UTC) - timedelta(days=days)
            insp = Inspection(venue_id=venue.id, status="submitted", inspected_at=at,
                              inspected_on=at.date(), submitted_at=at)  # fmt: skip
            db.session.add(insp)
            db.session.flush()
            entry = ViolationEntry(
                legal=legal,
                offender_type="individual",
                offender_name=None,
                fine_vnd=15_000_000,
                measures=[],
                remedy=remedy,
                remedy_deadline=at.date() + timedelta(days=10) if remedy else None,
            )
            add_violation(insp, entry, 0)
            db.session.flush()
            ids.append(insp.id)
        sync_register(ids)
        db.session.commit()
        return venue.id


def _overdue(page) -> int:
    return int(page.inner_text("#overdue-tile .tile-num").replace(",", "").replace(".", ""))


def test_reviewer_follows_up_a_remedy_from_the_venue_page(phone, live_server, offender, tmp_path):
    page = phone
    sign_in(page, live_server, "t_review")
    page.goto(live_server.url("/"))
    before = _overdue(page)
    assert before >= 1
    page.goto(live_server.url(f"/venues/{offender}"))
    assert "Repeat offender" in page.inner_text("#violations-panel-title")
    timeline = page.inner_text("#timeline")
    assert "Violation: " in timeline and "Inspection" in timeline
    page.click("#timeline .kind-violation a >> nth=0")  # the newest: the one with the remedy
    page.wait_for_url("**/violations/*")
    assert "Overdue" in page.inner_text("#remedy-status")
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(jpeg_bytes())
    page.select_option("#f-kind", "remedied")
    page.fill("#f-note", "Đã tháo chốt, chụp ảnh cửa phòng")
    page.set_input_files("#f-file", str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#followup-form button[type=submit]")
    page.wait_for_selector(".evidence-thumb")
    assert "Remedied" in page.inner_text("#remedy-status")
    page.goto(live_server.url("/"))
    assert _overdue(page) == before - 1
    # the register and the repeat-offender list are cards that fit the phone
    for path in ("/violations?area=593", "/violations/repeat", f"/venues/{offender}"):
        page.goto(live_server.url(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(live_server.url("/violations"))
    page.locator("summary", has_text="Filters").click()  # folded away on a phone
    page.select_option("select[name=remedy]", "remedied")
    page.click(".register-filters button[type=submit]")
    assert "Karaoke Tái Phạm" in page.inner_text(".cards")
    # the filters fold away once applied, saying how many are set: the results come first
    assert page.inner_text("#filters-active") == "1"
    assert not page.locator(".register-filters").is_visible()
    assert page.errors == []
