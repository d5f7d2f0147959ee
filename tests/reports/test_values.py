"""Reported figures: entered by the unit's coordinator for its own unit, checked whole, added
up to the province; bad input refused with its reason and nothing written."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image
from sqlalchemy import func, select

from inspections.audit.models import AuditEvent
from inspections.extensions import db
from inspections.reports.models import ReportValue, ValueFile
from tests.conftest import csrf_token, login

WINDOW = "report:2024-Y"
URL = f"/api/v1/reports/{WINDOW}/values"


def _put(client, headers, area, *values):
    return client.put(URL, json={"area": area, "values": list(values)}, headers=headers)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(ReportValue))


def test_units_enter_their_figures_and_the_province_adds_them_up(
    client, province, token_for, fixed_today
):
    fixed_today(date(2025, 1, 10))
    r = _put(
        client,
        token_for("t_coord_pt"),
        "593",
        {"indicator": "communication_communes", "numerator": 6, "denominator": 14, "note": "ok"},
        {"indicator": "support_services", "numerator": 3, "denominator": 4},
    )
    assert r.status_code == 200, r.json
    assert {v["indicator"] for v in r.json["values"]} == {
        "communication_communes",
        "support_services",
    }
    assert r.json["frozen"] is False
    h = token_for("t_coord")
    r = _put(client, h, "60", {"indicator": "district_plans", "numerator": 10, "denominator": 10})
    assert r.status_code == 200, r.json
    body = client.get(f"/api/v1/reports/{WINDOW}?area=60", headers=h).json
    got = {i["code"]: i for i in body["indicators"]}
    comm = got["communication_communes"]
    assert (comm["numerator"], comm["denominator"], comm["value_pct"]) == (6, 14, 42.9)
    assert comm["met"] is False and (comm["units_reported"], comm["units_expected"]) == (1, 10)
    assert got["district_plans"]["met"] is True
    district = client.get(f"/api/v1/reports/{WINDOW}?area=593", headers=h).json
    mine = {i["code"]: i for i in district["indicators"]}
    assert mine["communication_communes"]["note"] == "ok"
    assert mine["district_plans"]["numerator"] is None  # the province's own figure
    # Value entry is in the audit trail.
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.object_type == "report_value")) >= 3
    )


def test_bad_figures_are_refused_whole(client, province, token_for, fixed_today):
    fixed_today(date(2025, 1, 10))
    h = token_for("t_coord_pt")
    good = {"indicator": "support_services", "numerator": 3, "denominator": 4}
    cases = [
        (
            {"indicator": "communication_communes", "numerator": 15, "denominator": 14},
            422,
            "exceeds",
        ),
        (
            {"indicator": "communication_communes", "numerator": -1, "denominator": 14},
            422,
            "negative",
        ),
        ({"indicator": "communication_communes", "numerator": 1}, 422, "both"),
        ({"indicator": "district_plans", "numerator": 1, "denominator": 1}, 422, "province"),
        ({"indicator": "coverage", "numerator": 1, "denominator": 1}, 422, "computed"),
        ({"indicator": "no_such", "numerator": 1, "denominator": 1}, 422, "no indicator"),
        (
            {
                "indicator": "communication_communes",
                "numerator": 3_000_000_000,
                "denominator": 3_000_000_001,
            },
            422,
            "exceed",
        ),
    ]
    for bad, status, words in cases:
        r = _put(client, h, "593", good, bad)
        assert r.status_code == status, (bad, r.json)
        assert words in r.json["message"], (bad, r.json["message"])
        assert _count() == 0, bad
    # Vietnamese first: the same refusal in the default language.
    client.set_cookie("lang", "vi")
    r = _put(
        client,
        h,
        "593",
        {"indicator": "communication_communes", "numerator": 15, "denominator": 14},
    )
    assert r.status_code == 422 and "lớn hơn mẫu số" in r.json["message"]
    # a growth (crimes this year against last) may exceed its denominator
    r = _put(
        client,
        token_for("t_coord"),
        "60",
        {"indicator": "crimes_handled", "numerator": 12, "denominator": 10},
    )
    assert r.status_code == 200


def test_who_enters_for_which_unit(client, province, token_for, fixed_today):
    fixed_today(date(2025, 1, 10))
    entry = {"indicator": "support_services", "numerator": 1, "denominator": 2}
    # outside the account's area: as if it did not exist
    assert _put(client, token_for("t_coord_pt"), "594", entry).status_code == 404
    # inside the province coordinator's area, but another unit's figures
    r = _put(client, token_for("t_coord"), "593", entry)
    assert r.status_code == 403 and "coordinator" in r.json["message"]
    # roles without the permission
    for user in ("t_viewer", "t_review", "t_insp"):
        assert _put(client, token_for(user), "593", entry).status_code == 403, user
    # an administrator may act for any unit
    assert _put(client, token_for("t_admin"), "593", entry).status_code == 200
    # unknown window, unknown area
    r = client.put(
        "/api/v1/reports/report:2024-Q9/values",
        json={"area": "593", "values": [entry]},
        headers=token_for("t_admin"),
    )
    assert r.status_code == 404 and "report:YYYY-Q1" in r.json["message"]
    assert _put(client, token_for("t_admin"), "99999", entry).status_code == 404


def test_a_window_not_over_is_a_draft(client, province, token_for, fixed_today):
    fixed_today(date(2024, 11, 1))
    h = token_for("t_coord_pt")
    entry = {"indicator": "support_services", "numerator": 1, "denominator": 2}
    assert _put(client, h, "593", entry).status_code == 200
    r = client.post(f"/api/v1/reports/{WINDOW}/send", json={"area": "593"}, headers=h)
    assert r.status_code == 422 and "not over" in r.json["message"]
    assert _count() == 1


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_evidence_files_are_checked_by_content(client, province, fixed_today, app):
    fixed_today(date(2025, 1, 10))
    login(client, "t_coord_pt")
    token = csrf_token(client, f"/reports/{WINDOW}/values?area=593")
    url = f"/reports/{WINDOW}/values/files?area=593"

    def upload(data: bytes, name: str):
        return client.post(
            url,
            data={
                "csrf_token": token,
                "indicator": "support_services",
                "file": (io.BytesIO(data), name),
            },
            content_type="multipart/form-data",
        )

    for data, name in ((PDF, "bien-ban.pdf"), (_png(), "anh.png")):
        r = upload(data, name)
        assert r.status_code == 303
    rows = list(db.session.scalars(select(ValueFile).order_by(ValueFile.id)))
    assert [(f.file_name, f.content_type) for f in rows] == [
        ("bien-ban.pdf", "application/pdf"),
        ("anh.png", "image/png"),
    ]
    for data, name in ((b"MZ not a pdf", "virus.pdf"), (b"%PDF-1.4 cut short", "half.pdf")):
        r = upload(data, name)
        assert r.status_code == 303
        page = client.get(r.headers["Location"]).get_data(as_text=True)
        assert "not a PDF" in page or "incomplete" in page
    assert db.session.scalar(select(func.count()).select_from(ValueFile)) == 2
    app.config["MAX_UPLOAD_MB"] = 0  # every file is over the cap now
    try:
        r = upload(PDF, "big.pdf")
        assert "limit" in client.get(r.headers["Location"]).get_data(as_text=True)
    finally:
        app.config["MAX_UPLOAD_MB"] = 10
    assert db.session.scalar(select(func.count()).select_from(ValueFile)) == 2
    page = client.get(f"/reports/{WINDOW}/values?area=593").get_data(as_text=True)
    assert "bien-ban.pdf" in page
    got = client.get(f"/reports/{WINDOW}/values/files/{rows[0].id}?area=593")
    assert got.status_code == 200 and got.data == PDF
    # another district's coordinator cannot read it
    login(client, "t_coord")
    assert client.get(f"/reports/{WINDOW}/values/files/{rows[0].id}?area=594").status_code == 404


def test_the_figures_form(client, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    login(client, "t_coord_pt")
    page = client.get(f"/reports/{WINDOW}/values?area=593")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="numerator-communication_communes"' in html
    assert "district_plans" not in html  # the province's figure
    token = csrf_token(client, f"/reports/{WINDOW}/values?area=593")
    form = {"csrf_token": token, "numerator-pilot_models": "20", "denominator-pilot_models": "14"}
    r = client.post(f"/reports/{WINDOW}/values?area=593", data=form)
    assert r.status_code == 422 and "exceeds" in r.get_data(as_text=True)
    assert _count() == 0
    r = client.post(
        f"/reports/{WINDOW}/values?area=593", data={**form, "numerator-pilot_models": "x"}
    )
    assert r.status_code == 422 and "whole number" in r.get_data(as_text=True)
    form["numerator-pilot_models"] = "1"
    r = client.post(f"/reports/{WINDOW}/values?area=593", data=form)
    assert r.status_code == 303
    assert db.session.scalar(select(ReportValue.numerator)) == 1


def test_a_sent_report_keeps_its_evidence(client, province, token_for, fixed_today):
    """The evidence listed by a sent report stays downloadable as sent after the unit removes
    it from its figures in a correction."""
    fixed_today(date(2025, 1, 10))
    login(client, "t_coord_pt")
    token = csrf_token(client, f"/reports/{WINDOW}/values?area=593")
    client.post(
        f"/reports/{WINDOW}/values/files?area=593",
        data={
            "csrf_token": token,
            "indicator": "support_services",
            "file": (io.BytesIO(PDF), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    h = token_for("t_coord_pt")
    sent = client.post(f"/api/v1/reports/{WINDOW}/send", json={"area": "593"}, headers=h).json
    line = next(i for i in sent["indicators"] if i["code"] == "support_services")
    (listed,) = line["files"]
    assert f"/reports/sent/{sent['id']}/files/" in listed["url"]
    client.post(f"/api/v1/reports/{WINDOW}/reopen", json={"area": "593"}, headers=h)
    file_id = db.session.scalar(select(ValueFile.id))
    r = client.post(
        f"/reports/{WINDOW}/values/files/{file_id}/delete?area=593", data={"csrf_token": token}
    )
    assert (
        r.status_code == 303 and db.session.scalar(select(func.count()).select_from(ValueFile)) == 0
    )
    got = client.get(f"/reports/sent/{sent['id']}/files/{listed['sha256']}")
    assert got.status_code == 200 and got.data == PDF
    assert client.get(f"/reports/sent/{sent['id']}/files/{'0' * 64}").status_code == 404


def test_the_tips_list_behind_the_figures(client, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    login(client, "t_coord")

    def listed(query: str) -> int:
        page = client.get(f"/tips?{query}")
        assert page.status_code == 200, query
        return page.get_data(as_text=True).count('class="card-link"')

    assert listed("received_from=2023-12-15&received_to=2024-12-14") == 3
    assert listed("due_from=2023-12-15&due_to=2024-12-14") == 2
    assert listed("due_from=2023-12-15&due_to=2024-12-14&state=in_time") == 1
    overdue = "received_from=2023-12-15&received_to=2024-12-14&state=overdue"
    assert listed(overdue) == 2  # today: the third tip, due 20/12/2024, is past due too
    assert listed(overdue + "&due_to=2024-12-14") == 1  # the report's link: by the window's end
    assert listed("received_from=2023-12-15&received_to=2024-12-14&area=594") == 1
    assert client.get("/tips?area=99999").status_code == 404
    login(client, "t_coord_pt")
    assert client.get("/tips?area=594").status_code == 404
