"""The coverage page on a phone: the map draws under the CSP, figures open their lists."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from inspections.areas.models import Area
from inspections.areas.services import assign_venue_areas
from inspections.extensions import db
from inspections.spatial import point
from inspections.venues.models import Sector, Venue
from inspections.visits.models import Inspection
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _arrange(app) -> None:
    """40 venues around two commune seats of Phan Thiết; every fourth inspected in 2024."""
    with app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        district = select(Area.id).where(Area.code == "593").scalar_subquery()
        seats = db.session.execute(
            select(Area.ref_lat, Area.ref_lon)
            .where(Area.parent_id == district, Area.level == "commune")
            .order_by(Area.code)
            .limit(2)
        ).all()
        ids = []
        for i in range(40):
            lat, lon = seats[i % 2]
            v = Venue(
                name=f"Karaoke Thử {i:02d}",
                search_text=f"karaoke thu {i:02d}",
                sector_id=sector,
                location=point(lat + (i % 5) * 0.0004, lon + (i // 5) * 0.0004),
                status="operating",
                opened_on=date(2020, 1, 1),
            )
            db.session.add(v)
            db.session.flush()
            ids.append(v.id)
            if i % 4 == 0:
                at = datetime.combine(date(2024, 5, 2), time(9), ZoneInfo("Asia/Ho_Chi_Minh"))
                db.session.add(
                    Inspection(
                        venue_id=v.id,
                        status="submitted",
                        inspected_at=at,
                        inspected_on=at.date(),
                        submitted_at=at,
                    )
                )
        assign_venue_areas(ids)
        db.session.commit()


# The venues the map fetched (folium's map is a page global): how many, and one's popup open.
OPEN_VENUE = """() => new Promise((done) => {
  const map = Object.keys(window).filter((k) => k.startsWith('map_'))
    .map((k) => window[k]).find((v) => v instanceof L.Map);
  let group = null;
  map.eachLayer((layer) => { if (layer instanceof L.MarkerClusterGroup) group = layer; });
  const venues = group.getLayers(), first = venues[0];
  map.setView(first.getLatLng(), 18, {animate: false});  // no clusters from zoom 16
  let tries = 0;
  (function wait() {
    if (map.hasLayer(first)) { first.openPopup(); done(venues.length); }
    else if (++tries > 50) { done('not on the map at zoom ' + map.getZoom()); }
    else { setTimeout(wait, 100); }
  })();
})"""


def test_coverage_page_on_a_phone(phone, live_server):
    _arrange(live_server.app)
    page = phone
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.base) else None,
    )
    sign_in(page, live_server, "t_coord")
    page.goto(live_server.url("/coverage?period=2024&level=district"))
    # (wait_for_function would evaluate a string, which the CSP rightly forbids)
    page.locator("#cov-map path.leaflet-interactive").nth(9).wait_for(timeout=10000)
    page.locator("#cov-map .marker-cluster").first.wait_for(timeout=10000)
    legend = page.inner_text(".cov-legend")
    assert "20 %" in legend and "below target" in legend and "no venues" in legend
    labels = page.locator(".cov-label span").all_inner_texts()
    assert "10/40" in labels
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the sector's name is read whole: its choice has a row of its own on the phone
    assert page.locator("#cov-filters select[name=sector]").bounding_box()["width"] >= 340
    assert page.errors == []  # no script errors, no CSP refusals
    assert outside == []  # nothing fetched from outside (no tiles configured)
    # the venues came by their own request: all 40, each with its popup (name as text, link)
    assert page.evaluate(OPEN_VENUE) == 40
    popup = page.locator(".leaflet-popup-content .cov-popup")
    assert popup.locator("strong").inner_text().startswith("Karaoke Thử")
    assert "/venues/" in popup.locator("a").get_attribute("href")
    page.locator(".leaflet-popup-close-button").click()

    page.locator('tr[data-code="593"] a[data-figure="never_inspected"]').tap()
    page.wait_for_url("**/coverage/areas/593?*figure=never_inspected*")
    items = page.locator(".cov-list li")
    assert items.count() == 30
    assert "not inspected since 01/01/2021" in items.first.inner_text()  # the phase baseline
    assert page.errors == []


def test_todays_communes_and_the_former_districts(phone, live_server):
    """2026 opens on today's communes; the picker goes back to the former districts, and
    choosing today's map again switches the level to communes."""
    with live_server.app.app_context():
        arranged = db.session.scalar(select(func.count()).select_from(Venue))
    if not arranged:
        _arrange(live_server.app)
    page = phone
    sign_in(page, live_server, "t_coord")
    page.goto(live_server.url("/coverage?period=2026"))
    page.locator("#cov-map path.leaflet-interactive").nth(44).wait_for(timeout=10000)
    assert page.locator('#cov-table tr[data-code="22918"]').count() == 1  # Phường Mũi Né
    assert page.locator('#cov-table tr[data-code="593"]').count() == 0
    assert "0/40" in page.locator(".cov-label span").all_inner_texts()
    assert page.input_value("#f-level") == "commune"
    page.select_option("#f-as-of", "2025-06-30")
    page.select_option("#f-level", "district")
    page.locator("#cov-filters button[type=submit]").click()
    page.locator('#cov-table tr[data-code="593"]').wait_for(timeout=10000)
    assert "as_of=2025-06-30" in page.url and "level=district" in page.url
    page.select_option("#f-as-of", "2025-07-01")
    assert page.input_value("#f-level") == "commune"
    page.select_option("#f-level", "district")  # and back: districts take the former map
    assert page.input_value("#f-as-of") == "2025-06-30"
    assert page.errors == []


def _district_venues(app, code: str, n: int, inspected: int) -> None:
    """n venues spread over the commune seats of a former district, the first ``inspected``
    of them inspected on 2 May 2024."""
    with app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        district = select(Area.id).where(Area.code == code).scalar_subquery()
        seats = db.session.execute(
            select(Area.ref_lat, Area.ref_lon)
            .where(Area.parent_id == district, Area.level == "commune")
            .order_by(Area.code)
        ).all()
        ids = []
        for i in range(n):
            lat, lon = seats[i % len(seats)]
            v = Venue(
                name=f"Quán {code}-{i:02d}",
                search_text=f"quan {code}-{i:02d}",
                sector_id=sector,
                location=point(lat + 0.0003 * (i % 3), lon + 0.0003 * (i // 3 % 3)),
                status="operating",
                opened_on=date(2020, 1, 1),
            )
            db.session.add(v)
            db.session.flush()
            ids.append(v.id)
            if i < inspected:
                at = datetime.combine(date(2024, 5, 2), time(10), ZoneInfo("Asia/Ho_Chi_Minh"))
                db.session.add(
                    Inspection(
                        venue_id=v.id,
                        status="submitted",
                        inspected_at=at,
                        inspected_on=at.date(),
                        submitted_at=at,
                    )
                )
        assign_venue_areas(ids)
        db.session.commit()


def _boxes_overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def _visible_label_boxes(page) -> list[dict]:
    spans = page.locator("#cov-map .cov-label span")
    return [b for s in spans.all() if s.is_visible() and (b := s.bounding_box())]


def test_units_below_target_what_they_need_and_labels_apart(phone, live_server):
    """The province meets 20 % while three districts miss it: the card names them and what
    each still needs (2 + 1 + 6), the table keeps its "Needed" column on the phone, and no two
    area labels of the map overlap, at the district level and the crowded commune level."""
    app = live_server.app
    with app.app_context():
        arranged = db.session.scalar(select(func.count()).select_from(Venue))
    if not arranged:
        _arrange(app)  # Phan Thiết 10/40
    _district_venues(app, "594", 20, 12)  # La Gi 60 %
    _district_venues(app, "596", 20, 2)  # Bắc Bình 10 %: 2 more
    _district_venues(app, "598", 10, 1)  # Hàm Thuận Nam 10 %: 1 more
    _district_venues(app, "600", 30, 0)  # Đức Linh 0 %: 6 more
    page = phone
    sign_in(page, live_server, "t_coord")
    page.goto(live_server.url("/coverage?period=2024&level=district"))
    page.locator("#cov-map path.leaflet-interactive").nth(9).wait_for(timeout=10000)
    tile = page.locator("#cov-needed-tile")
    assert tile.locator(".tile-num").inner_text() == "9"
    assert "3 units below target" in tile.inner_text()
    below = page.locator("#cov-below li")
    assert below.count() == 3
    needed = {li.get_attribute("data-code"): li.get_attribute("data-needed") for li in below.all()}
    assert needed == {"596": "2", "598": "1", "600": "6"}
    assert "6 more" in below.first.inner_text()  # the most needed first: Đức Linh
    # the province's own figures meet the target (25 of 120)
    assert "25 of 120" in page.inner_text(".tiles")
    # "Needed" stays on the phone, with each row's figure; the totals add the units' needs
    head = page.locator("#cov-table thead th.cov-needed")
    assert head.is_visible() and head.inner_text().startswith("Needed")
    cell = page.locator('#cov-table tr[data-code="600"] td.cov-needed')
    assert cell.is_visible() and cell.inner_text() == "6"
    assert page.locator("#cov-table tfoot td.cov-needed").inner_text() == "9"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = _visible_label_boxes(page)
    assert len(boxes) >= 3
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _boxes_overlap(a, b), (a, b)

    # 121 communes on a phone: some labels must give way, none overlap, zoomed or not
    page.goto(live_server.url("/coverage?period=2024&level=commune&as_of=2025-06-30"))
    page.locator("#cov-map path.leaflet-interactive").nth(100).wait_for(timeout=15000)
    page.wait_for_timeout(300)
    spans = page.locator("#cov-map .cov-label span")
    for zoom_in in (False, True):
        if zoom_in:
            page.locator("#cov-map .leaflet-control-zoom-in").tap()
            page.wait_for_timeout(800)  # the zoom animation, then the labels' check
        boxes = _visible_label_boxes(page)
        assert 3 <= len(boxes) < spans.count()
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not _boxes_overlap(a, b), (a, b)
    assert page.errors == []
