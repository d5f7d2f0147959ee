"""Benchmark of inspection rounds on the phone: the offline pack of a team with three rounds of
300 venues, and the time to open those rounds from the pack with no connection.

    .venv/bin/python bench/rounds.py                    # SpatiaLite in a temporary folder
    .venv/bin/python bench/rounds.py --db postgresql+psycopg://postgres@127.0.0.1/bench_rounds
    .venv/bin/python bench/rounds.py --size 300 --rounds 3 --runs 5

The Phan Thiết team of bench/offline.py gets rounds x size venues (one list each, all under way
today). Printed: the pack's size with and without its rounds (bytes, gzip) and its server
time; then, in headless Chromium at 390×844 through a real gunicorn, the time from navigation
to every venue of every round drawn on "Đợt kiểm tra" (/rounds/mine) with no connection.
Target from issue 19: a round of 300 venues opens in under 1 s from the offline pack.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.offline import (  # noqa: E402
    CHROMIUM,
    PASSWORD,
    READY,
    build_app,
    prepare,
    start_server,
)

OPEN_TARGET_MS = 1000


def make_rounds(app, count: int, size: int) -> None:
    """count rounds of size venues for the bench team, all under way today."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from inspections import clock
    from inspections.accounts.models import Team
    from inspections.extensions import db
    from inspections.rounds import services
    from inspections.venues.models import Venue

    planner = SimpleNamespace(id=None, role="admin", home_area=None)
    with app.app_context():
        team = db.session.scalar(select(Team).order_by(Team.id).limit(1))
        inside = services.team_venues_clause(team)
        ids = list(db.session.scalars(select(Venue.id).where(inside).order_by(Venue.id)))
        if len(ids) < count * size:
            raise SystemExit(f"only {len(ids)} venues inside the team's area")
        today = clock.today()
        for i in range(count):
            services.save_round(
                planner,
                None,
                team_id=team.id,
                title=f"Đợt kiểm tra {i + 1}",
                starts_on=today - timedelta(days=3),
                ends_on=today + timedelta(days=25),
                venue_ids=ids[i * size : (i + 1) * size],
            )
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
    rounds = pack["rounds"]
    part = json.dumps(rounds, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    print(
        f"pack: {len(pack['venues'])} venues, {len(rounds)} rounds of "
        f"{', '.join(str(len(r['venues'])) for r in rounds)} venues"
    )
    print(
        f"pack size: {len(body):,} bytes ({len(body) / 1024:.0f} KB), gzip "
        f"{len(gzip.compress(body, 6)):,} bytes; of which rounds {len(part):,} bytes "
        f"({len(part) / 1024:.0f} KB), gzip {len(gzip.compress(part, 6)):,} bytes"
    )
    print(
        f"pack server time: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
        f"({runs} runs)"
    )


DRAWN = "(n) => document.querySelectorAll('li.rd-venue').length >= n"


def measure_browser(base: str, runs: int, expected: int) -> None:
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
        page.goto(base + "/rounds/mine")
        page.wait_for_function(READY, timeout=60000)
        page.wait_for_function(DRAWN, arg=expected, timeout=60000)
        for label, online in (("online", True), ("no connection (pack)", False)):
            context.set_offline(not online)
            timings = []
            for _ in range(runs):
                page.reload(wait_until="commit")
                page.wait_for_function(DRAWN, arg=expected, timeout=30000)
                timings.append(page.evaluate("performance.now()"))
            median = statistics.median(timings)
            ok = "OK" if median < OPEN_TARGET_MS else "OVER"
            print(
                f"open /rounds/mine, {label}: {expected} venues drawn in median {median:.0f} ms, "
                f"max {max(timings):.0f} ms ({runs} runs); target < {OPEN_TARGET_MS} ms: {ok}"
            )
        context.set_offline(False)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL (default: SpatiaLite in a temporary folder)")
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        secret = uuid.uuid4().hex * 2
        app = build_app(url, tmp, secret)
        t = time.perf_counter()
        prepare(app, args.size * args.rounds * 11 // 10)  # a few fall outside the district
        make_rounds(app, args.rounds, args.size)
        print(f"database ready in {time.perf_counter() - t:.1f} s")
        measure_pack(app, args.runs)
        if not Path(CHROMIUM).exists():
            print(f"(no browser figures: {CHROMIUM} is missing)")
            return
        process, base = start_server(url, tmp, secret)
        try:
            measure_browser(base, args.runs, args.size * args.rounds)
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
