"""Every registered route, with every role and anonymously, answers as its permission says.

A new route without a declared permission fails here. Allowed roles must not get 401/403 (or
a 500); other roles get 403; anonymous visitors are sent to the login page (pages) or get 401
(API), except on public routes.
"""

from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from inspections.accounts.permissions import ROLES, P, declared_permission, role_allows
from inspections.accounts.services import save_team
from inspections.coverage.models import Plan
from inspections.extensions import db
from tests.conftest import ROLE_USERS, csrf_token, login, user

ROLE_ACCOUNT = {role: next(u for u, (r, *_x) in ROLE_USERS.items() if r == role) for role in ROLES}
SKIP_METHODS = {"HEAD", "OPTIONS"}


def _routes(app) -> list[tuple[Rule, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - SKIP_METHODS):
            out.append((rule, method))
    return out


@pytest.fixture
def samples(app, create_venue):
    """Real objects for the URL parameters routes take, inside district 593."""
    venue = create_venue(name="Karaoke Mẫu", lat=10.93, lon=108.10)
    team = save_team(
        None,
        name="Đoàn mẫu",
        lead_agency_code="labour",
        active_from=date(2024, 1, 1),
        member_usernames=["t_insp"],
        lead_username="t_insp",
        area_codes=["593"],
    )
    inspection, photo, template_id = _inspection_samples(venue, team)
    violation, evidence, tip = _followup_samples(venue)
    from inspections.venues.qr import venue_token

    values = {
        "user_id": user("t_insp").id,
        "team_id": team.id,
        "code": "593",
        "venue_id": venue.id,
        "id": venue.id,
        "plan_id": db.session.scalar(select(Plan.id).where(Plan.number == "1227/KH-UBND")),
        "inspection_id": inspection.id,
        "photo_id": photo.id,
        "template_id": template_id,
        "role": "lead",
        "token": venue_token(venue.id),  # a genuine QR label of the venue
        "fmt": "csv",
        "upload": "no-such-upload",
        "violation_id": violation.id,
        "file_id": evidence.id,
        "tip_id": tip.id,
        "sector": "karaoke",
    }
    return values


def _followup_samples(venue):
    """A violation of a submitted inspection with a remedy followed up (with a photo), a tip."""
    import io
    from datetime import timedelta

    from PIL import Image

    from inspections.clock import today
    from inspections.tips.models import Tip
    from inspections.violations import followup
    from inspections.violations.models import LegalViolation, RecordedViolation
    from inspections.visits.models import Inspection

    day = today() - timedelta(days=10)
    from datetime import UTC, datetime

    inspection = Inspection(
        venue_id=venue.id,
        status="submitted",
        inspected_at=datetime.now(UTC) - timedelta(days=10),
        inspected_on=day,
    )
    db.session.add(inspection)
    db.session.flush()
    violation = RecordedViolation(
        inspection_id=inspection.id,
        venue_id=venue.id,
        legal_violation_id=db.session.scalar(select(LegalViolation.id).limit(1)),
        offender_type="individual",
        fine_vnd=1_000_000,
        measures=[],
        remedy="Khắc phục",
        remedy_deadline=day + timedelta(days=5),
    )
    db.session.add(violation)
    db.session.flush()
    followup.sync_register([inspection.id])
    jpeg = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 30)).save(jpeg, "JPEG")
    step = followup.add_followup(
        user("t_review"), violation, kind="remedied", on=today(), evidence=[jpeg.getvalue()]
    )
    tip = Tip(
        venue_id=venue.id,
        received_on=day,
        source="citizen",
        summary="Tin báo mẫu",
        classification="other",
        due_on=day + timedelta(days=30),
    )
    db.session.add(tip)
    db.session.flush()
    return violation, step.files[0], tip


def _inspection_samples(venue, team):
    """A draft inspection by t_insp (with a photo) and a checklist version."""
    import io
    from datetime import UTC, datetime, timedelta

    from PIL import Image

    from inspections.visits import services as visits

    inspection = visits.create(
        user("t_insp"),
        {
            "venue_id": venue.id,
            "inspected_at": datetime.now(UTC) - timedelta(hours=1),
            "team_id": team.id,
            "location": {"latitude": 10.93, "longitude": 108.10, "accuracy_m": 10},
        },
    )
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, "JPEG")
    photo, _created = visits.add_photo(user("t_insp"), inspection, jpeg.getvalue())
    return inspection, photo, inspection.checklist_template_id


def _url(rule: Rule, samples: dict) -> str:
    args = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        args[name] = samples.get(name, 1 if "Integer" in converter else "1")
    return rule.build(args, append_unknown=False)[1]


def test_every_route_declares_a_permission(app):
    missing = []
    for rule, method in _routes(app):
        with app.test_request_context(_url(rule, {}), method=method):
            if declared_permission(rule.endpoint) is None:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert missing == [], "routes without @requires(...): " + ", ".join(missing)


def _call(client, method, url, token_page="/"):
    if method == "GET":
        return client.get(url)
    token = csrf_token(client, token_page)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers={"X-CSRFToken": token})
    return client.open(url, method=method, data={"csrf_token": token})


@pytest.mark.parametrize("role", ROLES)
def test_every_route_with_every_role(app, client, samples, role):
    wrong = []
    for rule, method in _routes(app):
        login(client, ROLE_ACCOUNT[role])  # again each time: one of the routes is /logout
        url = _url(rule, samples)
        with app.test_request_context(url, method=method):
            perm = declared_permission(rule.endpoint)
        r = _call(client, method, url)
        allowed = role_allows(role, perm)
        ok = (
            (r.status_code not in (401, 403) and r.status_code < 500)
            if allowed
            else (r.status_code == 403)
        )
        if not ok:
            wrong.append(f"{method} {url} [{perm}] -> {r.status_code}")
        if (
            r.status_code == 302
            and "/login" in r.headers.get("Location", "")
            and (rule.endpoint != "accounts.logout")
        ):
            wrong.append(f"{method} {url} logged {role} out")
    assert wrong == []


def test_every_route_anonymously(app, client):
    wrong = []
    for rule, method in _routes(app):
        url = _url(rule, {"code": "593"})
        with app.test_request_context(url, method=method):
            perm = declared_permission(rule.endpoint)
        r = _call(client, method, url, token_page="/login")
        if perm == P.PUBLIC:
            ok = r.status_code < 500 and r.status_code not in (401, 403)
        elif url.startswith("/api/"):
            ok = r.status_code == 401
        else:
            ok = r.status_code == 302 and "/login" in r.headers["Location"]
        if not ok:
            wrong.append(f"{method} {url} [{perm}] -> {r.status_code}")
    assert wrong == []
