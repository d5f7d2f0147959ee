"""The phone pages: start from a venue, the form, the read view, cancel, the venue panels."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from flask import render_template_string

from inspections.extensions import db
from inspections.visits.models import Inspection
from tests.conftest import csrf_token, login
from tests.visits.conftest import new_key

API = "/api/v1/inspections"


def form_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="insp-data">(.*?)</script>', html, re.S)
    assert found, "the form carries its data as JSON"
    return json.loads(found.group(1))


def test_start_from_the_venue_prefills_the_team(client, as_user, team, venue):
    as_user("t_insp")
    r = client.get(f"/inspections/new?venue={venue.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    data = form_data(html)
    assert data["mode"] == "new" and data["venue"]["id"] == venue.id
    assert data["start"]["team_id"] == team.id
    assert [m["name"] for m in data["start"]["members"]] == ["Test t_insp", "Test t_insp_pt"]
    assert data["limits"]["min_members"] == 3
    # every item with its three big answers; the catalogue for the sector, with both decrees
    assert html.count('class="item"') == 10 and html.count('data-answer="not_compliant"') == 10
    codes = {c["code"] for c in data["catalogue"]}
    assert {"ND144-2021-D24-BUY", "ND282-2025-D32-1", "ND38-2021-D15-6d"} <= codes
    assert "ND38-2021-D15-6e" not in codes  # dance halls only
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "leaflet" not in html.lower() and "jquery" not in html.lower()
    # JS is a module, nothing inline executes
    assert re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", html) is None


def test_start_reopens_an_open_draft(client, as_user, api, make_doc, venue):
    created = api("POST", API, make_doc(), key=new_key()).json
    as_user("t_insp")
    r = client.get(f"/inspections/new?venue={venue.id}")
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/inspections/{created['id']}/edit"
    )
    assert client.get(f"/inspections/new?venue={venue.id}&new=1").status_code == 200
    edit = client.get(f"/inspections/{created['id']}/edit")
    assert form_data(edit.get_data(as_text=True))["inspection"]["id"] == created["id"]


def test_start_outside_the_area_or_without_permission(client, as_user, venue):
    as_user("t_insp_lagi")
    assert client.get(f"/inspections/new?venue={venue.id}").status_code == 404
    as_user("t_review")
    assert client.get(f"/inspections/new?venue={venue.id}").status_code == 403
    as_user("t_insp")
    assert client.get("/inspections/new?venue=999999").status_code == 404


def test_venue_picker_finds_without_accents(client, as_user, venue):
    as_user("t_insp")
    html = client.get("/inspections/new?q=hoang gia").get_data(as_text=True)
    assert "Karaoke Hoàng Gia" in html and f"/inspections/new?venue={venue.id}" in html


def test_read_view_amend_and_cancel(client, api, make_doc):
    latch = {"code": "ND38-2021-D15-6b", "offender": "individual", "fine_vnd": 16_000_000}
    created = api("POST", API, make_doc(violations=[latch], status="submitted")).json
    api(
        "POST",
        f"{API}/{created['id']}/amendments",
        {
            "reason": "Sửa mức phạt",
            "violations": [{**latch, "id": created["violations"][0]["id"], "fine_vnd": 17_000_000}],
        },
    )
    login(client, "t_review")
    html = client.get(f"/inspections/{created['id']}").get_data(as_text=True)
    assert "17,000,000 ₫" in html and "16,000,000 ₫" in html  # current and original
    assert "Sửa mức phạt" in html and f"/inspections/{created['id']}/amend" not in html
    # the amendment in words: the offence by its title and basis, the values as sentences
    amendments = html[html.index("Amendments</h2>") :]
    changed = "<del>Individual; fine 16,000,000 ₫</del> → <ins>Individual; fine 17,000,000 ₫</ins>"
    assert changed in amendments and "Decree 38/2021" in amendments
    # the history log says it in words too: no stored names, dictionaries or None
    shown = re.sub(r' title="[^"]*"', "", amendments)  # the stored name is only a hover
    assert "Fine (₫): 16,000,000 ₫" in shown
    for raw in ("violations.ND38", "fine_vnd", "{&#39;code", "None", "offender_name"):
        assert raw not in shown, raw
    client.set_cookie("lang", "vi")
    minutes = client.get(f"/inspections/{created['id']}/minutes.pdf").data
    if shutil.which("pdftotext"):  # the minutes handed to the venue say it the same way
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=minutes, capture_output=True, check=True
        ).stdout.decode()
        text = " ".join(text.split())  # lines wrap where the page ends them
        assert "Cá nhân; phạt 16.000.000 ₫ → Cá nhân; phạt 17.000.000 ₫" in text
        assert "fine_vnd" not in text and "violations.ND38" not in text
    client.set_cookie("lang", "en")
    assert "Cancel this inspection" not in html  # a reviewer reads only
    login(client, "t_insp")
    html = client.get(f"/inspections/{created['id']}").get_data(as_text=True)
    assert "Cancel this inspection" in html and f"/inspections/{created['id']}/amend" in html
    amend = client.get(f"/inspections/{created['id']}/amend")
    assert form_data(amend.get_data(as_text=True))["mode"] == "amend"
    token = csrf_token(client, f"/inspections/{created['id']}")
    r = client.post(
        f"/inspections/{created['id']}/cancel", data={"csrf_token": token, "reason": ""}
    )
    assert r.status_code == 422 and "Give the reason" in r.get_data(as_text=True)
    r = client.post(
        f"/inspections/{created['id']}/cancel", data={"csrf_token": token, "reason": "Nhập trùng"}
    )
    assert r.status_code == 302
    assert db.session.get(Inspection, created["id"]).status == "cancelled"
    assert client.get(f"/inspections/{created['id']}/edit").status_code == 302


def test_minutes_pdf(client, api, make_doc):
    created = api("POST", API, make_doc(status="submitted")).json
    login(client, "t_review")
    r = client.get(f"/inspections/{created['id']}/minutes.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF") and len(r.data) > 5000
    assert b"DejaVu" in r.data  # the vendored Vietnamese font is embedded
    venue = db.session.get(Inspection, created["id"]).venue
    if shutil.which("pdftotext"):  # dated after 1/7/2025: the address on today's map
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=r.data, capture_output=True, check=True
        ).stdout.decode()
        text = " ".join(text.split())
        assert venue.address_2025 and venue.address_2025 != venue.address
        assert venue.address_2025 in text
    r = client.get(f"{API}/{created['id']}/minutes")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    login(client, "t_insp_lagi")
    assert client.get(f"/inspections/{created['id']}/minutes.pdf").status_code == 404


def test_list_page(client, api, make_doc):
    api("POST", API, make_doc(status="submitted"))
    api("POST", API, make_doc())
    login(client, "t_insp")
    html = client.get("/inspections").get_data(as_text=True)
    assert "My drafts" in html and html.count("Karaoke Hoàng Gia") == 3
    html = client.get("/inspections?status=submitted").get_data(as_text=True)
    assert html.count("Karaoke Hoàng Gia") == 1
    assert client.get("/inspections?start=not-a-date").status_code == 200
    login(client, "t_insp_lagi")
    assert "Karaoke Hoàng Gia" not in client.get("/inspections").get_data(as_text=True)


def test_venue_panels(app, client, api, make_doc, venue, team):
    latch = {
        "code": "ND38-2021-D15-6b",
        "offender": "organisation",
        "fine_vnd": 35_000_000,
        "remedy": "Tháo chốt",
        "remedy_deadline": "2030-01-01",
    }
    api("POST", API, make_doc(violations=[latch], status="submitted"))
    far = {"latitude": 10.95, "longitude": 108.102, "accuracy_m": 10}
    api(
        "POST",
        API,
        make_doc(location=far, presence_reason="Cơ sở chuyển địa điểm", status="submitted"),
    )
    template = (
        '{% include "visits/_start_button.html" %}{% include "visits/_venue_panel.html" %}'
        '{% include "violations/_venue_panel.html" %}'
    )

    def panel(username):
        with app.test_request_context("/"):
            from flask_login import login_user

            from tests.conftest import user

            login_user(user(username))
            return render_template_string(template, venue=db.session.get(type(venue), venue.id))

    html = panel("t_insp")
    assert "Start inspection" in html and f"/inspections/new?venue={venue.id}" in html
    assert "Inspections (2)" in html and "1 violation<" in html and "off-site" in html
    assert (
        "Door latch fitted on the inside" in html and "Decree 38/2021/NĐ-CP, Art. 15, cl. 6" in html
    )
    assert "35,000,000 ₫" in html and "01/01/2030" in html
    html = panel("t_review")
    assert "Start inspection" not in html and "Inspections (2)" in html
    html = panel("t_insp_lagi")
    assert "Inspections (0)" in html and "Violations (0)" in html


def test_the_venue_page_leads_with_the_inspectors_action(as_user, venue, team):
    """On a phone the inspector must not scroll past the facts to start an inspection."""
    html = as_user("t_insp").get(f"/venues/{venue.id}").get_data(as_text=True)
    start = html.index(f"/inspections/new?venue={venue.id}")
    assert start < html.index("Business registration") and html.count("Start inspection") == 1
    html = as_user("t_review").get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "Start inspection" not in html and "Business registration" in html
