"""The API's refusals, the page with its folium map under the CSP, downloads, plans."""

from __future__ import annotations

import json
import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspections.audit.models import AuditEvent
from inspections.coverage import periods, plans
from inspections.coverage.models import Plan
from inspections.extensions import db
from tests.conftest import csrf_token
from tests.coverage.test_rule import point_in
from tests.test_app import CDN

URL = re.compile(r"https?://[^\s\"'<>)]+")


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("period=2024-Q9", "period", "report:2024-9M"),
        ("start=2024-05-02&end=2024-05-01", "end", "after"),
        ("start=2010-01-01&end=2024-12-31", "end", "10 years"),
        ("start=2024-05-02", "end", "both"),
        ("period=2024&level=ward", "level", "district, commune"),
        ("period=2024&sector=casino", "sector", "karaoke"),
        ("period=2024&level=district&start=2024-13-01&end=2024-12-01", "start", ""),
    ],
)
def test_api_refuses_bad_input_with_422(as_user, query, field, words):
    for path in ("/api/v1/coverage", "/api/v1/coverage.geojson"):
        r = as_user("t_coord").get(f"{path}?{query}")
        assert r.status_code == 422, (path, query)
        assert field in r.json["errors"]
        assert words in " ".join(r.json["errors"][field])


def test_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/coverage",
        "/api/v1/coverage.geojson",
        "/api/v1/coverage/venues",
        "/api/v1/coverage/next",
    ):
        assert path in paths
    params = {p["name"] for p in paths["/api/v1/coverage"]["get"]["parameters"]}
    assert {"period", "start", "end", "level", "sector", "by_sector"} <= params


def test_bearer_token_and_anonymous(client, token_for):
    assert client.get("/api/v1/coverage").status_code == 401
    r = client.get("/api/v1/coverage?period=2024", headers=token_for("t_review"))
    assert r.status_code == 200 and r.json["period"]["start"] == "2024-01-01"


def _page(client, create_venue, create_inspection, query="period=2024"):
    lat, lon = point_in("593")
    v = create_venue(name="Karaoke <b>Sao</b> Mai", lat=lat, lon=lon)
    create_inspection(v, on=date(2024, 3, 3))
    r = client.get(f"/coverage?{query}")
    assert r.status_code == 200
    return r, r.get_data(as_text=True)


def test_page_renders_the_map_from_vendored_files_under_the_csp(
    as_user, create_venue, create_inspection
):
    client = as_user("t_coord")
    r, html = _page(client, create_venue, create_inspection)
    assert not CDN.search(html)
    assert URL.findall(html) == []  # TILE_URL is empty in tests: no outside address at all
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.css" in html
    assert "/static/vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js" in html
    assert "/static/vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css" in html
    assert "L.markerClusterGroup" in html and "L.geoJson" in html and "L.control.layers" in html
    assert "L.control.scale({ imperial: false })" in html  # kilometres only, no miles
    nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"])[1]
    tags = re.findall(r"<script\b[^>]*>", html)
    inline = [t for t in tags if "src=" not in t]
    assert inline and all(f'nonce="{nonce}"' in t for t in inline)
    assert " onclick=" not in html and "javascript:" not in html
    # the venue name travels as JSON data, escaped, never as markup
    assert "<b>Sao</b>" not in html
    assert "below target" in html and "meets target" in html and "no venues" in html
    assert "Coverage against the target (20 %)" in html
    assert "Boundaries are approximate (demo)." in html
    assert "1/1" in html  # the label of Phan Thiết: inspected / in scope


def test_page_with_tiles_names_only_the_tile_server(
    app, as_user, create_venue, create_inspection, monkeypatch
):
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    monkeypatch.setitem(app.config, "TILE_URL", tiles)
    _r, html = _page(as_user("t_coord"), create_venue, create_inspection)
    assert set(URL.findall(html)) == {tiles}


def test_page_errors_and_commune_level(as_user, create_venue, create_inspection):
    client = as_user("t_viewer")
    r = client.get("/coverage?period=2024-Q7")
    assert r.status_code == 422 and "Accepted: 2024" in r.get_data(as_text=True)
    _r, html = _page(client, create_venue, create_inspection, "period=report:2024-Y&level=commune")
    assert "15/12/2023 – 14/12/2024" in html
    custom = client.get("/coverage?period=custom&start=2024-02-01&end=2024-02-29")
    assert custom.status_code == 200 and "01/02/2024 – 29/02/2024" in custom.get_data(as_text=True)
    # the viewer may not download
    assert client.get("/coverage/export.xlsx?period=2024").status_code == 403


def test_area_page_lists_and_next(as_user, create_venue, create_inspection):
    lat, lon = point_in("593")
    seen = create_venue(name="Đã kiểm tra", lat=lat, lon=lon)
    create_inspection(seen, on=date(2024, 2, 2))
    never = create_venue(name="Chưa bao giờ", lat=lat, lon=lon)
    client = as_user("t_insp")
    html = client.get("/coverage/areas/593?period=2024&figure=never_inspected").get_data(
        as_text=True
    )
    assert "Chưa bao giờ" in html and "Đã kiểm tra" not in html
    from inspections.coverage.periods import parse_key
    from inspections.coverage.plans import plan_for

    baseline = plan_for(parse_key("2024")).baseline_on  # "never" is counted from it
    assert baseline is not None and f"not inspected since {baseline:%d/%m/%Y}" in html
    nxt = client.get(f"/coverage/areas/593?period=2024-Q3&lat={lat}&lon={lon}").get_data(
        as_text=True
    )
    assert "Inspect 1 more venues" in nxt and "Chưa bao giờ" in nxt and " m</span>" in nxt
    assert never.id


def test_xlsx_has_vietnamese_headers_the_same_numbers_and_is_audited(
    as_user, create_venue, create_inspection
):
    lat, lon = point_in("593")
    for i in range(4):
        v = create_venue(name=f"X{i}", lat=lat, lon=lon)
        if i == 0:
            create_inspection(v, on=date(2024, 5, 5))
    client = as_user("t_coord")
    r = client.get("/coverage/export.xlsx?period=2024&by_sector=1")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    wb = load_workbook(BytesIO(r.data))
    ws = wb["Tỷ lệ kiểm tra"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Mã ĐVHC")
    assert rows[header][2] == "Số cơ sở thuộc phạm vi"
    data = {row[0]: row for row in rows[header + 1 :]}
    assert data["593"][2:7] == (4, 1, 25.0, 20.0, "Đạt")
    assert data["594"][4] == "không có cơ sở"
    head = header + 1  # 1-based row of the header
    assert ws.freeze_panes == f"C{head + 1}" and ws["A1"].font.b and ws["A1"].font.sz == 13
    assert ws[f"A{head}"].font.b and ws[f"A{head}"].fill.fgColor.rgb == "00DDEBF7"
    assert ws.column_dimensions["B"].width == 28 and ws.column_dimensions["C"].width == 14
    pt = next(row for row in ws.iter_rows(min_row=head + 1) if row[0].value == "593")
    assert pt[4].number_format == "0.0" and pt[2].number_format == "General"
    assert all(cell.font.b for cell in ws[ws.max_row])  # the totals
    assert "Theo ngành nghề" in wb.sheetnames
    api = client.get("/api/v1/coverage?period=2024").json
    assert api["totals"]["venues_in_scope"] == rows[-1][2] == 4
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "export", AuditEvent.object_type == "coverage"
        )
    ).all()
    assert len(events) == 1 and "XLSX" in events[0].summary


def test_standalone_map_file_works_offline(as_user, create_venue, create_inspection):
    lat, lon = point_in("593")
    create_venue(name="Karaoke Một", lat=lat, lon=lon)
    r = as_user("t_coord").get("/coverage/map.html?period=2024")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert not CDN.search(html)
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "L.markerClusterGroup" in html and "L.map(" in html
    assert "url(data:image/png;base64," in html  # leaflet's control images inlined


def test_plans_seeded_chosen_by_year_and_managed(as_user):
    seeded = db.session.scalar(select(Plan).where(Plan.number == "1227/KH-UBND"))
    assert seeded.year == 2024 and seeded.issued_on == date(2024, 4, 5)
    assert seeded.issuer == "Ủy ban nhân dân tỉnh Bình Thuận" and "57/KH-UBND" in seeded.programme
    assert float(seeded.coverage_target_pct) == 20 and float(seeded.tips_target_pct) == 100
    assert seeded.baseline_on == date(2021, 1, 1)
    # a period of 2026 uses the latest plan before it; 2023 has none: defaults
    assert plans.plan_for(periods.parse("2026")).plan.number == "1227/KH-UBND"
    none = plans.plan_for(periods.parse("2023"))
    assert none.plan is None and float(none.coverage_pct) == 20 and none.baseline_on is None
    client = as_user("t_coord")
    token = csrf_token(client, "/coverage/plans/new")
    form = {
        "csrf_token": token,
        "number": "99/KH-UBND",
        "year": "2025",
        "issuer": "Ủy ban nhân dân tỉnh Bình Thuận",
        "coverage_target_pct": "25",
        "baseline_on": "2021-01-01",
    }
    r = client.post("/coverage/plans/new", data=form)
    assert r.status_code == 302
    plan = plans.plan_for(periods.parse("2025"))
    assert plan.plan.number == "99/KH-UBND" and float(plan.coverage_pct) == 25
    assert float(plan.tips_pct) == 100  # the default
    dup = client.post("/coverage/plans/new", data={**form, "number": "100/KH-UBND"})
    assert dup.status_code == 422 and "Another plan already has this year" in dup.get_data(
        as_text=True
    )
    body = client.get("/api/v1/coverage?period=2025").json
    assert body["plan"]["number"] == "99/KH-UBND" and body["target_pct"] == 25.0


PHAN_THIET = {"code": "593", "name": "Thành phố Phan Thiết"}


def _figures(in_scope: int, inspected: int, pct: float, meets: bool, needed: int, **more):
    """The JSON of one area's figures (ever inspected = inspected in this scenario)."""
    return {
        **PHAN_THIET,
        "venues_in_scope": in_scope,
        "venues_inspected": inspected,
        "coverage_pct": pct,
        "target_pct": 20.0,
        "meets_target": meets,
        "venues_ever_inspected": inspected,
        "ever_inspected_pct": pct,
        "never_inspected": in_scope - inspected,
        "needed": needed,
        **more,
    }


def test_the_answers_keep_their_exact_form(as_user, create_venue, create_inspection):
    """The figure set and its GeoJSON, dumped by the schemas, byte for byte as before (key
    order, Vietnamese unescaped, null for no sector)."""
    lat, lon = point_in("593")
    create_inspection(create_venue(name="Sao Mai", lat=lat, lon=lon), on=date(2024, 2, 2))
    create_venue(name="Hoa Sen", lat=lat, lon=lon, sector="massage")
    client = as_user("t_insp")
    sectors = {
        "karaoke": _figures(1, 1, 100.0, True, 0),
        "massage": _figures(1, 0, 0.0, False, 1),
    }
    expected = {
        "period": {"start": "2024-01-01", "end": "2024-12-31", "key": "2024"},
        "plan": {
            "number": "1227/KH-UBND",
            "year": 2024,
            "issued_on": "2024-04-05",
            "issuer": "Ủy ban nhân dân tỉnh Bình Thuận",
            "programme": "Kế hoạch số 57/KH-UBND thực hiện Chương trình phòng, chống mại dâm "
            "giai đoạn 2021–2025",
            "coverage_target_pct": 20.0,
            "baseline_on": "2021-01-01",
            "tips_target_pct": 100.0,
        },
        "target_pct": 20.0,
        "baseline_on": "2021-01-01",
        "level": "district",
        "as_of": "2024-12-31",  # the map the rows are cut by: the period's last day
        "sector": None,
        "approximate_boundaries": True,
        "rows": [_figures(2, 1, 50.0, True, 0, sectors=sectors)],
        "totals": _figures(2, 1, 50.0, True, 0, sectors=sectors),
    }
    r = client.get("/api/v1/coverage?period=2024&by_sector=true")
    assert r.mimetype == "application/json"
    # compact, key order kept, Vietnamese unescaped (encoded by orjson)
    assert r.get_data(as_text=True) == json.dumps(
        expected, ensure_ascii=False, separators=(",", ":")
    )
    geo = client.get("/api/v1/coverage.geojson?period=2024-Q1")
    assert geo.mimetype == "application/geo+json"
    fc = geo.json
    assert list(fc) == ["type", "features", "period", "target_pct", "plan"]
    assert (fc["type"], fc["period"], fc["target_pct"], fc["plan"]) == (
        "FeatureCollection",
        {"start": "2024-01-01", "end": "2024-03-31"},
        20.0,
        "1227/KH-UBND",
    )
    (feature,) = fc["features"]
    assert list(feature) == ["type", "id", "properties", "geometry"]
    assert (feature["type"], feature["id"]) == ("Feature", "593")
    assert list(feature["properties"].items()) == list(
        _figures(2, 1, 50.0, True, 0, status="meets", approximate_boundary=True).items()
    )


def test_rows_dumped_by_the_compiled_dumper_equal_marshmallows(create_venue, create_inspection):
    """FigureRows dumps each row with a function compiled from the row schema's fields: the
    same dicts as marshmallow's dump, rows without venues (nulls) and sectors included."""
    from inspections.accounts.services import Scope
    from inspections.coverage import periods, rule
    from inspections.coverage.schemas import FiguresWithSectorsOut, compiled_dumper

    lat, lon = point_in("593")
    create_inspection(create_venue(name="Sao Mai", lat=lat, lon=lon), on=date(2026, 2, 2))
    create_venue(name="Hoa Sen", lat=lat, lon=lon, sector="massage")
    schema = FiguresWithSectorsOut()
    dump = compiled_dumper(schema)
    assert dump is not None and compiled_dumper(FiguresWithSectorsOut(only=("code",))) is None
    for by_sector in (False, True):
        cov = rule.coverage(
            periods.parse_key("2026"), "commune", scope=Scope(), by_sector=by_sector
        )
        assert len(cov.rows) == 45 and any(r.in_scope == 0 for r in cov.rows)
        for row in [*cov.rows, cov.totals]:
            assert json.dumps(dump(row)) == json.dumps(schema.dump(row))
