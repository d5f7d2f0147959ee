"""Accounts: login, rate limits, sessions, passwords, tokens, CLI, teams, audit trail."""

import os
from datetime import date

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from inspections.accounts.models import LoginAttempt, Team, User
from inspections.accounts.services import (
    MAX_FAILS_PER_ACCOUNT,
    create_user,
    save_team,
    scope_of,
    set_active,
)
from inspections.audit.models import AuditEvent
from inspections.errors import Invalid
from inspections.extensions import db
from inspections.venues.models import Venue
from tests.conftest import TEST_PASSWORD, csrf_token, login, user


def events(action, **where):
    q = select(AuditEvent).where(AuditEvent.action == action)
    for key, value in where.items():
        q = q.where(getattr(AuditEvent, key) == value)
    return list(db.session.scalars(q.order_by(AuditEvent.id)))


def post_login(client, username, password, **extra):
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client),
            **extra,
        },
    )


def post_password(client, new_password, current=TEST_PASSWORD):
    """The own-password form, the new password confirmed."""
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new_password,
            "confirm": new_password,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )


# ---------------------------------------------------------------- login


def test_login_with_the_form_and_audit(client):
    r = post_login(client, "t_coord", TEST_PASSWORD, next="/areas")
    assert r.status_code == 302 and r.headers["Location"] == "/areas"
    assert client.get("/").status_code == 200
    assert events("login", username="t_coord")
    assert user("t_coord").last_login_at is not None


def test_open_redirect_is_refused(client):
    r = post_login(client, "t_coord", TEST_PASSWORD, next="https://evil.example/")
    assert r.headers["Location"] == "/"


def test_wrong_password_is_logged_and_kept_despite_the_failed_request(client):
    r = post_login(client, "t_coord", "not the password")
    assert r.status_code == 401
    assert "Wrong username or password" in r.get_data(as_text=True)
    assert events("login_failed", username=None) or events("login_failed")
    n = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == "t_coord", LoginAttempt.success.is_(False))
    )
    assert n == 1


def test_unknown_user_gets_the_same_message(client):
    r = post_login(client, "nobody-here", "whatever-password")
    assert r.status_code == 401
    assert "Wrong username or password" in r.get_data(as_text=True)


def test_rate_limit_per_account(client, monkeypatch):
    from inspections.accounts import services

    now = services.utcnow()
    monkeypatch.setattr(services, "utcnow", lambda: now)  # within the delay, however slow
    for _ in range(MAX_FAILS_PER_ACCOUNT):
        assert post_login(client, "t_viewer", "bad-password-x").status_code == 401
    r = post_login(client, "t_viewer", TEST_PASSWORD)  # even the right password waits
    assert r.status_code == 429
    assert "Try again in" in r.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_rate_limit_per_address(client):
    for i in range(20):
        post_login(client, f"ghost{i}", "bad-password-x")
    r = post_login(client, "t_coord", TEST_PASSWORD)
    assert r.status_code == 429 and "from this address" in r.get_data(as_text=True)


def test_missing_csrf_token_is_refused(client):
    r = client.post("/login", data={"username": "t_coord", "password": TEST_PASSWORD})
    assert r.status_code == 400
    assert client.get("/").status_code == 302


def test_over_long_and_odd_input(client):
    r = post_login(client, "x" * 500, "y")
    assert r.status_code == 422
    r = client.post(
        "/login",
        data=b"username=%FF%FE&password=%C3%28&csrf_token=" + csrf_token(client).encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code in (401, 422)


def test_session_lifetime_and_cookie_flags(client):
    r = post_login(client, "t_coord", TEST_PASSWORD)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    r = client.get("/login", base_url="https://localhost")
    assert "Secure" in r.headers.get("Set-Cookie", "")


# ---------------------------------------------------------------- passwords and sessions


def test_password_change_ends_other_sessions(app, client):
    other = app.test_client()
    login(other, "t_coord")
    login(client, "t_coord")
    r = post_password(client, "another-long-pass")
    assert r.status_code == 302
    assert client.get("/").status_code == 200  # this session continues
    assert other.get("/").status_code == 302  # the other one ended
    assert events("password", username="t_coord")


@pytest.mark.parametrize(
    "form, field",
    [
        (
            {
                "current_password": "wrong-password",
                "new_password": "another-long-pass",
                "confirm": "another-long-pass",
            },
            "current password is wrong",
        ),
        (
            {
                "current_password": TEST_PASSWORD,
                "new_password": "another-long-pass",
                "confirm": "different-long-pass",
            },
            "differ",
        ),
        ({"current_password": TEST_PASSWORD, "new_password": "short", "confirm": "short"}, "10"),
        (
            {
                "current_password": TEST_PASSWORD,
                "new_password": "t_coord-long-pass",
                "confirm": "t_coord-long-pass",
            },
            "username",
        ),
    ],
)
def test_password_change_refusals(client, form, field):
    login(client, "t_coord")
    before = user("t_coord").password_hash
    r = client.post("/account/password", data={**form, "csrf_token": csrf_token(client, "/")})
    assert r.status_code == 422 and field in r.get_data(as_text=True)
    db.session.expire_all()
    assert user("t_coord").password_hash == before


def test_admin_reset_forces_a_new_password(client, app):
    login(client, "t_admin")
    target = user("t_viewer")
    r = client.post(
        f"/admin/users/{target.id}/reset",
        data={"password": "temporary-pass-1", "csrf_token": csrf_token(client, "/")},
    )
    assert r.status_code == 302
    fresh = app.test_client()
    r = post_login(fresh, "t_viewer", "temporary-pass-1")
    assert r.headers["Location"] == "/account/password"


def test_disabled_account_cannot_sign_in_and_loses_its_session(app, client):
    login(client, "t_viewer")
    set_active(user("t_viewer"), False)
    db.session.flush()
    assert client.get("/").status_code == 302
    fresh = app.test_client()
    assert post_login(fresh, "t_viewer", TEST_PASSWORD).status_code == 401


# ---------------------------------------------------------------- API tokens


def test_bearer_token_works_and_revoked_token_is_refused(client, runner):
    result = runner.invoke(args=["users", "token", "t_review", "--name", "qgis"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("insp_")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/areas?level=district", headers=headers).status_code == 200
    stored = db.session.scalar(text("SELECT token_hash FROM api_token WHERE name = 'qgis'"))
    assert token not in stored and len(stored) == 64
    assert runner.invoke(args=["users", "revoke", "t_review"]).exit_code == 0
    r = client.get("/api/v1/areas", headers=headers)
    assert r.status_code == 401 and "revoked" in r.json["message"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert events("token_rejected")


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer insp_notatoken", "Basic abc", "Bearer " + "x" * 500]
)
def test_malformed_tokens(client, header):
    r = client.get("/api/v1/areas", headers={"Authorization": header})
    assert r.status_code == 401


def test_cookie_api_calls_need_csrf_but_token_calls_do_not(client, token_for):
    login(client, "t_admin")
    # a state-changing call with the session cookie and no CSRF header is refused
    r = client.post("/logout")
    assert r.status_code == 400
    headers = token_for("t_admin")
    r = client.post("/api/v1/areas", headers=headers, json={})
    assert r.status_code == 405  # no such method, but not a CSRF refusal


# ---------------------------------------------------------------- permissions and scope


def test_denial_is_audited_even_though_the_request_fails(client):
    login(client, "t_insp")
    r = client.get("/admin/users")
    assert r.status_code == 403
    denied = events("denied", username="t_insp")
    assert denied and "/admin/users" in denied[0].summary


def test_district_account_sees_only_its_district(create_venue):
    inside = create_venue(name="Trong huyện", lat=10.93, lon=108.10)  # Phan Thiết (593)
    outside = create_venue(name="Ngoài huyện", lat=10.68, lon=107.77)  # La Gi (594)
    scope = scope_of(user("t_insp"))
    ids = set(db.session.scalars(select(Venue.id).where(scope.venues(Venue))))
    assert inside.id in ids and outside.id not in ids
    assert scope_of(user("t_coord")).everything
    assert scope_of(user("t_admin")).everything


# ---------------------------------------------------------------- CLI


def test_cli_create_list_disable(runner, monkeypatch):
    monkeypatch.setenv("INSPECTIONS_NEW_PASSWORD", "a-good-long-password")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "lan",
            "--role",
            "inspector",
            "--agency",
            "police",
            "--area",
            "593",
            "--full-name",
            "Nguyễn Thị Lan",
        ]
    )
    assert result.exit_code == 0, result.output
    lan = user("lan")
    assert lan.role == "inspector" and lan.home_area.code == "593"
    assert lan.password_hash.startswith("$argon2id$")
    assert "lan" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "disable", "lan"]).exit_code == 0
    db.session.expire_all()
    assert user("lan").active is False


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "boss", "--agency", "police"], "boss"),
        (["--role", "viewer", "--agency", "army"], "army"),
        (["--role", "viewer", "--agency", "police", "--area", "99999"], "99999"),
    ],
)
def test_cli_refuses_bad_input(runner, monkeypatch, args, message):
    monkeypatch.setenv("INSPECTIONS_NEW_PASSWORD", "a-good-long-password")
    result = runner.invoke(args=["users", "create", "someone", *args])
    assert result.exit_code != 0 and message in result.output
    assert user("someone") is None


def test_cli_refuses_duplicates_and_weak_passwords(runner, monkeypatch):
    monkeypatch.setenv("INSPECTIONS_NEW_PASSWORD", "a-good-long-password")
    result = runner.invoke(
        args=["users", "create", "t_coord", "--role", "viewer", "--agency", "police"]
    )
    assert result.exit_code == 1 and "taken" in result.output
    monkeypatch.setenv("INSPECTIONS_NEW_PASSWORD", "short")
    result = runner.invoke(
        args=["users", "create", "newbie", "--role", "viewer", "--agency", "police"]
    )
    assert result.exit_code == 1 and "10" in result.output


# ---------------------------------------------------------------- admin pages


def test_admin_creates_an_account_through_the_page(client):
    login(client, "t_admin")
    token = csrf_token(client, "/admin/users/new")
    bad = client.post(
        "/admin/users/new",
        data={
            "username": "Bad Name",
            "full_name": "x" * 200,
            "role": "viewer",
            "agency": "police",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    assert user("bad name") is None
    ok = client.post(
        "/admin/users/new",
        data={
            "username": "hoa",
            "full_name": "Lê Thị Hoa",
            "role": "reviewer",
            "agency": "culture",
            "area": "",
            "password": "first-password-1",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    hoa = user("hoa")
    assert hoa.role == "reviewer" and hoa.must_change_password
    assert events("create", object_type="user", object_id=hoa.id)


def test_admin_edits_an_account_and_history_shows_it(client):
    login(client, "t_admin")
    target = user("t_viewer")
    token = csrf_token(client, f"/admin/users/{target.id}")
    r = client.post(
        f"/admin/users/{target.id}",
        data={
            "full_name": "Đổi Tên",
            "role": "reviewer",
            "agency": "police",
            "area": "593",
            "active": "1",
            "csrf_token": token,
        },
    )
    assert r.status_code == 302
    change = events("update", object_type="user", object_id=target.id)[-1]
    assert change.changes["role"] == ["viewer", "reviewer"]
    assert change.username == "t_admin" and change.address
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert "Đổi Tên" in page and "reviewer" in page


def test_teams(client):
    login(client, "t_coord")
    token = csrf_token(client, "/teams/new")
    form = {
        "name": "Đoàn 178 Phan Thiết",
        "lead_agency": "labour",
        "active_from": "2024-01-01",
        "members": ["t_insp", "t_insp_pt", "t_review"],
        "lead": "t_insp",
        "areas": ["593"],
        "csrf_token": token,
    }
    r = client.post("/teams/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)
    team = db.session.scalar(select(Team).where(Team.name == "Đoàn 178 Phan Thiết"))
    assert {m.user.username for m in team.memberships} == {"t_insp", "t_insp_pt", "t_review"}
    assert [m.user.username for m in team.memberships if m.is_lead] == ["t_insp"]
    assert {a.code for a in team.areas} == {"593"}
    bad = client.post("/teams/new", data={**form, "name": "Đoàn khác", "lead": "t_viewer"})
    assert bad.status_code == 422 and "lead must be one of the members" in bad.get_data(
        as_text=True
    )
    bad = client.post("/teams/new", data={**form, "name": "Đoàn khác 2", "active_to": "2023-01-01"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Team)) == 1


def test_team_service_validation():
    with pytest.raises(Invalid):
        save_team(None, name="x", lead_agency_code="nope", active_from=date(2024, 1, 1))


# ---------------------------------------------------------------- audit trail


def test_audit_records_field_changes_with_old_and_new(create_venue):
    venue = create_venue(name="Karaoke Cũ")
    venue.name = "Karaoke Mới"
    venue.status = "suspended"
    db.session.flush()
    row = events("status", object_type="venue", object_id=venue.id)[-1]
    assert row.changes["name"] == ["Karaoke Cũ", "Karaoke Mới"]
    assert row.changes["status"] == ["operating", "suspended"]
    created = events("create", object_type="venue", object_id=venue.id)[0]
    assert created.changes["name"] == [None, "Karaoke Cũ"]


def test_audit_rows_cannot_be_changed_or_deleted(create_venue):
    create_venue()
    row_id = db.session.scalar(select(func.max(AuditEvent.id)))
    for statement in (
        update(AuditEvent).where(AuditEvent.id == row_id).values(summary="x"),
        text("DELETE FROM audit_event WHERE id = :id").bindparams(id=row_id),
    ):
        nested = db.session.begin_nested()
        with pytest.raises(DBAPIError) as exc:
            db.session.execute(statement)
        # SQLite: the trigger; PostgreSQL: the app role has no UPDATE/DELETE right at all
        assert "append-only" in str(exc.value) or "permission denied" in str(exc.value)
        nested.rollback()


def test_admin_browses_and_filters_the_audit_trail(client):
    login(client, "t_admin")
    assert client.get("/admin/audit?action=login").status_code == 200
    assert client.get("/admin/audit?action=nonsense").status_code == 422
    page = client.get("/admin/audit?object_type=user").get_data(as_text=True)
    assert "user" in page


def test_the_audit_trail_speaks_the_readers_language(client):
    """A summary the application writes is stored in English and shown translated: the same
    denial reads in Vietnamese for a Vietnamese reader and in English for an English one."""
    login(client, "t_insp")
    assert client.get("/admin/users").status_code == 403
    (denied,) = events("denied", username="t_insp")
    assert denied.summary == "GET /admin/users: needs users:manage"
    assert denied.summary_message == {
        "id": "%(method)s %(path)s: needs %(permission)s",
        "args": {"method": "GET", "path": "/admin/users", "permission": "users:manage"},
    }
    login(client, "t_admin")
    client.set_cookie("lang", "vi")
    page = client.get("/admin/audit?action=denied").get_data(as_text=True)
    assert "GET /admin/users: cần quyền users:manage" in page
    assert "needs users:manage" not in page
    assert ">Cơ sở</option>" in page  # what an event is about, in words
    client.set_cookie("lang", "en")
    page = client.get("/admin/audit?action=denied").get_data(as_text=True)
    assert "GET /admin/users: needs users:manage" in page


def test_the_audit_trail_names_fields_and_people_in_words(client, create_venue):
    venue = create_venue(name="Karaoke Nhật Ký Hệ Thống")  # written outside a request
    login(client, "t_admin")
    client.set_cookie("lang", "vi")
    page = client.get(f"/admin/audit?object_type=venue&object_id={venue.id}").get_data(as_text=True)
    assert '<dt title="sector_id">Ngành nghề</dt>' in page
    assert '<dt title="status">Trạng thái</dt>' in page
    assert "Hệ thống (dòng lệnh)" in page and ">cli:" not in page
    from inspections.audit.labels import change_label

    with client.application.test_request_context():
        assert change_label("inspection", "venue_id") == "Venue"  # "<object>_id": the object
        assert change_label("inspection", "inspected_on") == "Inspected on"
        assert change_label("inspection", "something_new") == "something_new"


def test_a_summary_in_plain_words_or_a_mismatched_message_is_shown_as_stored(app):
    from flask_babel import force_locale

    from inspections.audit.services import said, summary_text

    revoked = said("%(n)s token(s) revoked.", n=2)
    event = AuditEvent(
        summary=revoked.english(), summary_message={"id": revoked.msgid, "args": revoked.args}
    )
    typed = AuditEvent(summary="Lý do: %(n)s cơ sở", summary_message=None)
    # a message whose arguments no longer match the catalogue's text
    stale = AuditEvent(summary="2 token(s) revoked.", summary_message={"id": revoked.msgid})
    with app.test_request_context(), force_locale("vi"):
        assert summary_text(event) == "Đã thu hồi 2 mã truy cập."
        assert summary_text(typed) == "Lý do: %(n)s cơ sở"
        assert summary_text(stale) == "2 token(s) revoked."
    boundaries = said(
        "%(level)s boundaries (%(day)s) from %(source)s: %(n)s replaced",
        level="commune",
        day=date(2025, 7, 1),
        source="xa_2025.geojson",
        n=3,
    )
    assert (
        boundaries.english() == "commune boundaries (2025-07-01) from xa_2025.geojson: 3 replaced"
    )
    loaded = AuditEvent(summary_message={"id": boundaries.msgid, "args": boundaries.args})
    with app.test_request_context(), force_locale("vi"):  # codes and days in words
        assert summary_text(loaded) == "Ranh giới cấp xã (01/07/2025) từ xa_2025.geojson: thay 3"
    with app.test_request_context(), force_locale("en"):
        assert summary_text(event) == "2 token(s) revoked."
        assert (
            summary_text(loaded)
            == "commune boundaries (01/07/2025) from xa_2025.geojson: 3 replaced"
        )


def test_create_user_service_hashes_with_argon2():
    u = create_user(
        username="argon",
        password="very-long-password",
        role="viewer",
        agency_code="police",
        full_name="Argon",
    )
    assert u.password_hash.startswith("$argon2id$")
    assert isinstance(db.session.get(User, u.id), User)
    assert os.environ.get("INSPECTIONS_NEW_PASSWORD") is None


def test_a_request_without_a_session_sets_no_cookie_that_would_replace_the_sign_in_page(app):
    """The sign-in page's session (with its CSRF token) survives the answer of a request
    sent before that page's cookie existed: such an answer sets no session cookie."""
    import re

    cookie = app.config.get("SESSION_COOKIE_NAME", "session")
    phone = app.test_client()
    page = phone.get("/login")
    assert cookie in page.headers.get("Set-Cookie", "")  # the form's CSRF token lives there
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    for path in ("/sw.js", "/api/v1/offline/session", "/healthz"):
        stray = app.test_client().get(path)  # sent with no cookie, answered later
        assert cookie not in stray.headers.get("Set-Cookie", ""), path
    answer = phone.post(
        "/login", data={"username": "nobody", "password": "wrong", "csrf_token": token}
    )
    assert answer.status_code != 400  # the token still matches the session
