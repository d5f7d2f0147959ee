"""The shell every capability grows in: health, errors, language, headers, API root."""

import re
from pathlib import Path

import pytest

from inspections.config import INSECURE_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
CDN = re.compile(
    r"cdn\.jsdelivr|cdnjs\.|unpkg\.com|code\.jquery\.com|bootstrapcdn|"
    r"fonts\.googleapis|ajax\.googleapis"
)


def test_health_checks_the_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "ok"}


def test_pages_need_login(client):
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.get("/api/v1/areas").status_code == 401


def test_errors_are_json_for_the_api_and_pages_for_people(client, as_user):
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.is_json and api.json["code"] == 404
    as_user("t_coord")
    page = client.get("/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Traceback" not in page.get_data(as_text=True)


def test_unexpected_errors_show_no_trace(app, tmp_path):
    """A crash answers a plain 500 page: no stack trace, no SQL."""
    from sqlalchemy import text

    from inspections.accounts.permissions import P, requires
    from inspections.extensions import db
    from tests.conftest import make_app

    crashing = make_app(app.config["DATABASE_URL"], tmp_path)

    @crashing.get("/_test_crash")
    @requires(P.PUBLIC)
    def _crash():
        db.session.execute(text("SELECT * FROM no_such_table"))

    for accept in ("text/html", "application/json"):
        r = crashing.test_client().get("/_test_crash", headers={"Accept": accept})
        body = r.get_data(as_text=True)
        assert r.status_code == 500
        assert "Traceback" not in body and "no_such_table" not in body and "SELECT" not in body
    with crashing.app_context():
        db.engine.dispose()


def test_vietnamese_by_default_english_on_request(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "vi")  # the shipped default
    vi = client.get("/login").get_data(as_text=True)
    assert 'lang="vi"' in vi and "Đăng nhập" in vi
    r = client.get("/language/en?next=/login")
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    en = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in en and "Sign in" in en
    # an external "next" is not followed
    r = client.get("/language/vi?next=https://evil.example/")
    assert "evil.example" not in r.headers["Location"]


def test_security_headers(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_refused_page_still_has_a_script_nonce(as_user):
    """A 403 raised by a before_request hook (before the nonce hook) renders the error page
    under a real nonce: its import map and scripts are not blocked by the CSP."""
    r = as_user("t_insp").get("/rounds")  # coordinators only
    assert r.status_code == 403
    nonce = re.search(r"'nonce-([^']*)'", r.headers["Content-Security-Policy"])[1]
    assert len(nonce) >= 16
    tags = [t for t in re.findall(r"<script\b[^>]*>", r.get_data(as_text=True)) if "src=" not in t]
    assert all(f'nonce="{nonce}"' in t for t in tags)


def test_pages_with_personal_data_are_not_stored(client, as_user):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    as_user("t_coord")
    for path in ("/", "/venues", "/teams", "/account/password", "/nothing-here"):
        r = client.get(path)
        assert r.mimetype == "text/html" and r.headers["Cache-Control"] == "no-store", path
    # static files keep their own caching
    r = client.get("/static/css/app.css")
    r.close()
    assert r.status_code == 200 and "no-store" not in r.headers.get("Cache-Control", "")


def test_api_root_and_openapi(client):
    root = client.get("/api/v1/")
    assert root.status_code == 200 and "/api/v1/areas" in root.json["collections"]
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and "/api/v1/areas/locate" in spec.json["paths"]
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui-dist-" in docs and not CDN.search(docs)


def test_no_asset_comes_from_a_cdn():
    offenders = []
    for folder in ("inspections", "templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if (
                "vendor" in path.parts
                or not path.is_file()
                or path.suffix not in (".py", ".html", ".js", ".css")
            ):
                continue
            if CDN.search(path.read_text(encoding="utf-8", errors="ignore")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_production_entry_refuses_the_default_secret(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("INSPECTIONS_SECRET_KEY", INSECURE_SECRET_KEY)
    sys.modules.pop("inspections.wsgi", None)
    with pytest.raises(RuntimeError, match="INSPECTIONS_SECRET_KEY"):
        importlib.import_module("inspections.wsgi")
    sys.modules.pop("inspections.wsgi", None)


def test_production_entry_freezes_what_it_loaded(monkeypatch, tmp_path):
    """After loading, the app's objects are out of the collector's reach (gc.freeze): a
    full collection during a request walks only what requests made."""
    import gc
    import importlib
    import sys

    monkeypatch.setenv("INSPECTIONS_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("INSPECTIONS_DATABASE_URL", f"sqlite:///{tmp_path}/frozen.db")
    gc.unfreeze()
    sys.modules.pop("inspections.wsgi", None)
    try:
        importlib.import_module("inspections.wsgi")
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        sys.modules.pop("inspections.wsgi", None)
