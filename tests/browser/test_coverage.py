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
    assert page.errors == []  # no script errors, no CSP refusals
    assert outside == []  # nothing fetched from outside (no tiles configured)

    page.locator('tr[data-code="593"] a[data-figure="never_inspected"]').tap()
    page.wait_for_url("**/coverage/areas/593?*figure=never_inspected*")
    items = page.locator(".cov-list li")
    assert items.count() == 30
    assert "never inspected" in items.first.inner_text()
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
    assert page.errors == []
