"""The violation register: filters, totals, sorting, exports, scope, bad filters."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from inspections.audit.models import AuditEvent
from inspections.clock import today
from inspections.extensions import db

LA_GI = (10.6600, 107.7700)  # district 594


def _setup(create_venue, record_violation):
    pt = create_venue(name="Karaoke Biển Xanh", lat=10.9290, lon=108.1020)
    massage = create_venue(name="Massage Hoa Sen", lat=10.9300, lon=108.1030, sector="massage")
    lagi = create_venue(name="Karaoke La Gi", lat=LA_GI[0], lon=LA_GI[1])
    record_violation(pt, date(2024, 3, 1), fine=15_000_000)
    record_violation(pt, date(2024, 6, 1), fine=20_000_000, offender="organisation")
    record_violation(
        massage,
        date(2024, 9, 1),
        code="ND144-2021-D26-1",
        fine=None,
        remedy="Gỡ chốt cửa",
        deadline=date(2024, 9, 15),
    )
    record_violation(lagi, date(2024, 5, 1), fine=30_000_000)
    # neither a draft's nor a cancelled inspection's violations count
    record_violation(pt, date(2024, 7, 1), status="draft")
    record_violation(pt, date(2024, 8, 1), status="cancelled")
    return pt, massage, lagi


def test_api_filters_totals_sorting_and_pages(as_user, client, create_venue, record_violation):
    _setup(create_venue, record_violation)
    as_user("t_review")

    def get(**params):
        r = client.get("/api/v1/violations", query_string=params)
        assert r.status_code == 200, r.json
        return r

    r = get()
    assert [v["venue_name"] for v in r.json][:2] == ["Massage Hoa Sen", "Karaoke Biển Xanh"]
    assert '"total": 4' in r.headers["X-Pagination"]
    assert r.headers["X-Total-Fines-VND"] == str(65_000_000)
    assert r.json[0]["remedy_status"] == "overdue"
    assert r.json[1]["legal_basis"].startswith("Decree 38/2021")
    assert {v["venue_name"] for v in get(area="593").json} == {
        "Karaoke Biển Xanh",
        "Massage Hoa Sen",
    }
    assert len(get(sector="massage").json) == 1
    assert len(get(agency="police").json) == 0
    assert len(get(decree="38/2021/NĐ-CP").json) == 3
    assert len(get(article=26).json) == 1
    assert len(get(code="ND144-2021-D26-1").json) == 1
    assert [v["fine_vnd"] for v in get(offender="organisation").json] == [20_000_000]
    assert {v["fine_vnd"] for v in get(fine_min=16_000_000, fine_max=25_000_000).json} == {
        20_000_000
    }
    assert len(get(remedy="overdue").json) == 1 and len(get(remedy="none").json) == 3
    assert len(get(remedy="remedied").json) == 0
    assert len(get(paid="no").json) == 3 and len(get(paid="yes").json) == 0
    assert len(get(start="2024-05-01", end="2024-06-30").json) == 2
    assert [v["fine_vnd"] for v in get(sort="fine_desc").json][:2] == [30_000_000, 20_000_000]
    page2 = get(page=2, page_size=3)
    assert len(page2.json) == 1
    assert client.get("/api/v1/violations/totals", query_string={"area": "593"}).json == {
        "count": 3,
        "fines_vnd": 35_000_000,
    }


def test_bad_filters_are_refused_with_messages(as_user, client):
    as_user("t_review")
    for params, field in (
        ({"fine_min": 5, "fine_max": 1}, "fine_max"),
        ({"start": "2024-05-01", "end": "2024-01-01"}, "end"),
        ({"sector": "casino"}, "sector"),
        ({"sort": "random"}, "sort"),
        ({"start": "31/02/2024"}, "start"),
        ({"area": "99999"}, "area"),
    ):
        r = client.get("/api/v1/violations", query_string=params)
        assert r.status_code == 422, params
        assert field in str(r.json), (params, r.json)
        page = client.get("/violations", query_string=params)
        assert page.status_code == 422, params
        assert "Please correct the marked fields." in page.get_data(as_text=True)
    html = client.get("/violations?fine_min=5&fine_max=1").get_data(as_text=True)
    assert "The maximum fine is below the minimum." in html


def test_register_page_cards_table_and_district_scope(
    as_user, client, create_venue, record_violation
):
    pt, _massage, _lagi = _setup(create_venue, record_violation)
    as_user("t_insp")
    html = client.get("/violations").get_data(as_text=True)
    assert "3 violations, fines totalling 35,000,000 ₫" in html
    assert "Karaoke La Gi" not in html
    assert 'class="cards d-lg-none"' in html and "register-table" in html
    as_user("t_insp_lagi")
    html = client.get("/violations").get_data(as_text=True)
    assert "1 violations, fines totalling 30,000,000 ₫" in html and "Karaoke La Gi" in html
    vid = record_violation(pt, date(2024, 10, 1)).id
    assert client.get(f"/violations/{vid}").status_code == 404
    assert client.get(f"/api/v1/violations?venue={pt.id}").json == []


def test_exports_csv_and_xlsx_with_the_filters_and_audited(
    as_user, client, create_venue, record_violation
):
    _setup(create_venue, record_violation)
    as_user("t_review")
    r = client.get("/violations/export?format=csv&area=593&sort=oldest&agency=&code=")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Inspected on", "Venue"]
    assert [row[2] for row in rows[1:]] == [
        "Karaoke Biển Xanh",
        "Karaoke Biển Xanh",
        "Massage Hoa Sen",
    ]
    assert rows[1][1] == "01/03/2024" and rows[1][11] == "15000000"
    r = client.get("/api/v1/violations/export?format=xlsx&sector=massage")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.get_data())).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert len(values) == 2 and values[1][2] == "Massage Hoa Sen"
    assert values[1][14] == "overdue"
    exports = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "export")
    ).all()
    # the filters that were set, not the form's empty fields
    assert "csv: 3 violations (area=593, sort=oldest)" in exports
    assert any("API xlsx: 1 violations" in s for s in exports)
    as_user("t_insp")  # no export permission
    assert client.get("/violations/export?format=csv").status_code == 403
    assert client.get("/api/v1/violations/export?format=csv").status_code == 403
    as_user("t_review")
    assert client.get("/violations/export?format=csv&fine_min=-1").status_code == 422


def test_recent_violations_are_in_the_register(as_user, client, create_venue, record_violation):
    venue = create_venue()
    day = today()
    record_violation(venue, day - timedelta(days=2))
    as_user("t_review")
    r = client.get("/api/v1/violations", query_string={"start": day - timedelta(days=3)})
    assert len(r.json) == 1
