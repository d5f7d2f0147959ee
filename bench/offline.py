"""Benchmark of the offline app: the data pack of a district and the app shell from the cache.

    .venv/bin/python bench/offline.py                    # SpatiaLite in a temporary folder
    .venv/bin/python bench/offline.py --db postgresql+psycopg://postgres@127.0.0.1/bench_offline
    .venv/bin/python bench/offline.py --venues 600 --runs 9

An inspector of Phan Thiết (district 593) is in a team covering that district, which gets
--venues synthetic operating venues. Printed: the pack's size (bytes, gzip) and server time,
then, in headless Chromium at 390×844 through a real gunicorn, the reload time of the app shell
(/offline) and of a sector's form shell answered by the service worker with no connection.
Targets from issue 8: the pack of ~300 venues under 1 MB; a shell reload under 1 s.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PACK_TARGET_BYTES = 1_000_000
RELOAD_TARGET_MS = 1000
PASSWORD = "Bench-offline-2026!"  # noqa: S105 - a throwaway account of the bench database
CHROMIUM = os.environ.get("INSPECTIONS_CHROMIUM", "/usr/bin/chromium")


def build_app(url: str, upload: str, secret: str):
    from inspections import create_app

    return create_app(
        {"DATABASE_URL": url, "SECRET_KEY": secret, "UPLOAD_FOLDER": upload, "TILE_URL": ""}
    )


def prepare(app, venues: int) -> None:
    """Reference data, one inspector in a team of 593, and the district's venues."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from inspections import seeding
    from inspections.accounts.models import User
    from inspections.accounts.services import create_user, save_team
    from inspections.areas.services import assign_venue_areas
    from inspections.extensions import db
    from inspections.spatial import point
    from inspections.text import fold
    from inspections.venues.models import Sector, Venue

    with app.app_context():
        upgrade()
        seeding.run(demo=False)
        if db.session.scalar(select(User.id).where(User.username == "bench_insp")) is None:
            create_user(
                username="bench_insp",
                password=PASSWORD,
                role="inspector",
                agency_code="labour",
                area_code="593",
                full_name="Nguyễn Văn Bench",
            )
            create_user(
                username="bench_insp2",
                password=PASSWORD,
                role="inspector",
                agency_code="police",
                area_code="593",
                full_name="Trần Thị Bench",
            )
            save_team(
                None,
                name="Đoàn liên ngành Phan Thiết",
                lead_agency_code="labour",
                active_from=date(2024, 1, 1),
                member_usernames=["bench_insp", "bench_insp2"],
                lead_username="bench_insp",
                area_codes=["593"],
            )
        sectors = list(db.session.scalars(select(Sector.id)))
        rng = random.Random(8)
        streets = ["Trần Hưng Đạo", "Nguyễn Tất Thành", "Tôn Đức Thắng", "Võ Văn Kiệt", "Lê Lợi"]
        kinds = ["Karaoke", "Quán bar", "Nhà nghỉ", "Khách sạn", "Massage", "Cầm đồ"]
        ids = []
        for i in range(venues):
            name = f"{rng.choice(kinds)} {rng.choice(['Hoàng Gia', 'Biển Xanh', 'Mũi Né'])} {i}"
            address = f"{rng.randint(1, 400)} {rng.choice(streets)}"
            venue = Venue(
                name=name,
                search_text=fold(f"{name} {address}"),
                sector_id=rng.choice(sectors),
                address=address,
                location=point(10.91 + rng.random() * 0.05, 108.07 + rng.random() * 0.06),
            )
            db.session.add(venue)
            db.session.flush()
            ids.append(venue.id)
        assign_venue_areas(ids)
        db.session.commit()


def measure_pack(app, runs: int) -> None:
    from flask_login import FlaskLoginClient

    from inspections.accounts.models import User
    from inspections.extensions import db

    app.test_client_class = FlaskLoginClient
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "bench_insp"))
        client = app.test_client(user=user)
    client.get("/api/v1/offline/pack")  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        resp = client.get("/api/v1/offline/pack")
        times.append((time.perf_counter() - t) * 1000)
    body = resp.data
    pack = resp.get_json()
    zipped = len(gzip.compress(body, 6))
    t = time.perf_counter()
    unchanged = client.get("/api/v1/offline/pack", headers={"If-None-Match": resp.headers["ETag"]})
    etag_ms = (time.perf_counter() - t) * 1000
    ok = "OK" if len(body) < PACK_TARGET_BYTES else "OVER"
    print(
        f"pack: {len(pack['venues'])} venues, {len(pack['sectors'])} sectors, "
        f"{len(pack['violation_types'])} violation types"
    )
    print(
        f"pack size: {len(body):,} bytes ({len(body) / 1024:.0f} KB), gzip {zipped:,} bytes "
        f"({zipped / 1024:.0f} KB); target < {PACK_TARGET_BYTES:,} bytes: {ok}"
    )
    print(
        f"pack server time: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
        f"({runs} runs); unchanged (304): {unchanged.status_code} in {etag_ms:.0f} ms"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, upload: str, secret: str) -> tuple[subprocess.Popen, str]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    port = _free_port()
    env = {
        **os.environ,
        "INSPECTIONS_DATABASE_URL": url,
        "INSPECTIONS_SECRET_KEY": secret,
        "INSPECTIONS_UPLOAD_FOLDER": upload,
        "INSPECTIONS_TILE_URL": "",
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
            "inspections.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):  # noqa: S310
                return process, base
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start")


# The worker keeps the home page and every form of the pack, and controls the page.
READY = "() => Boolean(document.documentElement.dataset.offlineReady) && "
READY += "Boolean(navigator.serviceWorker.controller)"

NAV_MS = "() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd; }"


def measure_browser(base: str, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#f-username", "bench_insp")
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)
        page.goto(base + "/offline")
        t = time.perf_counter()
        page.wait_for_function(READY, timeout=60000)
        took = time.perf_counter() - t
        print(f"first visit: worker installed, pack and shells cached in {took:.1f} s")
        estimate = page.evaluate("navigator.storage.estimate().then((e) => e.usage)")
        print(f"phone storage used (Cache Storage + IndexedDB): {estimate / 1024:.0f} KB")
        venue = page.evaluate("window.inspectionsOffline.pack.then((p) => p.data.venues[0].id)")
        for label, online, path in (
            ("app shell /offline, online (network first)", True, "/offline"),
            ("app shell /offline, no connection (cache)", False, "/offline"),
            ("inspection form, no connection (cache)", False, f"/inspections/new?venue={venue}"),
        ):
            context.set_offline(not online)
            page.goto(base + path)
            timings = []
            for _ in range(runs):
                page.reload(wait_until="load")
                timings.append(page.evaluate(NAV_MS))
            median = statistics.median(timings)
            ok = "OK" if median < RELOAD_TARGET_MS else "OVER"
            print(
                f"reload {label}: median {median:.0f} ms, max {max(timings):.0f} ms ({runs} runs); "
                f"target < {RELOAD_TARGET_MS} ms: {ok}"
            )
        context.set_offline(False)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL (default: SpatiaLite in a temporary folder)")
    parser.add_argument("--venues", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        secret = uuid.uuid4().hex * 2
        app = build_app(url, tmp, secret)
        t = time.perf_counter()
        prepare(app, args.venues)
        print(f"database ready in {time.perf_counter() - t:.1f} s")
        measure_pack(app, args.runs)
        if not Path(CHROMIUM).exists():
            print(f"(no browser figures: {CHROMIUM} is missing)")
            return
        process, base = start_server(url, tmp, secret)
        try:
            measure_browser(base, args.runs)
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
