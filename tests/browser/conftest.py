"""Browser tests: a real server process on its own database, driven by Debian's Chromium.

The server runs in a subprocess (gunicorn) against a database created for this test module;
``live_app`` is an app object on the same database for arranging data (commit for real).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from inspections.extensions import db
from tests.conftest import (
    ROLE_USERS,
    TEST_PASSWORD,
    _create_role_users,
    app_role_url,
    dispose_database,
    make_app,
    migrate_and_seed,
    new_database_url,
)

CHROMIUM = os.environ.get("INSPECTIONS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    """Every test of this folder drives the browser (a conftest's pytestmark marks nothing)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A running server and the database behind it."""

    def __init__(self, url: str, app, base: str, process: subprocess.Popen, log: Path):
        self.database_url, self.app, self.base, self.process, self.log = (
            url,
            app,
            base,
            process,
            log,
        )

    def url(self, path: str = "/") -> str:
        return self.base + path


@pytest.fixture(scope="module")
def live_server(db_kind, tmp_path_factory, request):
    """Start gunicorn on a fresh, seeded database (demo data if the module sets LIVE_DEMO)."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if not Path(CHROMIUM).exists() or gunicorn is None:
        pytest.skip(f"browser tests need {CHROMIUM} and gunicorn (run: make test)")
    tmp_dir = tmp_path_factory.mktemp("live")
    url = new_database_url(db_kind, tmp_dir, "live")
    demo = getattr(request.module, "LIVE_DEMO", False)
    secret = uuid.uuid4().hex * 2  # shared, so tokens made here (QR labels) verify there
    migrate_and_seed(make_app(url, tmp_dir, SECRET_KEY=secret), demo=demo)  # as the owner
    served_url = app_role_url(url)  # the server runs as the app role, like production
    application = make_app(served_url, tmp_dir, SECRET_KEY=secret)
    with application.app_context():
        _create_role_users()
        db.session.commit()
    port = _free_port()
    log = tmp_dir / "server.log"
    log_file = log.open("w")
    env = {
        **os.environ,
        "INSPECTIONS_DATABASE_URL": served_url,
        "INSPECTIONS_SECRET_KEY": secret,
        "INSPECTIONS_UPLOAD_FOLDER": str(tmp_dir / "uploads"),
        "INSPECTIONS_TILE_URL": "",
        "INSPECTIONS_DEFAULT_LOCALE": "en",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [
            gunicorn,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
            # Every request with its duration: a failing test shows the server's side of it.
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(t)s "%(r)s" %(s)s %(b)s %(L)ss',
            "inspections.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        process.wait(timeout=10)
        log_file.close()
        pytest.fail("server did not start:\n" + log.read_text())
    server = LiveServer(url, application, base, process, log)
    yield server
    process.terminate()
    process.wait(timeout=10)
    log_file.close()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    dispose_database(url)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test reports the live server's last requests and the page's errors."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    server = item.funcargs.get("live_server")
    if server is not None and server.log.exists():
        tail = server.log.read_text(errors="replace").splitlines()[-80:]
        report.sections.append(("live server log (last 80 lines)", "\n".join(tail)))
    page = item.funcargs.get("phone")
    if page is not None and getattr(page, "errors", None):
        report.sections.append(("page console errors", "\n".join(page.errors[-30:])))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need {CHROMIUM} (run: make test)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh 390×844 browser context (a phone) with its page; console errors are collected."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def sign_in(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real login form."""
    assert username in ROLE_USERS or username == "admin"
    page.goto(live_server.url("/login"))
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)
