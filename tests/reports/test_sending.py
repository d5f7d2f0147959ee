"""Sending freezes a report (figures and documents); corrections are supplementary versions;
the calendar says where each unit's report stands and who is late."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from inspections.audit.models import AuditEvent
from inspections.extensions import db
from inspections.reports.models import SentReport
from tests.conftest import csrf_token, login

WINDOW = "report:2024-Y"


def _send(client, headers, area="60", **extra):
    return client.post(
        f"/api/v1/reports/{WINDOW}/send", json={"area": area, **extra}, headers=headers
    )


def _coverage(body) -> tuple:
    got = next(i for i in body["indicators"] if i["code"] == "coverage")
    return got["numerator"], got["denominator"]


def test_a_sent_report_is_frozen(client, province, token_for, fixed_today, create_inspection):
    fixed_today(date(2025, 1, 10))
    h = token_for("t_coord")
    r = _send(client, h, number="15/BC-SLĐTBXH")
    assert r.status_code == 201, r.json
    sent = r.json
    assert sent["id"] and sent["sent"]["version"] == 1 and sent["sent"]["supplementary"] is False
    assert _coverage(sent) == (3, 6)
    pdf = client.get(f"/api/v1/reports/sent/{sent['id']}?format=pdf", headers=h)
    xlsx = client.get(f"/api/v1/reports/sent/{sent['id']}?format=xlsx", headers=h)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    # later data: an inspection of the window entered afterwards
    create_inspection(province["pt3"], on=date(2024, 12, 1))
    live = client.get(f"/api/v1/reports/{WINDOW}?area=60", headers=h).json
    assert _coverage(live) == (4, 6)
    again = client.get(f"/api/v1/reports/sent/{sent['id']}", headers=h).json
    assert _coverage(again) == (3, 6) and again["computed_at"] == sent["computed_at"]
    assert client.get(f"/api/v1/reports/sent/{sent['id']}?format=pdf", headers=h).data == pdf.data
    assert client.get(f"/api/v1/reports/sent/{sent['id']}?format=xlsx", headers=h).data == xlsx.data
    audit = db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "send", AuditEvent.object_type == "sent_report"
        )
    )
    assert audit == 1


def test_corrections_are_supplementary_versions(client, province, token_for, fixed_today):
    fixed_today(date(2025, 1, 10))
    h = token_for("t_coord_pt")
    entry = {"indicator": "support_services", "numerator": 1, "denominator": 2}
    values = f"/api/v1/reports/{WINDOW}/values"
    assert client.put(values, json={"area": "593", "values": [entry]}, headers=h).status_code == 200
    first = _send(client, h, "593")
    assert first.status_code == 201
    # sending twice without a change
    r = _send(client, h, "593")
    assert r.status_code == 409 and "Nothing changed" in r.json["message"]
    # editing a sent report
    changed = {**entry, "numerator": 2}
    r = client.put(values, json={"area": "593", "values": [changed]}, headers=h)
    assert r.status_code == 409 and "supplementary" in r.json["message"]
    # a correction: reopen, change, send version 2
    r = client.post(f"/api/v1/reports/{WINDOW}/reopen", json={"area": "593"}, headers=h)
    assert r.status_code == 200 and r.json["frozen"] is False
    r = client.post(f"/api/v1/reports/{WINDOW}/reopen", json={"area": "593"}, headers=h)
    assert r.status_code == 409
    assert (
        client.put(values, json={"area": "593", "values": [changed]}, headers=h).status_code == 200
    )
    second = _send(client, h, "593")
    assert second.status_code == 201
    assert second.json["sent"]["version"] == 2 and second.json["sent"]["supplementary"] is True
    one = client.get(f"/api/v1/reports/sent/{first.json['id']}", headers=h).json
    two = client.get(f"/api/v1/reports/sent/{second.json['id']}", headers=h).json
    pick = lambda body: next(i for i in body["indicators"] if i["code"] == "support_services")  # noqa: E731
    assert (pick(one)["numerator"], pick(two)["numerator"]) == (1, 2)
    assert db.session.scalar(select(func.count()).select_from(SentReport)) == 2


def test_who_sends(client, province, token_for, fixed_today):
    fixed_today(date(2025, 1, 10))
    assert _send(client, token_for("t_coord_pt"), "60").status_code == 404  # outside its area
    assert _send(client, token_for("t_coord"), "593").status_code == 403  # not its unit
    for user in ("t_viewer", "t_review", "t_insp"):
        assert _send(client, token_for(user), "593").status_code == 403, user
    assert db.session.scalar(select(func.count()).select_from(SentReport)) == 0
    # a sent report of another district is not found by id either
    sent = _send(client, token_for("t_admin"), "594").json
    r = client.get(f"/api/v1/reports/sent/{sent['id']}", headers=token_for("t_coord_pt"))
    assert r.status_code == 404


def test_the_calendar(client, province, token_for, fixed_today):
    fixed_today(date(2025, 1, 10))
    h = token_for("t_coord")
    _send(client, h, "60")
    entry = {"indicator": "support_services", "numerator": 1, "denominator": 2}
    client.put(
        f"/api/v1/reports/{WINDOW}/values",
        json={"area": "593", "values": [entry]},
        headers=token_for("t_coord_pt"),
    )
    cal = client.get("/api/v1/reports?plan=1227/KH-UBND", headers=h).json
    assert cal["plan"]["standing_agency"].startswith("Sở Lao động")
    assert [w["window"] for w in cal["windows"]] == [
        "report:2024-Q1",
        "report:2024-6M",
        "report:2024-9M",
        "report:2024-Y",
    ]
    year = cal["windows"][-1]
    assert year["due_on"] == "2024-12-15"
    units = {u["area"]: u for u in year["units"]}
    assert len(units) == 11  # the province and its ten districts
    assert units["60"]["status"] == "sent" and units["60"]["version"] == 1
    assert units["60"]["sent_late"] is True  # sent in January for a 15 December due day
    assert units["593"]["status"] == "late" and units["593"]["values"] == 1
    assert units["594"]["status"] == "late"
    late = {(x["window"], x["area"]) for x in cal["late"]}
    assert (WINDOW, "594") in late and (WINDOW, "60") not in late
    # a district's coordinator sees its own unit only
    mine = client.get("/api/v1/reports?plan=1227/KH-UBND", headers=token_for("t_coord_pt")).json
    assert {u["area"] for w in mine["windows"] for u in w["units"]} == {"593"}
    # before the due day nothing is late
    fixed_today(date(2024, 12, 15))
    cal = client.get("/api/v1/reports?plan=1227/KH-UBND", headers=h).json
    year = {u["area"]: u for u in cal["windows"][-1]["units"]}
    assert year["593"]["status"] == "draft" and year["594"]["status"] == "not_started"
    assert client.get("/api/v1/reports?plan=nope", headers=h).status_code == 404


def test_pages_send_and_show_the_frozen_report(client, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    login(client, "t_coord")
    page = client.get(f"/reports/{WINDOW}?area=60")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="rep-send"' in html and 'id="rep-pdf"' in html
    token = csrf_token(client, f"/reports/{WINDOW}?area=60")
    r = client.post(
        f"/reports/{WINDOW}/send?area=60", data={"csrf_token": token, "number": "3/BC-SLĐTBXH"}
    )
    assert r.status_code == 303 and "/reports/sent/" in r.headers["Location"]
    frozen = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "rep-sent-note" in frozen and "3/BC-SLĐTBXH" in frozen
    r = client.post(f"/reports/{WINDOW}/send?area=60", data={"csrf_token": token})
    assert r.status_code == 303
    assert "Nothing changed" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="rep-reopen"' in client.get(f"/reports/{WINDOW}?area=60").get_data(as_text=True)
    calendar = client.get("/reports?plan=1227/KH-UBND").get_data(as_text=True)
    assert "rep-late" in calendar and "Thị xã La Gi" in calendar
    # the picker goes to another window's page
    r = client.get(f"/reports/{WINDOW}?area=60&window=report:2024-Q1")
    assert r.status_code == 302 and "report:2024-Q1" in r.headers["Location"]


def test_answers_match_the_api_document(app, client, province, token_for, fixed_today):
    """The report, the values, the calendar and a sent report as the OpenAPI document says."""
    import schemathesis

    fixed_today(date(2025, 1, 10))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    h = token_for("t_coord")
    values = {
        "area": "60",
        "values": [{"indicator": "district_plans", "numerator": 9, "denominator": 10}],
    }
    answers = [
        (
            "/api/v1/reports/{window}",
            "GET",
            client.get(f"/api/v1/reports/{WINDOW}?area=60", headers=h),
        ),
        (
            "/api/v1/reports/{window}/values",
            "PUT",
            client.put(f"/api/v1/reports/{WINDOW}/values", json=values, headers=h),
        ),
        (
            "/api/v1/reports/{window}/values",
            "GET",
            client.get(f"/api/v1/reports/{WINDOW}/values?area=60", headers=h),
        ),
        ("/api/v1/reports", "GET", client.get("/api/v1/reports?plan=1227/KH-UBND", headers=h)),
        ("/api/v1/reports/{window}/send", "POST", _send(client, h, "60")),
    ]
    sent_id = answers[-1][2].json["id"]
    answers.append(
        (
            "/api/v1/reports/sent/{sent_id}",
            "GET",
            client.get(f"/api/v1/reports/sent/{sent_id}", headers=h),
        )
    )
    answers.append(
        (
            "/api/v1/reports/{window}/reopen",
            "POST",
            client.post(f"/api/v1/reports/{WINDOW}/reopen", json={"area": "60"}, headers=h),
        )
    )
    for path, method, response in answers:
        assert response.status_code in (200, 201), (path, response.json)
        schema[path][method].validate_response(response)
