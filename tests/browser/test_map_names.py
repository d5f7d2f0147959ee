"""Names on the maps are text, never markup (issue 13, finding 5): a venue named like HTML and
a commune renamed like HTML show literally in the tooltips and popups of the venue page, "near
me", the coverage page and the exported coverage map, and no element of the name exists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from inspections.extensions import db
from tests.browser.conftest import sign_in

EVIL = "<img src=x onerror=alert(1)><b>Bar</b>"
EVIL_AREA = "<img src=x onerror=alert(2)><b>Phường</b>"
SPOT = (10.9290, 108.1020)  # Phường Bình Hưng (22951), district 593
MARKUP = "img, b, script"


@pytest.fixture(scope="module")
def arranged(live_server):
    """The venue named like HTML, a plain neighbour 60 m away, its commune renamed."""
    from inspections.areas.models import Area
    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.venues.models import Sector, Venue

    with live_server.app.app_context():
        sector = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
        ids = []
        for name, dlat in ((EVIL, 0.0), ("Karaoke Láng Giềng", 0.0005)):
            venue = Venue(
                name=name,
                search_text=name.lower(),
                sector_id=sector,
                address="3 Trần Hưng Đạo",
                location=point(SPOT[0] + dlat, SPOT[1]),
                status="operating",
                opened_on=date(2020, 1, 1),
            )
            db.session.add(venue)
            db.session.flush()
            ids.append(venue.id)
        assign_venue_areas(ids)
        # its commune on both maps (the former Bình Hưng and today's unit the page draws)
        venue = db.session.get(Venue, ids[0])
        for area_id in {venue.commune_id, venue.commune_2025_id} - {None}:
            db.session.get(Area, area_id).name = EVIL_AREA
        db.session.commit()
        return {"evil": ids[0], "neighbour": ids[1]}


def _literal(tip, expected: str) -> None:
    """The tooltip or popup reads the name as typed and holds no element made from it."""
    tip.wait_for(timeout=10000)
    assert tip.inner_text().strip() == expected
    assert tip.locator(MARKUP).count() == 0


def _no_markup_anywhere(page, requested: list[str]) -> None:
    assert page.locator('img[src="x"]').count() == 0
    assert not [u for u in requested if u.rstrip("/").endswith("/x")], "the name made an <img>"


def _hover_until(page, targets, tooltip_text: str):
    """Hover (or tap) each marker until the tooltip with this text opens; returns it."""
    tip = page.locator(".leaflet-tooltip", has_text=tooltip_text)
    for target in targets.all():
        target.hover(force=True)
        if tip.count():
            return tip.first
        target.dispatch_event("click")
        if tip.count():
            return tip.first
    raise AssertionError(f"no tooltip says {tooltip_text!r}")


def _watch(page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    return requested


def test_venue_maps_show_names_as_text(phone, live_server, arranged):
    page = phone
    requested = _watch(page)
    sign_in(page, live_server, "t_insp")

    # the venue's own page: its name in the permanent tooltip, the commune's in the labels
    page.goto(live_server.url(f"/venues/{arranged['evil']}"))
    page.wait_for_selector("#venue-map svg path", state="attached")
    _literal(page.locator("#venue-map .leaflet-tooltip", has_text="Bar</b>").first, EVIL)
    _literal(page.locator("#venue-map .area-label", has_text="Phường</b>").first, EVIL_AREA)

    # the neighbour's page: the venue is a grey dot with a tooltip
    page.goto(live_server.url(f"/venues/{arranged['neighbour']}"))
    page.wait_for_selector("#venue-map svg path", state="attached")
    dots = page.locator("#venue-map path.leaflet-interactive")
    _literal(_hover_until(page, dots, "Bar</b>"), EVIL)

    # near me: numbered markers with the names in their tooltips
    page.goto(live_server.url(f"/venues/near?lat={SPOT[0]}&lon={SPOT[1] + 0.0003}&acc=8"))
    page.wait_for_selector("#near-map .num-marker", state="attached")
    assert EVIL in page.inner_text("#near-list")  # the list shows it as text too
    _literal(_hover_until(page, page.locator("#near-map .num-marker"), "Bar</b>"), EVIL)
    _no_markup_anywhere(page, requested)
    assert page.errors == []


# The coverage map is folium's: the map and its areas' layer are page globals.
OPEN_AREA = """(name) => {
  const map = Object.keys(window).filter((k) => k.startsWith('map_'))
    .map((k) => window[k]).find((v) => v instanceof L.Map);
  let found = null;
  map.eachLayer((layer) => {
    if (layer.feature && layer.feature.properties.name === name) found = layer;
  });
  if (!found) return false;
  map.fitBounds(found.getBounds());
  found.openTooltip(found.getBounds().getCenter());
  found.openPopup(found.getBounds().getCenter());
  return true;
}"""


def _area_tip_and_popup(page) -> None:
    assert page.evaluate(OPEN_AREA, EVIL_AREA)
    _literal(page.locator(".leaflet-tooltip").first, EVIL_AREA)
    popup = page.locator(".leaflet-popup-content .cov-popup strong")
    _literal(popup, EVIL_AREA)
    assert page.locator(".leaflet-popup-content").locator(MARKUP).count() == 0


def test_coverage_map_and_its_file_show_area_names_as_text(
    phone, live_server, arranged, tmp_path: Path
):
    page = phone
    requested = _watch(page)
    sign_in(page, live_server, "t_coord")
    page.goto(live_server.url("/coverage?period=2024&level=commune"))
    page.locator("#cov-map path.leaflet-interactive").first.wait_for(timeout=10000)
    _area_tip_and_popup(page)
    _no_markup_anywhere(page, requested)
    assert page.errors == []

    # the exported file, opened on its own (no server, no CSP: only the escaping protects it)
    answer = page.request.get(live_server.url("/coverage/map.html?period=2024&level=commune"))
    assert answer.ok
    exported = tmp_path / "ban-do.html"
    exported.write_bytes(answer.body())
    page.goto(exported.as_uri())
    page.locator("path.leaflet-interactive").first.wait_for(timeout=10000)
    _area_tip_and_popup(page)
    _no_markup_anywhere(page, requested)
    assert page.errors == []
