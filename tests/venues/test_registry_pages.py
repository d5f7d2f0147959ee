"""The registry as people use it: register, edit, move, suspend and close, scope, history."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from inspections.audit.models import AuditEvent
from inspections.extensions import db
from inspections.venues.models import Venue, VenueEvent
from tests.venues.conftest import BINH_HUNG, LA_GI, MUI_NE


def _venue(name):
    return db.session.scalar(select(Venue).where(Venue.name == name))


def test_coordinator_registers_a_venue_with_dms_coordinates(as_user, post):
    as_user("t_coord")
    r = post(
        "/venues/new",
        {
            "name": "Karaoke Ánh Trăng",
            "sector": "karaoke",
            "coordinates": "10°55'44.4\"N 108°06'07.2\"E",  # = 10.929, 108.102
            "house_no": "12",
            "street": "Trần Hưng Đạo",
            "address_commune": "P. Bình Hưng",
            "registration_no": "3400123456",
            "security_cert_no": "45/GCN-ANTT",
            "security_cert_on": "05/03/2021",
            "owner_name": "Nguyễn Văn A",
            "owner_phone": "0912 345 678",
            "capacity": "8",
            "opened_on": "01/02/2020",
            "licence_kind": ["karaoke_dance", "fire_safety"],
            "licence_number": ["12/GP-VHTTDL", "PC-77"],
            "licence_issued_on": ["01/01/2022", ""],
            "licence_expires_on": ["31/12/2026", "15/01/2027"],
            "licence_issuer": ["", ""],
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    venue = _venue("Karaoke Ánh Trăng")
    assert r.headers["Location"].endswith(f"/venues/{venue.id}")
    assert venue.district.code == "593" and venue.commune.code == "22951"
    assert venue.address == "12 Trần Hưng Đạo, P. Bình Hưng"
    assert venue.security_cert_on == date(2021, 3, 5)
    assert sorted(lic.number for lic in venue.licences) == ["12/GP-VHTTDL", "PC-77"]
    page = as_user("t_insp").get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Phường Bình Hưng" in page and "45/GCN-ANTT" in page and "05/03/2021" in page
    assert "another commune" not in page  # "P. Bình Hưng" is the commune of the location
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "venue", AuditEvent.object_id == venue.id
            )
        )
    )
    assert {"create", "update"} <= actions  # the venue, then its licences


def test_the_form_says_what_is_wrong_and_keeps_the_input(as_user, post):
    as_user("t_coord")
    r = post(
        "/venues/new", {"name": "Karaoke X", "sector": "karaoke", "coordinates": "108.1, 10.93"}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "look swapped" in html and 'value="Karaoke X"' in html
    r = post(
        "/venues/new", {"name": "Karaoke X", "sector": "karaoke", "coordinates": "10.77, 106.70"}
    )
    assert r.status_code == 422 and "outside the province" in r.get_data(as_text=True)
    r = post("/venues/new", {"name": "Karaoke X", "sector": "karaoke"})
    assert r.status_code == 422 and "Set the location" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Venue.name == "Karaoke X")) == 0


def test_address_naming_another_commune_is_flagged(as_user, create_venue):
    venue = create_venue(
        name="Nhà nghỉ Lệch", lat=BINH_HUNG[0], lon=BINH_HUNG[1], address="5 Lê Lợi, Phường Mũi Né"
    )
    client = as_user("t_coord")
    assert "another commune" in client.get(f"/venues/{venue.id}").get_data(as_text=True)
    listed = client.get("/venues?flag=mismatch").get_data(as_text=True)
    assert "Nhà nghỉ Lệch" in listed
    assert client.get(f"/api/v1/venues/{venue.id}").json["commune_mismatch"] is True


def test_a_venue_that_moved_keeps_its_identity_and_history(
    as_user, post, create_venue, create_inspection
):
    venue = create_venue(name="Karaoke Dời Chỗ", lat=BINH_HUNG[0], lon=BINH_HUNG[1])
    create_inspection(venue, on=date(2024, 5, 1))
    vid = venue.id
    as_user("t_coord")
    r = post(
        f"/venues/{vid}/edit",
        {
            "name": "Karaoke Dời Chỗ",
            "sector": "karaoke",
            "coordinates": f"{MUI_NE[0]}, {MUI_NE[1]}",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    moved = db.session.get(Venue, vid)
    assert moved.commune.code == "22915"  # Mũi Né now
    change = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "venue",
            AuditEvent.object_id == vid,
            AuditEvent.action == "update",
        )
    ).all()
    locations = [e.changes["location"] for e in change if "location" in (e.changes or {})]
    assert locations == [["10.929000, 108.102000", "10.933000, 108.287000"]]
    assert any("commune_id" in (e.changes or {}) for e in change)
    kinds = list(db.session.scalars(select(VenueEvent.kind).where(VenueEvent.venue_id == vid)))
    assert kinds == ["moved"]
    assert db.session.scalar(select(func.count()).select_from(Venue)) >= 1
    assert "Inspected 01/05/2024" in as_user("t_coord").get("/venues?q=doi cho").get_data(
        as_text=True
    )


def test_suspend_reopen_close_with_dates_and_reasons(as_user, post, create_venue):
    venue = create_venue(name="Massage Vòng Đời", opened_on=date(2019, 1, 1))
    vid = venue.id
    as_user("t_coord")
    path = f"/venues/{vid}/lifecycle"
    today = date.today()
    r = post(path, {"action": "suspend", "on": "2024-03-01"})
    assert r.status_code == 302 and db.session.get(Venue, vid).status == "operating"  # no reason
    post(path, {"action": "suspend", "on": "2024-03-01", "reason": "QĐ 12/QĐ-XPHC"})
    post(path, {"action": "reopen", "on": "2024-04-01"})
    r = post(path, {"action": "close", "on": "2018-06-01", "reason": "giải thể"})
    db.session.expire_all()
    assert db.session.get(Venue, vid).status == "operating"  # before it opened: refused
    r = post(
        path, {"action": "close", "on": (today + timedelta(days=3)).isoformat(), "reason": "x"}
    )
    db.session.expire_all()
    assert db.session.get(Venue, vid).status == "operating"  # in the future: refused
    post(path, {"action": "close", "on": "2025-02-01", "reason": "giải thể"})
    db.session.expire_all()
    closed = db.session.get(Venue, vid)
    assert closed.status == "closed" and closed.closed_on == date(2025, 2, 1)
    page = as_user("t_insp").get(f"/venues/{vid}").get_data(as_text=True)
    assert "Closed since 01/02/2025" in page and "QĐ 12/QĐ-XPHC" in page and "giải thể" in page
    kinds = list(
        db.session.scalars(
            select(VenueEvent.kind).where(VenueEvent.venue_id == vid).order_by(VenueEvent.on)
        )
    )
    assert kinds == ["suspended", "reopened", "closed"]
    statuses = db.session.scalars(
        select(AuditEvent.changes)
        .where(
            AuditEvent.object_id == vid,
            AuditEvent.object_type == "venue",
            AuditEvent.action == "status",
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [c["status"] for c in statuses] == [
        ["operating", "suspended"],
        ["suspended", "operating"],
        ["operating", "closed"],
    ]


def test_accounts_see_only_their_area(as_user, create_venue):
    here = create_venue(name="Karaoke Phan Thiết", lat=BINH_HUNG[0], lon=BINH_HUNG[1])
    there = create_venue(name="Karaoke La Gi", lat=LA_GI[0], lon=LA_GI[1])
    client = as_user("t_insp")  # district 593
    assert client.get(f"/venues/{here.id}").status_code == 200
    assert client.get(f"/venues/{there.id}").status_code == 404
    listed = client.get("/venues?q=karaoke").get_data(as_text=True)
    assert "Karaoke Phan Thiết" in listed and "Karaoke La Gi" not in listed
    assert client.get(f"/api/v1/venues/{there.id}").status_code == 404


def test_the_venue_map_shows_the_nearby_venues_of_the_accounts_area(as_user, create_venue):
    """The small map's landmarks: other venues within 1.5 km, nearest first, in the account's
    area only; not the venue itself, not a far one."""
    import html
    import json
    import re

    lat, lon = BINH_HUNG
    venue = create_venue(name="Karaoke Trung Tâm", lat=lat, lon=lon)
    create_venue(name="Massage Gần Nhất", lat=lat + 0.002, lon=lon)  # about 220 m
    create_venue(name="Spa Gần", lat=lat + 0.008, lon=lon)  # about 890 m
    create_venue(name="Bar Xa", lat=lat + 0.03, lon=lon)  # about 3.3 km
    create_venue(name="Karaoke La Gi", lat=LA_GI[0], lon=LA_GI[1])  # another district
    page = as_user("t_insp").get(f"/venues/{venue.id}").get_data(as_text=True)
    found = re.search(r"data-venues='([^']*)'", page)
    assert found, "no landmarks on the venue page"
    landmarks = json.loads(html.unescape(found.group(1)))
    assert [name for _lat, _lon, name in landmarks] == ["Massage Gần Nhất", "Spa Gần"]
    assert landmarks[0][:2] == [pytest.approx(lat + 0.002), pytest.approx(lon)]


def test_inspector_cannot_register_or_edit(as_user, create_venue):
    venue = create_venue()
    client = as_user("t_insp")
    assert client.get("/venues/new").status_code == 403
    assert client.get(f"/venues/{venue.id}/edit").status_code == 403
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Change status" not in page and "/edit" not in page


def test_the_venue_page_includes_the_panels_of_other_capabilities():
    from pathlib import Path

    html = (Path(__file__).parents[2] / "templates/venues/detail.html").read_text()
    visits = html.index('{% include "visits/_venue_panel.html" ignore missing %}')
    violations = html.index('{% include "violations/_venue_panel.html" ignore missing %}')
    assert html.index('id="venue-map"') < visits < violations < html.index("Change history")


def test_editing_the_parts_rebuilds_the_address(as_user, post, create_venue):
    venue = create_venue(name="Spa Địa Chỉ", sector="spa_sauna", address=None)
    vid = venue.id
    as_user("t_coord")
    form = {"name": "Spa Địa Chỉ", "sector": "spa_sauna", "coordinates": "10.929, 108.102",
            "house_no": "5", "street": "Lê Lợi", "address_commune": "Phường Bình Hưng"}  # fmt: skip
    post(f"/venues/{vid}/edit", form)
    db.session.expire_all()
    assert db.session.get(Venue, vid).address == "5 Lê Lợi, Phường Bình Hưng"
    # the form shows the built address; changing a part rebuilds it
    post(f"/venues/{vid}/edit", {**form, "house_no": "7", "address": "5 Lê Lợi, Phường Bình Hưng"})
    db.session.expire_all()
    assert db.session.get(Venue, vid).address == "7 Lê Lợi, Phường Bình Hưng"
    # an address typed in full is kept as typed
    post(f"/venues/{vid}/edit", {**form, "address": "Kiốt 3, chợ Bình Hưng"})
    db.session.expire_all()
    assert db.session.get(Venue, vid).address == "Kiốt 3, chợ Bình Hưng"


def test_the_earliest_licence_expiry_follows_the_licences(as_user, post, create_venue):
    venue = create_venue(name="Bar Giấy Phép", sector="bar")
    vid = venue.id
    as_user("t_coord")
    form = {"name": "Bar Giấy Phép", "sector": "bar", "coordinates": "10.929, 108.102",
            "licence_kind": ["alcohol", "food_safety"], "licence_number": ["R-1", "A-2"],
            "licence_issued_on": ["", ""], "licence_expires_on": ["01/03/2030", "15/01/2029"],
            "licence_issuer": ["", ""]}  # fmt: skip
    post(f"/venues/{vid}/edit", form)
    db.session.expire_all()
    assert db.session.get(Venue, vid).earliest_expiry == date(2029, 1, 15)
    post(f"/venues/{vid}/edit", {**form, "licence_kind": ["alcohol"], "licence_number": ["R-1"],
                                 "licence_issued_on": [""], "licence_expires_on": ["01/03/2030"],
                                 "licence_issuer": [""]})  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Venue, vid).earliest_expiry == date(2030, 3, 1)
    post(f"/venues/{vid}/edit", {k: v for k, v in form.items() if not k.startswith("licence")})
    db.session.expire_all()
    assert db.session.get(Venue, vid).earliest_expiry is None
