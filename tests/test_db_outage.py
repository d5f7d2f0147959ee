"""The database goes away: every request answers 503 with a clear message (never a 500 or a
trace), /healthz says so, and the app serves again once the database is back, without a
restart (pool_pre_ping checks each pooled connection before use)."""

from __future__ import annotations

import socket
import threading
import uuid
from contextlib import suppress

import pytest
from sqlalchemy import text

from inspections.accounts.services import TOKEN_PREFIX
from inspections.extensions import db
from inspections.i18n import LOCALE_COOKIE
from tests.conftest import make_app

_TOKEN = {"Authorization": f"Bearer {TOKEN_PREFIX}{'x' * 40}"}  # looked up in the database


def _second_app(url: str, tmp_path, **engine):
    """Another app (own engine and pool) on url, outside the suite's test transaction."""
    return make_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=engine)


def _expect_outage(application) -> None:
    client = application.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["database"] == "unreachable" and health.json["message"]
    api = client.get("/api/v1/venues", headers=_TOKEN)
    assert api.status_code == 503, api.data
    assert "database cannot be reached" in api.json["message"]
    assert api.headers["Retry-After"]
    # a signed-in person's page: the account is read from the database first
    with client.session_transaction() as sess:
        sess["_user_id"] = "1:" + "0" * 32
    page = client.get("/venues", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert b"database cannot be reached" in page.data
    assert b"Traceback" not in page.data
    client.set_cookie(LOCALE_COOKIE, "vi")
    vi = client.get("/api/v1/venues", headers=_TOKEN)
    assert vi.status_code == 503 and "không kết nối được" in vi.json["message"].lower()


class _Proxy:
    """A TCP relay to the test cluster that can be cut and restored: the database 'goes
    down' for the app behind it while the shared server keeps running."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.server: socket.socket | None = None
        self.links: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.port = server.getsockname()[1]
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _addr = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with suppress(OSError):
            dst.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.server:
            with suppress(OSError):
                self.server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self.server.close()
            self.server = None
        for link in self.links:
            with suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()
        self.links.clear()


def test_an_unreachable_database_is_a_503_with_a_message(db_kind, tmp_path):
    if db_kind == "postgis":
        url = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/nowhere"  # a closed port
    else:
        url = f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}"  # cannot be opened
    _expect_outage(_second_app(url, tmp_path))


def test_sqlite_serves_again_once_its_file_can_be_opened(db_kind, tmp_path):
    if db_kind != "sqlite":
        pytest.skip("SQLite only")
    folder = tmp_path / "later"
    application = _second_app(f"sqlite:///{folder / 'x.db'}", tmp_path)
    _expect_outage(application)
    folder.mkdir()
    assert application.test_client().get("/healthz").status_code == 200


def test_postgis_outage_and_recovery_without_restart(app, db_kind, tmp_path):
    if db_kind != "postgis":
        pytest.skip("PostgreSQL only: a server that stops and comes back")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    from sqlalchemy.engine import make_url

    real = make_url(url)
    proxy = _Proxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.start()
    name = f"outage-{uuid.uuid4().hex[:8]}"
    via_proxy = real.set(port=proxy.port).render_as_string(hide_password=False)
    application = _second_app(via_proxy, tmp_path, connect_args={"application_name": name})
    client = application.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        proxy.stop()  # the server is gone
        _expect_outage(application)
        proxy.start()  # back on the same port
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz").json == {"database": "ok", "status": "ok"}

        # a pooled connection the server ended (pg_terminate_backend, a restart): the next
        # request checks it first and opens a new one
        killed = db.session.execute(  # the suite's own connection, same role
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :n"
            ),
            {"n": name},
        ).scalar_one()
        assert killed >= 1
        assert client.get("/healthz").status_code == 200
    finally:
        proxy.stop()
        with application.app_context():
            db.engine.dispose()
