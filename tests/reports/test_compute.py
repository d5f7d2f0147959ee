"""The report's figures: every target of the plan, computed ones equal to their lists (the
coverage API, the register, the tips), reported ones added up, a year earlier beside them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from inspections.accounts.models import Agency
from inspections.coverage.models import Plan
from inspections.extensions import db
from inspections.reports import compute, figures, windows
from inspections.reports.models import Indicator
from inspections.reports.report import Report

WINDOW = "report:2024-Y"
TEN_TARGETS = {
    "communication_communes": 1,
    "websites_monthly": 2,
    "reach_venue_workers": 3,
    "reach_industrial_workers": 3,
    "reach_students": 3,
    "district_plans": 4,
    "integrated_programmes": 5,
    "tips_in_time": 6,
    "crimes_handled": 7,
    "coverage": 8,
    "ever_inspected": 8,
    "pilot_models": 9,
    "support_services": 10,
    "staff_trained": 11,
    "staff_trained_commune": 11,
}


def _indicators(body: dict) -> dict:
    return {i["code"]: i for i in body["indicators"]}


def test_the_2024_plan_has_its_targets_and_its_standing_agency():
    plan = db.session.scalar(select(Plan).where(Plan.number == "1227/KH-UBND"))
    found = list(db.session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)))
    targets = {i.code: i.target_no for i in found if i.target_no}
    assert targets == TEN_TARGETS
    assert {i.code for i in found if not i.target_no} == {"violations", "fines"}
    assert all(i.text_vi and i.text_en and i.numerator_vi for i in found)
    assert plan.standing_agency.code == "labour"
    assert plan.standing_agency_title == "Sở Lao động – Thương binh và Xã hội tỉnh Bình Thuận"
    labour = db.session.scalar(select(Agency).where(Agency.code == "labour"))
    assert labour.valid_on(date(2025, 2, 28)) and not labour.valid_on(date(2025, 3, 1))


def test_coverage_indicators_equal_the_coverage_api(client, province, token_for, fixed_today):
    """Province (coordinator of 60) and one district (coordinator of 593): the report's
    coverage and ever-inspected figures are the coverage API's totals for the window."""
    fixed_today(date(2025, 1, 10))
    for user, area in (("t_coord", "60"), ("t_coord_pt", "593")):
        h = token_for(user)
        cov = client.get(f"/api/v1/coverage?period={WINDOW}", headers=h).json["totals"]
        body = client.get(f"/api/v1/reports/{WINDOW}?area={area}", headers=h).json
        got = _indicators(body)
        assert body["area"]["code"] == area
        assert (got["coverage"]["numerator"], got["coverage"]["denominator"]) == (
            cov["venues_inspected"],
            cov["venues_in_scope"],
        ), user
        assert (got["ever_inspected"]["numerator"], got["ever_inspected"]["denominator"]) == (
            cov["venues_ever_inspected"],
            cov["venues_in_scope"],
        ), user
    assert (got["coverage"]["numerator"], got["coverage"]["denominator"]) == (2, 4)


def test_figures_of_the_province(client, province, token_for, fixed_today):
    fixed_today(date(2025, 1, 10))
    body = client.get(f"/api/v1/reports/{WINDOW}?area=60", headers=token_for("t_coord")).json
    got = _indicators(body)
    cov = got["coverage"]
    assert (cov["numerator"], cov["denominator"], cov["value_pct"], cov["met"]) == (
        3,
        6,
        50.0,
        True,
    )
    assert cov["target_pct"] == 20.0
    # A year earlier: one of the six venues was inspected in the 2023 window.
    assert (cov["previous_numerator"], cov["previous_denominator"]) == (1, 6)
    assert cov["change"] == round(50.0 - 16.7, 1)
    # Tips due in the window: one closed by its due day, one after it (the third is due after
    # the window's end).
    tips = got["tips_in_time"]
    assert (tips["numerator"], tips["denominator"], tips["met"]) == (1, 2, False)
    assert (got["violations"]["numerator"], got["fines"]["numerator"]) == (2, 5_000_000)
    assert got["violations"]["met"] is None and got["violations"]["value_pct"] is None
    # Reported indicators without figures: nothing achieved, units counted.
    plans_ = got["communication_communes"]
    assert plans_["numerator"] is None and plans_["met"] is None
    assert (plans_["units_reported"], plans_["units_expected"]) == (0, 10)
    tables = {t["key"]: t for t in body["tables"]}
    assert list(tables) == [
        "venues",
        "inspections",
        "teams",
        "violations",
        "fines",
        "closures",
        "repeat",
        "tips",
    ]
    venues = tables["venues"]
    # "at least once" and "never" count from the phase baseline, and their headings say so
    from inspections.reports import figures
    from inspections.reports.windows import window

    baseline = figures.targets_for(window(WINDOW).period).baseline_on
    assert baseline is not None
    headings = {c["key"]: c["label"] for c in venues["columns"]}
    for key in ("ever_inspected", "never_inspected"):
        assert headings[key].endswith(f" {baseline:%d/%m/%Y}"), headings[key]
    rows = {r["unit"]: r for r in venues["rows"]}
    assert rows["Thành phố Phan Thiết"]["in_scope"] == 4
    assert rows["Thành phố Phan Thiết"]["sector:karaoke"] == 4
    assert rows["Thị xã La Gi"]["sector:massage"] == 2
    assert venues["totals"]["in_scope"] == sum(r["in_scope"] for r in venues["rows"]) == 6
    assert tables["inspections"]["totals"]["inspections"] == 3
    fines = tables["fines"]["totals"]
    assert (fines["violations"], fines["decided"], fines["paid"], fines["unpaid"]) == (
        2,
        5_000_000,
        0,
        5_000_000,
    )
    tips_t = tables["tips"]["totals"]
    assert (tips_t["received"], tips_t["verified"], tips_t["in_time"], tips_t["overdue"]) == (
        3,
        2,
        1,
        1,
    )
    assert tables["violations"]["totals"]["violations"] == 2


def test_every_computed_figure_links_to_its_list(client, province, token_for, fixed_today):
    """The indicator's link opens the list that holds exactly its venues / violations."""
    fixed_today(date(2025, 1, 10))
    h = token_for("t_coord")
    body = client.get(f"/api/v1/reports/{WINDOW}?area=60", headers=h).json
    got = _indicators(body)
    link = got["coverage"]["link"]
    assert "/coverage/areas/60" in link and "figure=inspected" in link
    listed = client.get(
        f"/api/v1/coverage/venues?area=60&figure=inspected&period={WINDOW}", headers=h
    ).json
    assert listed["total"] == got["coverage"]["numerator"]
    assert (
        "/violations?" in got["violations"]["link"]
        and "start=2023-12-15" in got["violations"]["link"]
    )
    totals = client.get(
        "/api/v1/violations/totals?start=2023-12-15&end=2024-12-14&area=60", headers=h
    ).json
    assert totals["count"] == got["violations"]["numerator"]
    assert (
        "/tips?" in got["tips_in_time"]["link"]
        and "due_from=2023-12-15" in got["tips_in_time"]["link"]
    )
    tables = {t["key"]: t for t in body["tables"]}
    row = next(r for r in tables["venues"]["rows"] if r["unit"] == "Thành phố Phan Thiết")
    assert "/coverage/areas/593" in row["links"]["in_scope"]
    art = tables["violations"]["rows"][0]
    assert "decree=" in art["links"]["violations"] and "article=" in art["links"]["violations"]


def test_the_stored_form_gives_the_same_report(app, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    w = windows.window(WINDOW)
    area = figures.area_by_code("60", w.end)
    report = compute.build(w, area)
    again = Report.from_dict(report.to_dict())
    assert again.figures_digest() == report.figures_digest()
    assert again.table("repeat").columns[4].kind == "date"
    assert [i.met for i in again.indicators] == [i.met for i in report.indicators]


def test_a_commune_report_has_its_own_figures(client, province, token_for, fixed_today):
    fixed_today(date(2025, 1, 10))
    h = token_for("t_coord")
    pt = province["pt0"]
    code = db.session.get(type(pt), pt.id).commune.code
    body = client.get(f"/api/v1/reports/{WINDOW}?area={code}", headers=h).json
    assert body["area"]["level"] == "commune"
    cov = _indicators(body)["coverage"]
    assert cov["denominator"] >= 1
    venues = body["tables"][0]
    assert venues["key"] == "venues"
    assert [r["unit"] for r in venues["rows"]] == [body["area"]["name"]]
