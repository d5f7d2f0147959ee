"""Nothing English is left in the Vietnamese interface: every page of the app (its GET routes,
with ids from the demo data), as an admin and as an inspector, the forms' error messages and
the minutes PDF are checked against the English of the catalogue and against the English
messages marshmallow ships."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from inspections import clock
from inspections.extensions import db
from inspections.validation_messages import english_defaults
from tests.conftest import csrf_token, login
from tests.visits.conftest import DEMO_DAY

PO = Path(__file__).parents[2] / "inspections/translations/vi/LC_MESSAGES/messages.po"
SHORTEST = 13  # shorter English (a label like "Karaoke" or "Email") may be the same word
# Routes that answer files, redirects or machine documents, not pages people read.
NOT_PAGES = {
    "static",
    "core.healthz",
    "core.language",
    "offline.service_worker",
    "venues.by_qr",
    "venues.qr_png",
    "venues.export",
    "venues.import_rejected",
    "venues.labels_pdf",
    "venues.labels_png",
    "visits.minutes",
    "visits.photo",
    "visits.signature",
    "violations.evidence",
    "violations.export",
    "coverage.export_xlsx",
    "rounds.outcome_photo",
}


def english_messages() -> set[str]:
    """The catalogue's English that a Vietnamese page must never show, and marshmallow's."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    found = set()
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        if not msgid or text == msgid or len(msgid) < SHORTEST:
            continue
        # only the fixed words of a message with placeholders can be looked for
        for part in re.split(r"%\(\w+\)s|\{[^}]*\}", msgid):
            part = part.strip(" .,:;·–-")
            if len(part) >= SHORTEST and part not in text:
                found.add(part)
    return found | {m for m in english_defaults() if len(m) >= SHORTEST}


ENGLISH = sorted(english_messages())


CODE = re.compile(r"<script(?![^>]*application/(?:ld\+)?json)[^>]*>.*?</script>", re.S)


def leftovers(body: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The English messages found in a page: its text, its attributes and its JSON data (the
    code of its scripts, a library's own warnings, is not read), less the allowed words."""
    text = html_lib.unescape(CODE.sub(" ", body))
    for words in allowed:
        text = text.replace(words, " ")
    return [m for m in ENGLISH if m in text]


def import_headers() -> tuple[str, ...]:
    """The English column names a venue list may use: the import page lists them as such."""
    from inspections.venues.importing.columns import COLUMNS

    return tuple(sorted({h for names in COLUMNS.values() for h in names}, key=len, reverse=True))


def _samples() -> dict:
    """An id of each kind of object, from the demo data."""
    from inspections.accounts.models import Team, User
    from inspections.coverage.models import Plan
    from inspections.tips.models import Tip
    from inspections.violations.models import RecordedViolation
    from inspections.visits.models import ChecklistTemplate

    def first(stmt):
        found = db.session.scalar(stmt.limit(1))
        assert found is not None, str(stmt)
        return found

    violation = first(
        select(RecordedViolation).where(
            RecordedViolation.in_register.is_(True), RecordedViolation.remedy.is_not(None)
        )
    )
    return {
        "venue_id": violation.venue_id,
        "inspection_id": violation.inspection_id,
        "violation_id": violation.id,
        "user_id": first(select(User.id).where(User.username == "t_insp")),
        "team_id": first(select(Team.id).order_by(Team.id)),
        "tip_id": first(select(Tip.id).order_by(Tip.id)),
        "plan_id": first(select(Plan.id).order_by(Plan.id)),
        "template_id": first(select(ChecklistTemplate.id).order_by(ChecklistTemplate.id)),
        "code": "593",
        "sector": "karaoke",
        "window_key": "report:2024-Y",
        "fmt": "pdf",
        "sent_id": 1,
        "sha256": "0" * 64,
        "indicator_id": 1,
        "file_id": 1,
    }


def _paths(app, samples: dict) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith("/api/") or rule.endpoint.startswith("api-docs"):
            continue
        values = {name: samples[name] for name in rule.arguments}
        if rule.endpoint == "visits.edit":
            values["inspection_id"] = samples["draft_id"]
        with app.test_request_context():
            from flask import url_for

            paths.append(url_for(rule.endpoint, **values))
    return sorted(set(paths))


@pytest.fixture
def demo_data(app, monkeypatch, create_inspection):
    """The demo venues, inspections, follow-ups and tips, inside the test's transaction."""
    from inspections.venues.demo import load_demo_venues
    from inspections.violations.demo import load_demo_followups
    from inspections.visits.demo import load_demo_inspections

    monkeypatch.setattr(clock, "utcnow", lambda: DEMO_DAY)
    load_demo_venues()
    load_demo_inspections(password=None)
    load_demo_followups()
    from inspections.rounds.demo import load_demo_rounds
    from inspections.rounds.models import Round

    load_demo_rounds()
    db.session.flush()
    samples = _samples()
    samples["round_id"] = db.session.scalar(select(Round.id).order_by(Round.id).limit(1))
    from inspections.venues.models import Venue

    venue = db.session.get(Venue, samples["venue_id"])
    samples["draft_id"] = create_inspection(venue, on=DEMO_DAY.date(), status="draft").id
    return samples


def test_no_page_shows_english_in_vietnamese(app, client, demo_data):
    paths = _paths(app, demo_data)
    assert len(paths) > 40
    client.set_cookie("lang", "vi")
    found = {}
    for username in ("t_admin", "t_insp"):
        login(client, username)
        for path in paths:
            r = client.get(path)
            assert r.status_code < 500, (username, path)
            if r.mimetype not in ("text/html", "application/manifest+json"):
                continue
            allowed = import_headers() if path == "/venues/import" else ()
            if left := leftovers(r.get_data(as_text=True), allowed):
                found[f"{username} {path}"] = left
    assert found == {}


def test_form_messages_are_vietnamese(app, client, demo_data):
    client.set_cookie("lang", "vi")
    login(client, "t_admin")
    token = csrf_token(client, "/venues/new")
    pages = {
        "/venues/new": {"csrf_token": token, "latitude": "x", "opened_on": "31/02/2024"},
        f"/violations/{demo_data['violation_id']}/followups": {
            "csrf_token": token,
            "on": "not a date",
        },
        "/admin/users/new": {"csrf_token": token, "phone": "??"},
        "/tips/new": {"csrf_token": token},
    }
    for path, form in pages.items():
        r = client.post(path, data=form)
        body = r.get_data(as_text=True)
        assert r.status_code == 422, (path, r.status_code)
        assert "Vui lòng sửa các ô được đánh dấu." in body, path
        assert leftovers(body) == [], path


def test_the_minutes_pdf_is_all_vietnamese(app, demo_data, monkeypatch):
    """Every string the minutes write (the PDF's text) comes from the catalogue."""
    from fpdf import FPDF

    from inspections.visits.minutes import minutes_pdf
    from inspections.visits.models import Inspection

    written: list[str] = []
    for name in ("cell", "multi_cell"):
        original = getattr(FPDF, name)

        def spy(self, *args, _original=original, **kwargs):
            text = kwargs.get("text", args[2] if len(args) > 2 else "")
            written.append(str(text or ""))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(FPDF, name, spy)
    with_lead = db.session.scalar(
        select(Inspection).where(Inspection.id == demo_data["inspection_id"])
    )
    with app.test_request_context():
        pdf = minutes_pdf(with_lead)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(written)
    assert "BIÊN BẢN" in text and "/BB-KT" in text
    assert "No." not in text and "team lead" not in text
    assert leftovers(text) == []


def test_every_page_answers_an_account_of_todays_commune(app, client, demo_data):
    """A coordinator whose home is today's Phường Mũi Né (22918 since 1/7/2025) opens every
    page: the scope on today's map works wherever a scope applies, in Vietnamese."""
    from inspections.accounts.services import create_user
    from tests.conftest import TEST_PASSWORD

    create_user(
        username="mui.ne.pages",
        password=TEST_PASSWORD,
        role="coordinator",
        agency_code="police",
        area_code="22918",
        full_name="Điều phối Mũi Né",
    )
    db.session.flush()
    client.set_cookie("lang", "vi")
    login(client, "mui.ne.pages")
    found = {}
    for path in _paths(app, demo_data):
        r = client.get(path)
        assert r.status_code < 500, path
        if r.status_code == 200 and r.mimetype == "text/html":
            allowed = import_headers() if path == "/venues/import" else ()
            if left := leftovers(r.get_data(as_text=True), allowed):
                found[path] = left
    assert found == {}
