"""The desk pages on a 390×844 phone in Vietnamese, as a coordinator, a reviewer and an admin
would use them: the menu's sign-out, a new account, the violation register's filter, a venue's
history in words, a follow-up, the map's own words, search and a closed venue, and the GPS chip
of an inspection started with no connection."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspections.clock import today
from inspections.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.test_offline import READY
from tests.conftest import phan_thiet_team

SPOT = (10.9290, 108.1020)
REMEDY = "Tháo toàn bộ chốt cửa bên trong các phòng hát và thay bằng cửa kính trong suốt"


@pytest.fixture(scope="module")
def desk(live_server) -> dict:
    """Venues in Phan Thiết: one with a violation whose remedy is open, changed after it was
    created; a closed one of the same name; the inspectors' team (committed)."""
    from inspections.accounts.services import Scope
    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.venues import services
    from inspections.venues.models import Sector, Venue
    from inspections.violations.followup import sync_register
    from inspections.violations.services import ViolationEntry, add_violation, by_codes
    from inspections.visits.models import Inspection
    from tests.conftest import user

    with live_server.app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        made = {}
        for key, name, status, dlat in (
            ("open", "Karaoke Cát Vàng", "operating", 0.0),
            ("closed", "Karaoke Cát Vàng Cũ", "closed", 0.003),
        ):
            venue = Venue(name=name, sector_id=sector, address="5 Lê Lợi", status=status,
                          location=point(SPOT[0] + dlat, SPOT[1]), opened_on=date(2019, 1, 1),
                          closed_on=date(2024, 1, 1) if status == "closed" else None)  # fmt: skip
            db.session.add(venue)
            db.session.flush()
            made[key] = venue
        assign_venue_areas([v.id for v in made.values()])
        venue = made["open"]
        services.update_venue(venue, {"capacity": 14}, scope=Scope(), user=user("t_coord"))
        services.change_status(venue, "suspend", today(), "QĐ 7/QĐ", user=user("t_coord"))
        services.change_status(venue, "reopen", today(), "Đã khắc phục", user=None)
        at = datetime.now(UTC) - timedelta(days=20)
        insp = Inspection(venue_id=venue.id, status="submitted", inspected_at=at,
                          inspected_on=at.date(), submitted_at=at)  # fmt: skip
        db.session.add(insp)
        db.session.flush()
        legal = by_codes(["ND38-2021-D15-6b"])["ND38-2021-D15-6b"]
        entry = ViolationEntry(legal=legal, offender_type="organisation", offender_name=None,
                               fine_vnd=15_000_000, measures=["remedy"], remedy=REMEDY,
                               remedy_deadline=at.date() + timedelta(days=30))  # fmt: skip
        violation = add_violation(insp, entry, 0)
        db.session.flush()
        sync_register([insp.id])
        phan_thiet_team()
        out = {"venue": venue.id, "closed": made["closed"].id, "violation": violation.id}
        db.session.commit()
        return out


def _vietnamese(page, live_server) -> None:
    page.context.add_cookies([{"name": "lang", "value": "vi", "url": live_server.base}])


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_admin_signs_out_from_the_menu(phone, live_server):
    page = phone
    _vietnamese(page, live_server)
    sign_in(page, live_server, "t_admin")
    page.click(".menu > summary")
    out = page.get_by_role("button", name="Đăng xuất")
    expect(out).to_be_visible()
    # in view and on top: not under the tab bar, no scrolling needed
    box = out.bounding_box()
    bar = page.locator(".bottombar").bounding_box()
    assert box["y"] + box["height"] <= bar["y"]
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('.menu-logout') !== null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top
    out.click()
    page.wait_for_url("**/login**")
    page.goto(live_server.url("/"))
    page.wait_for_url("**/login**")
    assert page.errors == []


def test_a_new_account_needs_a_role_chosen(phone, live_server):
    page = phone
    _vietnamese(page, live_server)
    sign_in(page, live_server, "t_admin")
    page.goto(live_server.url("/admin/users/new"))
    assert page.input_value("#f-role") == ""
    area_texts = page.locator("#f-area option").all_inner_texts()
    # the province once, as "Toàn tỉnh" (neither former Bình Thuận 60 nor Lâm Đồng 68 again;
    # today's Phường Bình Thuận is a commune and may be listed)
    assert area_texts[0] == "Toàn tỉnh" and sum("Toàn tỉnh" in t for t in area_texts) == 1
    assert not [t for t in area_texts if re.search(r"\((60|68)[,)]", t)]
    page.fill("#f-username", "moi.tao")
    page.fill("#f-full_name", "Trần Văn Mới")
    page.select_option("#f-agency", "police")
    page.fill("#f-password", "mat-khau-dau-tien-1")
    page.click("form.narrow button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("Hãy chọn vai trò của tài khoản.")
    expect(page.locator(".alert-danger")).to_contain_text("Vui lòng sửa các ô được đánh dấu.")
    _fits(page)


def test_the_accounts_list_reads_as_cards_on_a_phone(phone, live_server):
    page = phone
    _vietnamese(page, live_server)
    sign_in(page, live_server, "t_admin")
    page.goto(live_server.url("/admin/users"))
    cards = page.locator(".account-cards .list-group-item")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 5
    assert not page.locator("table").first.is_visible()
    first = cards.first.inner_text()
    assert "đang hoạt động" in first and "Quản trị" in page.locator(".account-cards").inner_text()
    _fits(page)


def test_the_register_filter_offers_periods_and_full_labels(phone, live_server, desk):
    page = phone
    _vietnamese(page, live_server)
    sign_in(page, live_server, "t_review")
    page.goto(live_server.url("/violations"))
    presets = page.locator(".period-presets a")
    expect(presets).to_have_count(4)
    assert presets.all_inner_texts()[:3] == ["12 tháng qua", "Năm nay", "Quý này"]
    assert presets.nth(3).inner_text().startswith("Kỳ báo cáo này")
    presets.nth(0).click()
    expect(page.locator(".period-presets a[aria-current]")).to_have_text("12 tháng qua")
    assert "Karaoke Cát Vàng" in page.inner_text("main")
    page.locator("summary", has_text="Bộ lọc").first.click()
    # four common choices, labelled, full width; the rest folded away
    for name in ("area", "sector", "remedy", "paid"):
        select = page.locator(f".register-filters select[name={name}]")
        expect(select).to_be_visible()
        assert select.bounding_box()["width"] >= 340, name
    expect(page.locator("select[name=code]")).to_be_hidden()
    page.locator("summary", has_text="Thêm bộ lọc").click()
    offence = page.locator("select[name=code] option[value='ND38-2021-D15-6b']")
    text = offence.inner_text()
    assert text.endswith("(ND38-2021-D15-6b)") and len(text) > 40
    for label in page.locator(".register-filters label").all():
        assert label.evaluate("l => l.scrollWidth <= l.clientWidth + 1"), label.inner_text()
    _fits(page)
    page.select_option("select[name=code]", "ND38-2021-D15-6b")
    page.click(".register-filters button[type=submit]")
    assert "Karaoke Cát Vàng" in page.inner_text("main")
    assert page.errors == []


def test_the_venue_history_reads_in_words_and_a_follow_up_chooses_nothing(phone, live_server, desk):
    page = phone
    _vietnamese(page, live_server)
    sign_in(page, live_server, "t_review")
    page.goto(live_server.url(f"/venues/{desk['venue']}"))
    headings = page.locator("main h2").all_inner_texts()
    assert sum(h.strip().startswith("Lịch sử") for h in headings) == 1, headings
    page.click("#change-log summary")
    log = page.inner_text("#change-log")
    assert "Trạng thái: Đang hoạt động → Tạm ngừng" in log
    assert "Số phòng / giường / ghế: 14" in log or "→ 14" in log
    assert "Hệ thống (dòng lệnh)" in log
    for raw in ("sector_id", "status", "operating", "cli:"):
        assert raw not in log, raw
    # the zoom buttons of the map speak Vietnamese
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Phóng to")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Thu nhỏ")
    _fits(page)

    page.goto(live_server.url(f"/violations/{desk['violation']}"))
    kind = page.locator("#f-kind")
    assert kind.input_value() == ""
    remedy = page.locator(".followup-remedy")
    expect(remedy).to_contain_text(REMEDY)
    assert remedy.evaluate("p => p.scrollWidth <= p.clientWidth + 1")
    page.click("#followup-form button[type=submit]")
    assert kind.evaluate("s => s.validity.valueMissing")  # the phone says it before sending
    assert "/followups" not in page.url
    _fits(page)
    assert page.errors == []


def test_search_folds_punctuation_and_a_closed_venue_comes_last(phone, live_server, desk):
    page = phone
    _vietnamese(page, live_server)
    sign_in(page, live_server, "t_insp")
    page.goto(live_server.url("/venues?q=KARAOKE+CAT-VANG"))
    listed = page.locator("main").inner_text()
    assert listed.index("Karaoke Cát Vàng\n") < listed.index("Karaoke Cát Vàng Cũ")
    page.goto(live_server.url(f"/venues/{desk['closed']}"))
    expect(page.get_by_role("link", name="Bắt đầu kiểm tra")).to_have_count(0)
    page.goto(live_server.url(f"/venues/{desk['venue']}"))
    expect(page.get_by_role("link", name="Bắt đầu kiểm tra")).to_have_count(1)
    assert page.errors == []


def test_offline_the_gps_chip_says_how_far_the_venue_is(phone, live_server, desk):
    page = phone
    _vietnamese(page, live_server)
    page.context.grant_permissions(["geolocation"], origin=live_server.base)
    # about 33 m north of the venue
    page.context.set_geolocation(
        {"latitude": SPOT[0] + 0.0003, "longitude": SPOT[1], "accuracy": 10}
    )
    sign_in(page, live_server, "t_insp")
    page.goto(live_server.url("/offline"))
    page.wait_for_function(READY, timeout=45000)
    page.context.set_offline(True)
    page.goto(live_server.url("/offline"))
    page.locator(f'a[data-venue="{desk["venue"]}"]').click()
    page.wait_for_url(f"**/inspections/new?venue={desk['venue']}")
    chip = page.locator("#gps-chip")
    expect(chip).to_contain_text("33 m")
    expect(chip).to_contain_text("±10 m")
    page.context.set_offline(False)
