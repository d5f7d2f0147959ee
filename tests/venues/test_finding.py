"""Finding venues: accent-free search, filters, near me, the API, all on one filter service."""

from datetime import date, timedelta

import pytest

from inspections.extensions import db
from inspections.venues.geo import distance_m
from inspections.venues.models import VenueLicence
from tests.venues.conftest import BINH_HUNG, LA_GI, MUI_NE


def test_search_ignores_accents_and_case(as_user, create_venue):
    create_venue(name="Karaoke Hoàng Gia", address="12 Trần Hưng Đạo")
    create_venue(name="Gội đầu thư giãn Hoàng Hôn", sector="hair_wash")
    client = as_user("t_insp")
    for q in ("hoang gia", "HOÀNG GIA", "Hoang  Gia", "gia hoang", "tran hung dao"):
        html = client.get("/venues", query_string={"q": q}).get_data(as_text=True)
        assert "Karaoke Hoàng Gia" in html, q
    html = client.get("/venues", query_string={"q": "hoang gia"}).get_data(as_text=True)
    # both words match "Hoàng Hôn ... giãn" too, but the phrase as typed comes first
    assert html.index("Karaoke Hoàng Gia") < html.index("Hoàng Hôn")
    assert "Karaoke Hoàng Gia" not in client.get("/venues?q=song+bien").get_data(as_text=True)
    assert "Karaoke Hoàng Gia" not in client.get("/venues?q=50%25").get_data(as_text=True)
    # the address on today's map is searched too, as the phone's offline list does: "phan
    # thiet" finds a venue of today's Phường Phan Thiết written "12 Trần Hưng Đạo"
    found = client.get("/venues?q=phan+thiet").get_data(as_text=True)
    assert "Karaoke Hoàng Gia" in found and "Hoàng Hôn" in found
    assert [v["name"] for v in client.get("/api/v1/venues?q=phuong+phan+thiet").json]
    # a search that finds nothing says what it searches and where a commune is chosen
    nothing = client.get("/venues?q=khong+co+ai").get_data(as_text=True)
    assert "choose it under Filters › Area" in nothing


def test_filters_area_sector_status(as_user, create_venue):
    create_venue(name="Karaoke Bình Hưng", lat=BINH_HUNG[0], lon=BINH_HUNG[1])
    create_venue(name="Nhà nghỉ Mũi Né", sector="lodging", lat=MUI_NE[0], lon=MUI_NE[1])
    create_venue(name="Bar Đã Đóng", sector="bar", status="closed", closed_on=date(2023, 1, 1))
    client = as_user("t_coord")

    def names(**query):
        return {
            v["name"]
            for v in client.get("/api/v1/venues", query_string={"page_size": 100, **query}).json
        }

    assert {"Karaoke Bình Hưng", "Nhà nghỉ Mũi Né"} <= names(area="593")
    assert "Nhà nghỉ Mũi Né" in names(area="22915") and "Karaoke Bình Hưng" not in names(
        area="22915"
    )
    assert "Karaoke Bình Hưng" not in names(area="594")
    assert names(sector="lodging", q="mui ne") == {"Nhà nghỉ Mũi Né"}
    assert "Bar Đã Đóng" in names(status="closed") and "Bar Đã Đóng" not in names(status="open")
    r = client.get("/api/v1/venues?area=99999")
    assert r.status_code == 404
    assert client.get("/api/v1/venues?sector=casino").status_code == 422


def test_inspected_or_never_inspected_in_a_period(as_user, create_venue, create_inspection):
    done = create_venue(name="Karaoke Đã Kiểm Tra")
    draft = create_venue(name="Karaoke Chỉ Nháp")
    old = create_venue(name="Karaoke Kiểm Tra Năm Trước")
    create_inspection(done, on=date(2024, 5, 2), status="submitted")
    create_inspection(draft, on=date(2024, 5, 2), status="draft")  # drafts never count
    create_inspection(old, on=date(2023, 12, 30), status="submitted")
    client = as_user("t_coord")
    period = {"since": "01/01/2024", "until": "31/12/2024", "q": "karaoke", "page_size": 100}

    def names(inspected):
        r = client.get("/api/v1/venues", query_string={**period, "inspected": inspected})
        return {v["name"] for v in r.json}

    assert "Karaoke Đã Kiểm Tra" in names("yes")
    assert not {"Karaoke Chỉ Nháp", "Karaoke Kiểm Tra Năm Trước"} & names("yes")
    assert {"Karaoke Chỉ Nháp", "Karaoke Kiểm Tra Năm Trước"} <= names("no")
    assert "Karaoke Đã Kiểm Tra" not in names("no")
    page = client.get("/venues", query_string={**period, "inspected": "no"}).get_data(as_text=True)
    assert "Karaoke Chỉ Nháp" in page and "Never inspected" in page


def test_licence_expiring_or_expired(as_user, create_venue):
    today = date.today()
    for name, expires in (
        ("Karaoke Hết Hạn", today - timedelta(days=3)),
        ("Karaoke Sắp Hết Hạn", today + timedelta(days=30)),
        ("Karaoke Còn Hạn", today + timedelta(days=200)),
    ):
        venue = create_venue(name=name)
        db.session.add(
            VenueLicence(
                venue_id=venue.id, kind="fire_safety", number=name[-6:], expires_on=expires
            )
        )
    db.session.flush()
    client = as_user("t_coord")
    names = {v["name"] for v in client.get("/api/v1/venues?expiring=true&page_size=100").json}
    assert {"Karaoke Hết Hạn", "Karaoke Sắp Hết Hạn"} <= names and "Karaoke Còn Hạn" not in names
    names = {v["name"] for v in client.get("/api/v1/venues?expiring=true&days=365").json}
    assert "Karaoke Còn Hạn" in names
    page = client.get("/venues?expiring=1&q=karaoke").get_data(as_text=True)
    assert "Karaoke Sắp Hết Hạn" in page and "Karaoke Còn Hạn" not in page


def test_near_me_sorts_by_metres_computed_in_the_database(as_user, create_venue):
    here = (10.9300, 108.1000)
    spots = {
        "Karaoke Gần": (10.9303, 108.1002),
        "Karaoke Vừa": (10.9330, 108.1040),
        "Karaoke Xa": (10.9400, 108.1200),
    }
    for name, (lat, lon) in spots.items():
        create_venue(name=name, lat=lat, lon=lon)
    create_venue(
        name="Karaoke Đóng Gần",
        lat=10.9301,
        lon=108.1001,
        status="closed",
        closed_on=date(2024, 1, 1),
    )
    client = as_user("t_insp")
    page = client.get("/venues/near", query_string={"lat": here[0], "lon": here[1]}).get_data(
        as_text=True
    )
    page = page[page.index('id="near-list"') :]
    assert page.index("Karaoke Gần") < page.index("Karaoke Vừa") < page.index("Karaoke Xa")
    assert "Karaoke Đóng Gần" not in page  # near me lists open venues
    expected = round(distance_m(*here, *spots["Karaoke Gần"]))
    assert f'<span class="venue-distance">{expected} m</span>' in page
    api = client.get("/api/v1/venues", query_string={"near": "10.93,108.10", "page_size": 3}).json
    assert [v["name"] for v in api[:1]] == ["Karaoke Đóng Gần"]  # the API sorts every status
    for v in api:
        lat, lon = v["latitude"], v["longitude"]
        assert v["distance_m"] == pytest.approx(distance_m(*here, lat, lon), rel=0.01, abs=1)
    assert client.get("/venues/near?at=somewhere").status_code == 422


def test_near_me_respects_the_area(as_user, create_venue):
    create_venue(name="Karaoke La Gi Gần", lat=LA_GI[0], lon=LA_GI[1])
    page = as_user("t_insp").get("/venues/near", query_string={"at": f"{LA_GI[0]}, {LA_GI[1]}"})
    assert "Karaoke La Gi Gần" not in page.get_data(as_text=True)


def test_api_pagination_and_openapi(as_user, token_for, create_venue, client):
    for i in range(3):
        create_venue(name=f"Spa Trang {i}", sector="spa_sauna")
    r = client.get("/api/v1/venues?q=spa trang&page_size=2", headers=token_for("t_review"))
    assert r.status_code == 200 and len(r.json) == 2
    assert '"total": 3' in r.headers["X-Pagination"]
    spec = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/venues", "/api/v1/venues/{venue_id}"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/v1/venues"]["get"]["parameters"]}
    assert {"q", "area", "sector", "status", "near", "page", "page_size"} <= params


def test_totals_stop_counting_at_the_cap(as_user, create_venue, monkeypatch):
    from inspections.venues import queries

    for i in range(4):
        create_venue(name=f"Bar Đếm {i}", sector="bar")
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(queries.count, "__defaults__", (3,))
    client = as_user("t_coord")
    html = client.get("/venues?q=bar dem").get_data(as_text=True)
    assert "more than 3 venues" in html
    r = client.get("/api/v1/venues?q=bar dem&page_size=2")
    assert '"total": 3' in r.headers["X-Pagination"] and r.headers["X-Total-Relation"] == "gte"
    monkeypatch.setattr(queries.count, "__defaults__", (10,))
    r = client.get("/api/v1/venues?q=bar dem&page_size=2")
    assert '"total": 4' in r.headers["X-Pagination"] and "X-Total-Relation" not in r.headers
