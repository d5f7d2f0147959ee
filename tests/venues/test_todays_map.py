"""Venues on today's map: addresses written either way with today's address stored beside
them, the unit on each map on the venue page, filters by area code on the map of as_of.

Hàm Tiến's seat lies in the former Phường Hàm Tiến (22918 until 30/06/2025), Thành phố Phan
Thiết, now Phường Mũi Né (22918 since 1/7/2025), formed from the former Mũi Né (22915), Hàm
Tiến and Thiện Nghiệp (22957).
"""

from __future__ import annotations

from datetime import date

import pytest

from inspections.accounts.services import Scope, create_user
from inspections.areas.services import get_area
from inspections.extensions import db
from inspections.venues.addresses import province_key, todays_address
from inspections.venues.importing.write import run_import
from inspections.venues.models import Venue
from tests.conftest import TEST_PASSWORD, login
from tests.venues.test_import import table_of

BEFORE = date(2025, 6, 30)
TODAY_ADDRESS = "12 Trần Hưng Đạo, KP 3, Phường Mũi Né, Tỉnh Lâm Đồng"
WRITTEN = {
    "former": "12 Trần Hưng Đạo, KP 3, Phường Hàm Tiến, Thành phố Phan Thiết, Bình Thuận",
    "today": "12 Trần Hưng Đạo, KP 3, Phường Mũi Né, Lâm Đồng",
}


def seat(code: str) -> tuple[float, float]:
    area = get_area(code, as_of=BEFORE)
    return area.ref_lat, area.ref_lon


def test_todays_address_from_either_system():
    provinces = (province_key("Tỉnh Bình Thuận"), province_key("Tỉnh Lâm Đồng"))
    for written in WRITTEN.values():
        got = todays_address(written, "Phường Mũi Né", "Tỉnh Lâm Đồng", provinces=provinces)
        assert got == TODAY_ADDRESS, written
    # no commune word: the segment after the street names it
    assert (
        todays_address("3 Lê Lợi, Hàm Tiến, Phan Thiết", "Phường Mũi Né", "Tỉnh Lâm Đồng")
        == "3 Lê Lợi, Phường Mũi Né, Tỉnh Lâm Đồng"
    )
    assert todays_address("", "Phường Mũi Né", "Tỉnh Lâm Đồng") is None
    assert todays_address("3 Lê Lợi", None, None) is None


@pytest.mark.parametrize("system", ["former", "today"])
def test_the_api_accepts_an_address_written_either_way(client, token_for, system):
    lat, lon = seat("22918")
    headers = token_for("t_coord")
    r = client.post(
        "/api/v1/venues",
        json={
            "name": f"Karaoke {system}",
            "sector": "karaoke",
            "address": WRITTEN[system],
            "latitude": lat,
            "longitude": lon,
        },
        headers=headers,
    )
    assert r.status_code == 201, r.json
    body = r.json
    # the text as written, today's address beside it
    assert body["address"] == WRITTEN[system]
    assert body["address_2025"] == TODAY_ADDRESS
    assert (body["unit_2025_code"], body["unit_2025_name"]) == ("22918", "Phường Mũi Né")
    assert body["commune_name"] == "Phường Hàm Tiến"
    # either system's name of the unit at the location is right
    assert body["commune_mismatch"] is False
    listed = client.get("/api/v1/venues?flag=mismatch", headers=headers).json
    assert body["id"] not in {v["id"] for v in listed}


def test_an_address_naming_another_unit_is_still_flagged(client, token_for):
    lat, lon = seat("22918")
    headers = token_for("t_coord")
    body = client.post(
        "/api/v1/venues",
        json={
            "name": "Karaoke Lạc",
            "sector": "karaoke",
            "address": "5 Lê Lợi, Phường Phú Thủy, Phan Thiết",
            "latitude": lat,
            "longitude": lon,
        },
        headers=headers,
    ).json
    assert body["commune_mismatch"] is True
    listed = client.get("/api/v1/venues?flag=mismatch", headers=headers).json
    assert body["id"] in {v["id"] for v in listed}


def test_the_form_stores_todays_address_and_the_page_shows_both_maps(as_user, post):
    client = as_user("t_coord")
    lat, lon = seat("22918")
    r = post(
        "/venues/new",
        {
            "name": "Nhà nghỉ Gió Biển",
            "sector": "lodging",
            "house_no": "12",
            "street": "Trần Hưng Đạo",
            "address_commune": "Phường Hàm Tiến",
            "latitude": str(lat),
            "longitude": str(lon),
        },
    )
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:2000]
    venue = db.session.scalar(db.select(Venue).where(Venue.name == "Nhà nghỉ Gió Biển"))
    assert venue.address_2025 == "12 Trần Hưng Đạo, Phường Mũi Né, Tỉnh Lâm Đồng"
    client.set_cookie("lang", "vi")
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Phường Mũi Né (trước 1/7/2025: Phường Hàm Tiến, Thành phố Phan Thiết)" in html
    assert "12 Trần Hưng Đạo, Phường Mũi Né, Tỉnh Lâm Đồng" in html
    assert "flag-warn" not in html  # the former name is right too


def test_a_move_keeps_the_label_and_todays_address_current(client, token_for):
    headers = token_for("t_coord")
    lat, lon = seat("22918")
    body = client.post(
        "/api/v1/venues",
        json={
            "name": "Bar Dời",
            "sector": "bar",
            "address": "7 Nguyễn Đình Chiểu, Phan Thiết",
            "latitude": lat,
            "longitude": lon,
        },
        headers=headers,
    ).json
    assert body["address_2025"] == "7 Nguyễn Đình Chiểu, Phường Mũi Né, Tỉnh Lâm Đồng"
    lat2, lon2 = seat("23235")  # the former Tân An, La Gi: today's Phường La Gi
    moved = client.patch(
        f"/api/v1/venues/{body['id']}",
        json={"latitude": lat2, "longitude": lon2},
        headers=headers,
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["unit_2025_name"] == "Phường La Gi"
    assert moved.json["address_2025"] == "7 Nguyễn Đình Chiểu, Phường La Gi, Tỉnh Lâm Đồng"


def test_the_import_accepts_addresses_written_either_way():
    lat, lon = seat("22918")
    rows = [
        [1, "Karaoke Cũ", "Karaoke", WRITTEN["former"], str(lat), str(lon), "KD-T1", "",
         "", "", "", ""],
        [2, "Karaoke Mới", "Karaoke", WRITTEN["today"], str(lat), str(lon + 0.001), "KD-T2",
         "", "", "", "", ""],
    ]  # fmt: skip
    report = run_import(table_of(rows), scope=Scope(), dry_run=False)
    assert (report.created, len(report.rejected)) == (2, 0)
    for number in ("KD-T1", "KD-T2"):
        venue = db.session.scalar(db.select(Venue).where(Venue.registration_no == number))
        assert venue.address_2025 == TODAY_ADDRESS and venue.address in WRITTEN.values()


def test_filters_read_an_area_code_on_the_map_of_as_of(client, token_for, create_venue):
    made = {}
    for key, code in (("H", "22918"), ("M", "22915"), ("T", "22957")):
        lat, lon = seat(code)
        made[key] = create_venue(name=f"Venue {key}", lat=lat, lon=lon)
    headers = token_for("t_coord")

    def names(query: str) -> set[str]:
        r = client.get(f"/api/v1/venues?per_page=100&{query}", headers=headers)
        assert r.status_code == 200, r.json
        return {v["name"] for v in r.json}

    # 22918 today is Phường Mũi Né (three former communes), before 1/7/2025 Phường Hàm Tiến
    assert names("area=22918") == {"Venue H", "Venue M", "Venue T"}
    assert names("area=22918&as_of=2026-01-01") == {"Venue H", "Venue M", "Venue T"}
    assert names("area=22918&as_of=2025-06-30") == {"Venue H"}
    assert names("area=22915") == {"Venue M"}  # a former code nobody reused
    assert names("area=593") == {"Venue H", "Venue M", "Venue T"}  # a former district
    for bad in ("1974-12-31", "2099-01-01", "31/02/2025"):
        r = client.get(f"/api/v1/venues?area=22918&as_of={bad}", headers=headers)
        assert r.status_code == 422 and "as_of" in r.json["errors"], bad
    # a former code asked on today's map names no unit
    assert (
        client.get("/api/v1/venues?area=22915&as_of=2026-01-01", headers=headers).status_code == 404
    )
    # the list page: a former commune whose code was reused is chosen with its map's day
    login(client, "t_coord")
    page = client.get("/venues?area=22918@2025-06-30").get_data(as_text=True)
    assert "Venue H" in page and "Venue M" not in page


def test_the_register_reads_an_area_code_on_the_map_of_as_of(
    client, token_for, create_venue, create_inspection
):
    from inspections.violations.followup import sync_register
    from inspections.violations.services import ViolationEntry, add_violation, by_codes
    from tests.violations.conftest import LATCH

    for key, code in (("H", "22918"), ("M", "22915")):
        lat, lon = seat(code)
        venue = create_venue(name=f"Venue {key}", lat=lat, lon=lon)
        inspection = create_inspection(venue, on=date(2026, 2, 2))
        entry = ViolationEntry(
            legal=by_codes([LATCH])[LATCH],
            offender_type="individual",
            offender_name=None,
            fine_vnd=1_000_000,
            measures=[],
            remedy=None,
            remedy_deadline=None,
        )
        add_violation(inspection, entry, 0)
        db.session.flush()
        sync_register([inspection.id])
    headers = token_for("t_coord")

    def names(query: str) -> set[str]:
        r = client.get(f"/api/v1/violations?{query}", headers=headers)
        assert r.status_code == 200, r.json
        return {v["venue_name"] for v in r.json}

    assert names("area=22918") == {"Venue H", "Venue M"}
    assert names("area=22918&as_of=2025-06-30") == {"Venue H"}
    r = client.get("/api/v1/violations?area=22918&as_of=1900-01-01", headers=headers)
    assert r.status_code == 422 and "as_of" in r.json["errors"]


def test_a_todays_commune_account_creates_venues_in_its_unit_only(client):
    from inspections.accounts.services import create_token
    from tests.conftest import user

    create_user(
        username="mui.ne.coord",
        password=TEST_PASSWORD,
        role="coordinator",
        agency_code="police",
        area_code="22918",
        full_name="Mũi Né",
    )
    headers = {"Authorization": f"Bearer {create_token(user('mui.ne.coord'))}"}
    for code, status in (("22957", 201), ("22936", 422)):  # Thiện Nghiệp: yes; Phú Thủy: no
        lat, lon = seat(code)
        r = client.post(
            "/api/v1/venues",
            json={"name": f"Quán {code}", "sector": "bar", "latitude": lat, "longitude": lon},
            headers=headers,
        )
        assert r.status_code == status, (code, r.json)


def test_a_reassignment_of_units_rewrites_todays_address(create_venue):
    """When the areas room re-derives units (a boundary import, a move written in SQL), the
    address on today's map names the new unit."""
    from sqlalchemy import update

    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.venues.todays_map import set_todays_addresses

    lat, lon = seat("22918")
    venue = create_venue(name="Bar Gió", lat=lat, lon=lon, address="4 Lê Lợi, Phường Hàm Tiến")
    set_todays_addresses([venue.id])
    assert venue.address_2025 == "4 Lê Lợi, Phường Mũi Né, Tỉnh Lâm Đồng"
    lat2, lon2 = seat("23235")
    db.session.execute(
        update(Venue)
        .where(Venue.id == venue.id)
        .values(location=point(lat2, lon2))
        .execution_options(synchronize_session=False)
    )
    assert assign_venue_areas([venue.id]) == 1
    db.session.refresh(venue)
    assert venue.address_2025 == "4 Lê Lợi, Phường La Gi, Tỉnh Lâm Đồng"
