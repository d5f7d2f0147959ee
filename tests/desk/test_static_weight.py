"""Static files under content-hashed names, served compressed with a one-year immutable cache;
pages compressed; modules found through the import map; the service worker keeps the hashed
URLs. (The suite's own app shows plain names: here an app with the build switched on.)"""

from __future__ import annotations

import gzip
import json
import re

import brotli
import pytest

from inspections import assets
from tests.conftest import make_app

HASHED = re.compile(r"-[0-9a-f]{32}\.")


@pytest.fixture
def built_app(app, tmp_path):
    assert not assets.stale(), "the suite builds the static files at its start"
    digest_app = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, STATIC_DIGEST=True)
    yield digest_app
    with digest_app.app_context():
        from inspections.extensions import db

        db.engine.dispose()


def test_pages_link_hashed_files_served_compressed_and_immutable(built_app):
    client = built_app.test_client()
    login_page = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert login_page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(login_page.get_data()).decode()
    links = re.findall(r'(?:href|src)="(/static/[^"#]+)"', html)
    assert links and all(HASHED.search(u) for u in links), links
    css = next(u for u in links if "bootstrap.min" in u)
    for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        r = client.get(css, headers={"Accept-Encoding": encoding})
        assert r.status_code == 200 and r.headers["Content-Encoding"] == encoding
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        body = r.get_data()
        assert len(body) < 40_000 and b".btn" in decompress(body)
        r.close()
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
    plain.close()


def test_modules_resolve_through_the_import_map_and_the_worker_keeps_hashed_urls(built_app):
    client = built_app.test_client()  # public pages: the suite's transaction holds SQLite
    html = client.get("/login").get_data(as_text=True)
    found = re.search(r'<script type="importmap" nonce="[^"]+">(.*?)</script>', html, re.S)
    imports = json.loads(found[1])["imports"]
    for module in ("offline.js", "offline-store.js", "offline-sync.js", "visits-api.js"):
        hashed = imports[f"/static/js/{module}"]
        assert HASHED.search(hashed), hashed
        with client.get(hashed) as r:
            assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
    worker = client.get("/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"^const SHELL = (\[.*\]);", worker, re.M)[1])
    static = [u for u in shell if u.startswith("/static/")]
    assert static and all(HASHED.search(u) for u in static)
    # every module the worker keeps is the one the import map sends the pages to
    assert {u for u in static if u.startswith("/static/js/")} <= set(imports.values())
