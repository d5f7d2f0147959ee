"""Pages: who reads reports, the nav link, the plan's standing agency and its indicators."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from inspections.coverage.models import Plan
from inspections.extensions import db
from inspections.reports.models import Indicator
from tests.conftest import csrf_token, login

WINDOW = "report:2024-Y"


def test_who_reads_reports_and_sees_the_link(client, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    for user, status in (
        ("t_coord", 200),
        ("t_review", 200),
        ("t_viewer", 200),
        ("t_admin", 200),
        ("t_insp", 403),
    ):
        login(client, user)
        assert client.get("/reports").status_code == status, user
        assert client.get(f"/reports/{WINDOW}").status_code == status, user
        home = client.get("/").get_data(as_text=True)
        assert ('href="/reports"' in home) == (status == 200), user
    # a window's name starts its card's heading with a capital, as a heading does
    login(client, "t_coord")
    client.set_cookie("lang", "vi")
    calendar = client.get("/reports").get_data(as_text=True)
    assert '<h2 class="h6 mb-1">Quý I năm 2024' in calendar
    assert '<h2 class="h6 mb-1">quý' not in calendar
    client.set_cookie("lang", "en")
    # a district viewer reads its district by default, not the province
    login(client, "t_viewer")
    page = client.get(f"/reports/{WINDOW}").get_data(as_text=True)
    assert "Thành phố Phan Thiết" in page and 'id="rep-send"' not in page
    assert client.get(f"/reports/{WINDOW}?area=60").status_code == 404
    assert client.get(f"/reports/{WINDOW}?area=594").status_code == 404
    assert client.get("/reports/report:2024-Q7").status_code == 404
    # documents of the computed report
    for fmt, start in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        r = client.get(f"/reports/{WINDOW}/document.{fmt}")
        assert r.status_code == 200 and r.data.startswith(start), fmt
        assert "attachment" in r.headers["Content-Disposition"]
    assert client.get(f"/reports/{WINDOW}/document.csv").status_code == 404


def test_a_window_not_over_cannot_be_sent_from_the_page(client, province, fixed_today):
    fixed_today(date(2024, 11, 1))
    login(client, "t_coord")
    html = client.get(f"/reports/{WINDOW}?area=60").get_data(as_text=True)
    assert 'id="rep-not-over"' in html and 'id="rep-send"' not in html


def test_the_plan_names_its_standing_agency(client):
    login(client, "t_coord")
    page = client.get("/coverage/plans/new").get_data(as_text=True)
    # a plan entered now (December 2026) reports to the Department of Health
    assert '<option value="health" selected' in page
    token = csrf_token(client, "/coverage/plans/new")
    form = {
        "csrf_token": token,
        "number": "99/KH-UBND",
        "year": "2026",
        "issued_on": "2026-02-10",
        "issuer": "Ủy ban nhân dân tỉnh Lâm Đồng",
        "standing_agency": "",
        "standing_agency_name": "Sở Y tế tỉnh Lâm Đồng",
        "place_name": "Đà Lạt",
    }
    # the Department of Labour had ended by then (Agency.valid_to)
    refused = client.post("/coverage/plans/new", data={**form, "standing_agency": "labour"})
    assert refused.status_code == 422 and "did not exist" in refused.get_data(as_text=True)
    assert client.post("/coverage/plans/new", data=form).status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.number == "99/KH-UBND"))
    assert plan.standing_agency.code == "health"
    assert plan.standing_agency_title == "Sở Y tế tỉnh Lâm Đồng" and plan.place_name == "Đà Lạt"
    listing = client.get("/coverage/plans").get_data(as_text=True)
    assert "Sở Y tế tỉnh Lâm Đồng" in listing
    # its indicators: copied from the 2024 plan, then changed
    page = client.get(f"/reports/plans/{plan.id}").get_data(as_text=True)
    assert "no indicators yet" in page
    # the report of its year says so rather than showing an empty table
    report = client.get("/reports/report:2026-Q1").get_data(as_text=True)
    assert 'id="rep-no-indicators"' in report and 'id="rep-indicators"' not in report
    old = db.session.scalar(select(Plan.id).where(Plan.number == "1227/KH-UBND"))
    token = csrf_token(client, f"/reports/plans/{plan.id}")
    r = client.post(f"/reports/plans/{plan.id}/copy", data={"csrf_token": token, "source": old})
    assert r.status_code == 303
    copied = list(db.session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)))
    assert len(copied) == 17
    coverage = next(i for i in copied if i.code == "coverage")
    assert coverage.kind == "computed" and coverage.source == "coverage"
    r = client.post(f"/reports/plans/{plan.id}/copy", data={"csrf_token": token, "source": old})
    assert "already has indicators" in client.get(r.headers["Location"]).get_data(as_text=True)
    item = next(i for i in copied if i.code == "pilot_models")
    url = f"/reports/plans/{plan.id}/indicators/{item.id}"
    form = {
        "csrf_token": token,
        "text_vi": item.text_vi,
        "text_en": item.text_en,
        "numerator_vi": item.numerator_vi,
        "numerator_en": item.numerator_en,
        "denominator_vi": item.denominator_vi,
        "denominator_en": item.denominator_en,
        "target_pct": "10",
        "level": "commune",
        "compare": "share",
    }
    assert client.post(url, data=form).status_code == 303
    db.session.refresh(item)
    assert (item.target_pct, item.level) == (10, "commune")
    assert client.post(url, data={**form, "level": "ward"}).status_code == 422
    new = f"/reports/plans/{plan.id}/indicators/new"
    assert client.post(new, data={**form, "code": "outreach"}).status_code == 303
    assert client.post(new, data={**form, "code": "outreach"}).status_code == 422
    # a district coordinator changes no province-wide plan
    login(client, "t_coord_pt")
    assert client.get(f"/reports/plans/{plan.id}").status_code == 403


def test_the_pages_in_vietnamese(client, province, fixed_today):
    """Vietnamese first: every report page renders in the default language."""
    fixed_today(date(2025, 1, 10))
    login(client, "t_coord")
    client.set_cookie("lang", "vi")
    plan = db.session.scalar(select(Plan.id).where(Plan.number == "1227/KH-UBND"))
    for url, words in (
        (f"/reports/{WINDOW}?area=60", "Kết quả công tác phòng, chống mại dâm năm 2024"),
        ("/reports?plan=1227/KH-UBND", "Báo cáo định kỳ"),
        (f"/reports/{WINDOW}/values?area=60", "Số liệu của Tỉnh Bình Thuận"),
        (f"/reports/plans/{plan}", "Chỉ tiêu của kế hoạch 1227/KH-UBND"),
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert words in r.get_data(as_text=True), url
