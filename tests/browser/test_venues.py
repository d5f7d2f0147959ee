"""The registry on a 390×844 phone: register by map and coordinates, search, near me."""

import pytest

from inspections.extensions import db
from tests.browser.conftest import sign_in


@pytest.fixture(scope="module")
def venues(live_server):
    """A few venues around central Phan Thiết, committed for the server to see."""
    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.venues.models import Sector, Venue

    spots = [
        ("Karaoke Hoàng Gia", "karaoke", 10.93030, 108.10020),  # ~35 m from the phone
        ("Nhà nghỉ Sao Mai", "lodging", 10.93300, 108.10400),  # ~520 m
        ("Massage Ngọc Lan", "massage", 10.94000, 108.12000),  # ~2.4 km
    ]
    with live_server.app.app_context():
        sectors = dict(db.session.execute(db.select(Sector.code, Sector.id)).all())
        ids = []
        for name, sector, lat, lon in spots:
            v = Venue(name=name, sector_id=sectors[sector], address="1 Trần Hưng Đạo",
                      location=point(lat, lon), status="operating")  # fmt: skip
            db.session.add(v)
            db.session.flush()
            ids.append(v.id)
        assign_venue_areas(ids)
        db.session.commit()
    return spots


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_coordinator_registers_a_venue_by_map_and_coordinates(phone, live_server):
    page = phone
    sign_in(page, live_server, "t_coord")
    page.goto(live_server.url("/venues/new"))
    page.fill("#f-name", "Karaoke Bản Đồ")
    page.select_option("#f-sector", "karaoke")
    page.wait_for_selector("#pick-map svg path", state="attached")  # the boundaries
    box = page.locator("#pick-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tapped = page.input_value("#f-coordinates")
    lat, lon = (float(x) for x in tapped.split(","))
    assert 10.5 < lat < 11.5 and 107.5 < lon < 108.7  # the map's centre, in the province
    # the entrance is better known from a survey: type it in degrees-minutes-seconds
    page.fill("#f-coordinates", "10°55'44.4\"N 108°06'07.2\"E")
    page.fill("#f-house_no", "7")
    page.fill("#f-street", "Trần Hưng Đạo")
    page.fill("#f-address_commune", "Phường Bình Hưng")
    _fits_the_phone(page)
    page.click(".form-actions button[type=submit]")
    page.wait_for_url("**/venues/*")
    main = page.inner_text("main")
    assert "Karaoke Bản Đồ" in main and "Phường Bình Hưng, Thành phố Phan Thiết" in main
    assert "10.929000, 108.102000" in main
    assert "another commune" not in main
    page.wait_for_selector("#venue-map svg path", state="attached")
    _fits_the_phone(page)
    assert page.errors == []


def test_inspector_searches_without_accents(phone, live_server, venues):
    page = phone
    sign_in(page, live_server, "t_insp")
    page.click("nav.bottombar >> text=Venues")
    page.fill("#f-q", "hoang gia")
    page.keyboard.press("Enter")
    page.wait_for_url("**/venues?q=hoang+gia*")
    cards = page.locator(".cards .venue-card")
    assert cards.first.inner_text().startswith("Karaoke Hoàng Gia")
    _fits_the_phone(page)
    cards.first.click()
    page.wait_for_url("**/venues/*")
    assert "Karaoke Hoàng Gia" in page.inner_text("h1")
    assert page.errors == []


def test_near_me_lists_the_nearest_first_in_metres(phone, live_server, venues):
    page = phone
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 10.9300, "longitude": 108.1000, "accuracy": 8})
    sign_in(page, live_server, "t_insp")
    page.click("nav.bottombar >> text=Near me")
    page.wait_for_url("**/venues/near?lat=10.930000&lon=108.100000*")
    page.wait_for_selector("#near-list")
    names = page.locator("#near-list .venue-name").all_inner_texts()
    assert [n for n in names if n in {s[0] for s in venues}] == [s[0] for s in venues]
    first = page.locator("#near-list .venue-distance").first.inner_text()
    assert first.endswith(" m") and 25 <= int(first.split()[0]) <= 45
    assert "±8 m" in page.inner_text("#near-here")
    page.wait_for_selector("#near-map .num-marker", state="attached")
    _fits_the_phone(page)
    assert page.errors == []
    assert all(u.startswith(live_server.base) for u in requested), "nothing from the internet"


def test_near_me_explains_a_refused_location(phone, live_server):
    page = phone
    page.context.clear_permissions()
    sign_in(page, live_server, "t_insp")
    page.goto(live_server.url("/venues/near"))
    status = page.locator("#near-status")
    status.wait_for()
    page.wait_for_function("document.getElementById('near-status').textContent.length > 20")
    assert "refused" in status.inner_text() or "permission" in status.inner_text()
    page.click("#near details summary")
    page.fill("input[name=at]", "10°55'48\"N, 108°06'00\"E")
    page.click(".near-form button[type=submit]")
    page.wait_for_selector("#near-list")
    assert page.errors == []
