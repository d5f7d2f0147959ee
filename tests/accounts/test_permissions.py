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
    return _samples(create_venue, **DISTRICTS["593"])


DISTRICTS = {
    "593": {"code": "593", "lat": 10.93, "lon": 108.10, "inspector": "t_insp"},  # Phan Thiết
    "594": {"code": "594", "lat": 10.68, "lon": 107.77, "inspector": "t_insp_lagi"},  # La Gi
}


def _samples(create_venue, *, code, lat, lon, inspector):
    """A venue, team, inspection, violation, tip… of one district, keyed by URL parameter."""
    venue = create_venue(name=f"Karaoke Mẫu {code}", lat=lat, lon=lon)
    team = save_team(
        None,
        name=f"Đoàn mẫu {code}",
        lead_agency_code="labour",
        active_from=date(2024, 1, 1),
        member_usernames=[inspector],
        lead_username=inspector,
        area_codes=[code],
    )
    inspection, photo, template_id = _inspection_samples(venue, team, inspector, lat, lon)
    violation, evidence, tip = _followup_samples(venue)
    from inspections.venues.qr import venue_token

    values = {
        "user_id": user(inspector).id,
        "team_id": team.id,
        "code": code,
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


def _inspection_samples(venue, team, inspector="t_insp", lat=10.93, lon=108.10):
    """A draft inspection by the inspector (with a photo) and a checklist version."""
    import io
    from datetime import UTC, datetime, timedelta

    from PIL import Image

    from inspections.visits import services as visits

    inspection = visits.create(
        user(inspector),
        {
            "venue_id": venue.id,
            "inspected_at": datetime.now(UTC) - timedelta(hours=1),
            "team_id": team.id,
            "location": {"latitude": lat, "longitude": lon, "accuracy_m": 10},
        },
    )
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, "JPEG")
    photo, _created = visits.add_photo(user(inspector), inspection, jpeg.getvalue())
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


# ---------------------------------------------------------------- the area dimension

# URL parameters that name an object lying in one district (not the province-wide checklist,
# an account or a format).
AREA_OBJECTS = {
    "team_id", "venue_id", "id", "inspection_id", "photo_id", "violation_id", "file_id",
    "tip_id", "code", "token",
}  # fmt: skip
# Where "code" is no object of a district: the language switch, and the administrative map
# (names and boundaries of every unit), which is province-wide reference data.
REFERENCE_BLUEPRINTS = {"core", "areas", "areas_api"}


def test_every_route_for_a_district_coordinator_and_objects_of_another_district(
    app, client, create_venue
):
    """A coordinator of 593 meets objects of 594: 404 (or 403) on every route that names one,
    403 on province-wide plans, and no page lists them (teams, venues, people, tips)."""
    other = _samples(create_venue, **DISTRICTS["594"])
    secrets = ["Karaoke Mẫu 594", "Đoàn mẫu 594", "Test t_insp_lagi"]
    wrong = []
    for rule, method in _routes(app):
        login(client, "t_coord_pt")
        url = _url(rule, other)
        with app.test_request_context(url, method=method):
            perm = declared_permission(rule.endpoint)
        if not role_allows("coordinator", perm) or rule.endpoint == "accounts.logout":
            continue  # refused by role: the walk above
        r = _call(client, method, url)
        names = set(rule.arguments)
        if rule.endpoint.split(".")[0] in REFERENCE_BLUEPRINTS:
            names.discard("code")
        if "plan_id" in names or rule.endpoint == "coverage.plan_edit":
            ok = r.status_code == 403  # province-wide: province-level accounts only
        elif names & AREA_OBJECTS:
            ok = r.status_code in (403, 404)
        else:
            ok = r.status_code < 500
        readable = r.mimetype.startswith("text/") or r.is_json
        body = r.get_data(as_text=True) if method == "GET" and readable else ""
        leaked = [s for s in secrets if s in body]
        if not ok or leaked:
            wrong.append(f"{method} {url} -> {r.status_code} {leaked or ''}")
    assert wrong == [], "\n".join(wrong)


def test_district_coordinator_manages_the_teams_of_its_district(client, create_venue):
    """Teams of 593 are listed and saved; members and areas only from 593."""
    login(client, "t_coord_pt")
    token = csrf_token(client, "/teams/new")
    form = {
        "name": "Đoàn huyện 593",
        "lead_agency": "labour",
        "active_from": "2024-01-01",
        "members": ["t_insp", "t_insp_pt"],
        "lead": "t_insp",
        "areas": ["593"],
        "csrf_token": token,
    }
    r = client.post("/teams/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)
    team_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert "Đoàn huyện 593" in client.get("/teams").get_data(as_text=True)
    page = client.get("/teams/new").get_data(as_text=True)
    assert "Test t_insp_pt" in page
    assert "Test t_insp_lagi" not in page and "Test t_admin" not in page
    for change, field in (
        ({"members": ["t_insp", "t_insp_lagi"]}, "t_insp_lagi"),  # a member of 594
        ({"areas": ["594"]}, "594"),  # an area outside
        ({"areas": ["60"]}, "60"),  # the province
        ({"areas": []}, "at least one area"),
    ):
        r = client.post(f"/teams/{team_id}", data={**form, **change})
        assert r.status_code == 422 and field in r.get_data(as_text=True), change
    # a province-level coordinator still sees and changes every team
    login(client, "t_coord")
    assert "Đoàn huyện 593" in client.get("/teams").get_data(as_text=True)
    r = client.post(f"/teams/{team_id}", data={**form, "members": ["t_insp_lagi"], "lead": ""})
    assert r.status_code == 302


def test_province_plans_are_changed_by_province_accounts_only(client):
    plan_id = db.session.scalar(select(Plan.id).where(Plan.number == "1227/KH-UBND"))
    for username, status in (("t_coord_pt", 403), ("t_coord", 200), ("t_admin", 200)):
        login(client, username)
        assert client.get(f"/coverage/plans/{plan_id}").status_code == status, username
        assert client.get("/coverage/plans/new").status_code == status, username
    login(client, "t_coord_pt")
    before = db.session.get(Plan, plan_id).coverage_target_pct
    r = client.post(
        f"/coverage/plans/{plan_id}",
        data={"coverage_target_pct": "1", "csrf_token": csrf_token(client, "/")},
    )
    assert r.status_code == 403
    db.session.expire_all()
    assert db.session.get(Plan, plan_id).coverage_target_pct == before
