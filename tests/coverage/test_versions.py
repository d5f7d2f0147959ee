"""Coverage on each administrative map: the same rule and totals, rows cut by the map of as_of.

Venues (karaoke, opened 2019) at the seats of former communes:
  H Hàm Tiến (22918 before, → Phường Mũi Né 22918)  inspected 10/03/2024 and 05/05/2026
  M Mũi Né (22915, → Phường Mũi Né)                  never inspected
  T Thiện Nghiệp (22957, → Phường Mũi Né)            inspected 01/09/2026
  L Tân An (23235 before, La Gi → Phường La Gi 23235) inspected 20/06/2024
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from inspections import clock
from inspections.accounts.services import Scope
from inspections.areas.models import Area
from inspections.areas.services import get_area
from inspections.coverage import lists, periods, rule
from inspections.errors import Invalid
from inspections.extensions import db

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)
Y2024, Y2026 = periods.parse_key("2024"), periods.parse_key("2026")


@pytest.fixture
def venues(create_venue, create_inspection):
    def at(name: str, code: str):
        seat = get_area(code, as_of=BEFORE)
        return create_venue(name=name, lat=seat.ref_lat, lon=seat.ref_lon)

    v = {"H": at("H", "22918"), "M": at("M", "22915"), "T": at("T", "22957")}
    v["L"] = at("L", "23235")
    create_inspection(v["H"], on=date(2024, 3, 10))
    create_inspection(v["H"], on=date(2026, 5, 5))
    create_inspection(v["T"], on=date(2026, 9, 1))
    create_inspection(v["L"], on=date(2024, 6, 20))
    assert {x.commune_2025.code for x in v.values()} == {"22918", "23235"}
    return v


def totals(cov) -> tuple[int, int, int]:
    t = cov.totals
    return t.in_scope, t.inspected, t.ever_inspected


def test_each_map_cuts_the_same_venues_into_its_own_units(venues):
    by_district = rule.coverage(Y2024, scope=Scope())  # default: the period's last day
    assert (by_district.level, by_district.as_of) == ("district", date(2024, 12, 31))
    rows = {r.code: r for r in by_district.rows}
    assert (rows["593"].in_scope, rows["593"].inspected) == (3, 1)
    assert by_district.totals.code == "60"
    former = rule.coverage(Y2024, "commune", scope=Scope())
    assert len(former.rows) == 121
    recut = rule.coverage(Y2024, "commune", scope=Scope(), as_of=AFTER)
    assert recut.totals.code == "68" and len(recut.rows) == 45
    mui_ne = next(r for r in recut.rows if r.code == "22918")
    assert (mui_ne.name, mui_ne.in_scope, mui_ne.inspected) == ("Phường Mũi Né", 3, 1)
    ham_tien = next(r for r in former.rows if r.code == "22918")
    assert (ham_tien.name, ham_tien.in_scope, ham_tien.inspected) == ("Phường Hàm Tiến", 1, 1)
    by_province = rule.coverage(Y2024, "province", scope=Scope())
    assert [(r.code, r.in_scope) for r in by_province.rows] == [("60", 4)]
    # the rule does not change with the map: the totals agree
    assert len({totals(c) for c in (by_district, former, recut, by_province)}) == 1
    today = rule.coverage(Y2026, scope=Scope())
    assert (today.level, today.totals.code) == ("commune", "68")
    assert {r.code for r in today.rows if r.in_scope} == {"22918", "23235"}
    as_former = rule.coverage(Y2026, "district", scope=Scope(), as_of=BEFORE)
    by_68 = rule.coverage(Y2026, "province", scope=Scope())
    assert [r.code for r in by_68.rows] == ["68"]
    assert totals(today) == totals(as_former) == totals(by_68) == (4, 2, 3)


def test_districts_after_the_reorganisation_are_refused_with_the_way_back(venues):
    with pytest.raises(Invalid) as exc:
        rule.coverage(Y2026, "district", scope=Scope())
    assert exc.value.field == "level" and "as_of=2025-06-30" in exc.value.message
    assert "202/2025/QH15" in exc.value.message
    for bad in (date(1974, 12, 31), clock.today() + timedelta(days=400)):
        with pytest.raises(Invalid) as exc:
            rule.coverage(Y2024, scope=Scope(), as_of=bad)
        assert exc.value.field == "as_of"


def test_api_by_version(venues, as_user):
    client = as_user("t_coord")
    body = client.get("/api/v1/coverage?period=2026").json
    assert (body["level"], body["as_of"], body["totals"]["code"]) == ("commune", "2026-12-31", "68")
    assert len(body["rows"]) == 45
    assert body["totals"]["venues_in_scope"] == 4
    old = client.get("/api/v1/coverage?period=2024&level=commune").json
    assert old["as_of"] == "2024-12-31" and len(old["rows"]) == 121
    recut = client.get("/api/v1/coverage?period=2024&level=commune&as_of=2025-07-01").json
    assert {r["code"]: r["name"] for r in recut["rows"]}["22918"] == "Phường Mũi Né"
    assert recut["totals"]["venues_in_scope"] == old["totals"]["venues_in_scope"] == 4
    refused = client.get("/api/v1/coverage?period=2026&level=district")
    assert refused.status_code == 422
    assert "as_of=2025-06-30" in " ".join(refused.json["errors"]["level"])
    back = client.get("/api/v1/coverage?period=2026&level=district&as_of=2025-06-30").json
    assert len(back["rows"]) == 10 and back["totals"]["venues_in_scope"] == 4
    province = client.get("/api/v1/coverage?period=2026&level=province").json
    assert [r["code"] for r in province["rows"]] == ["68"]
    for bad in ("1974-12-31", (clock.today() + timedelta(days=400)).isoformat(), "2024-13-01"):
        r = client.get(f"/api/v1/coverage?period=2024&as_of={bad}")
        assert r.status_code == 422 and "as_of" in r.json["errors"], bad
    # the lists behind the figures read the same map
    new = client.get("/api/v1/coverage/venues?period=2026&area=22918").json
    assert new["total"] == 3
    former = client.get("/api/v1/coverage/venues?period=2026&area=22918&as_of=2025-06-30").json
    assert former["total"] == 1 and former["venues"][0]["name"] == "H"
    nxt = client.get("/api/v1/coverage/next?period=2026&area=22918").json
    assert nxt["area"]["name"] == "Phường Mũi Né" and nxt["candidates"] == 1
    # a former district keeps answering for a later period (its venues are known)
    assert client.get("/api/v1/coverage/venues?period=2026&area=593").json["total"] == 3


def test_geojson_draws_every_unit(venues, as_user):
    client = as_user("t_coord")
    fc = client.get("/api/v1/coverage.geojson?period=2026").json
    assert len(fc["features"]) == 45
    assert {f["geometry"]["type"] for f in fc["features"]} <= {"Polygon", "MultiPolygon"}
    province = client.get("/api/v1/coverage.geojson?period=2026&level=province").json
    (feature,) = province["features"]
    assert feature["id"] == "68" and feature["properties"]["approximate_boundary"] is True
    # without a polygon a unit is drawn at its point; without either it keeps no geometry
    mui_ne = db.session.get(Area, get_area("22918").id)
    mui_ne.geom = None
    db.session.flush()
    fc = client.get("/api/v1/coverage.geojson?period=2026").json
    point = next(f for f in fc["features"] if f["id"] == "22918")
    assert point["geometry"]["type"] == "Point"
    assert point["properties"]["venues_in_scope"] == 3
    mui_ne.point_lat = mui_ne.point_lon = None
    db.session.flush()
    fc = client.get("/api/v1/coverage.geojson?period=2026").json
    assert next(f for f in fc["features"] if f["id"] == "22918")["geometry"] is None
    html = client.get("/coverage?period=2026").get_data(as_text=True)
    assert "Without a boundary or a point on the map:" in html and "Phường Mũi Né" in html


def test_page_defaults_to_todays_communes_for_2026(venues, as_user):
    client = as_user("t_coord")
    r = client.get("/coverage?period=2026")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'data-code="22918"' in html and 'data-code="593"' not in html
    assert "Administrative map of 31/12/2026 (since 1/7/2025), by commune" in (html)
    assert 'value="commune" selected' in html and 'name="as_of"' in html
    old = client.get("/coverage?period=2024").get_data(as_text=True)
    assert 'data-code="593"' in old and 'value="district" selected' in old
    # "by district" on the page: the former map, which has districts, chosen for the reader
    districts = client.get("/coverage?period=2026&level=district")
    html = districts.get_data(as_text=True)
    assert districts.status_code == 200 and 'data-code="593"' in html
    assert 'value="2025-06-30" selected' in html and 'value="district" selected' in html
    assert "as_of=2025-06-30" in html  # the table's links keep the map
    refused = client.get("/coverage?period=2026&level=district&as_of=2025-07-01")  # asked for
    assert refused.status_code == 422 and "as_of=2025-06-30" in refused.get_data(as_text=True)
    back = client.get("/coverage?period=2026&level=district&as_of=2025-06-30")
    assert back.status_code == 200 and 'data-code="593"' in back.get_data(as_text=True)
    area = client.get("/coverage/areas/22918?period=2026&figure=in_scope").get_data(as_text=True)
    assert "Phường Mũi Né" in area and "formed from" in area
    assert "In scope (3)" in area
    xlsx = client.get("/coverage/export.xlsx?period=2026")
    titles = [
        row[0] for row in load_workbook(BytesIO(xlsx.data)).active.iter_rows(values_only=True)
    ]
    assert any(
        str(t).startswith("Bản đồ hành chính ngày 31/12/2026 (từ 1/7/2025), cấp xã") for t in titles
    )


def test_an_account_of_a_former_district_sees_its_venues_on_todays_map(venues, as_user):
    client = as_user("t_insp")  # home area: district 593
    body = client.get("/api/v1/coverage?period=2026").json
    assert [r["code"] for r in body["rows"]] == ["22918"]
    assert body["totals"]["code"] == "593" and body["totals"]["venues_in_scope"] == 3
    assert client.get("/api/v1/coverage/venues?period=2026&area=22918").json["total"] == 3
    assert client.get("/api/v1/coverage/venues?period=2026&area=23235").status_code == 404


def test_map_points_and_shapes_follow_the_map(venues):
    shapes = lists.area_shapes("commune", Scope(), AFTER)
    assert len(shapes) == 45
    points = lists.map_points(Y2026, scope=Scope(), level=None)
    mui_ne = get_area("22918").id
    assert sum(1 for p in points if p.area_id == mui_ne) == 3
