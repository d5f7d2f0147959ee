"""Coverage speed on the benchmark databases of bench/generate.py (prints figures, asserts nothing).

    .venv/bin/python bench/generate.py            # once: builds both databases
    .venv/bin/python bench/coverage.py [--runs 15] [--no-browser]

Measures, in the same run:
- GET /api/v1/coverage?period=2024&level=district (the former map) and
  GET /api/v1/coverage?period=2026&level=commune (today's map: 34 provinces and 3,321 communes
  at national scale) at the server (Flask test client, bearer token, median of N) against the
  bare SQL aggregate the service runs (same statement, executed directly); national scale
  (target < 300 ms and ≤ 1.5× the bare SQL) and province scale (target < 30 ms); and, for
  information, the national figures of 2023, a past period (most of its venues were inspected
  again later, so their chains are read);
- the province coverage page: HTML size (target < 400 KB) and, in headless Chromium, the time
  from navigation start until the choropleth paths and the venue clusters are in the document
  (Performance API clock; target < 2 s).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import BENCH_PASSWORD, BENCH_USER, database_url  # noqa: E402

CHROMIUM = os.environ.get("INSPECTIONS_CHROMIUM", "/usr/bin/chromium")
URL = "/api/v1/coverage?period=2024&level=district"
PAGE = "/coverage?period=2024&level=district"
# Recorded in the page by an init script (not subject to the page's CSP): the Performance API
# time at which the map's polygons and clusters are first both in the document.
DRAWN_PROBE = """
(() => {
  const done = () => document.querySelectorAll('#cov-map path.leaflet-interactive').length > 0
      && document.querySelectorAll('#cov-map .marker-cluster').length > 0;
  // The map's script runs while the page is parsed: watch from the very start.
  const obs = new MutationObserver(() => {
    if (window.__mapDrawnAt === undefined && done()) {
      window.__mapDrawnAt = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document, {childList: true, subtree: true});
})();
"""


def median_ms(fn, runs: int) -> tuple[float, float, float]:
    """(median, min, max) in milliseconds of fn() over runs calls, after two warm-ups."""
    fn()
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times), max(times)


def _stats(times: list[float]) -> str:
    return f"median {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f})"


def measure_api(
    scale: str, runs: int, target_ms: float | None, key: str = "2024", level: str = "district"
) -> None:
    """The API at the server against the bare SQL of the same figure set, interleaved so that
    both see the same machine load. target_ms None: measured for information only."""
    from inspections import create_app
    from inspections.accounts.services import Scope, create_token, get_user
    from inspections.coverage import periods, plans, rule
    from inspections.extensions import db

    app = create_app({"DATABASE_URL": database_url(scale), "TILE_URL": ""})
    with app.app_context():
        token = create_token(get_user(BENCH_USER), name="bench", days=1)
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    period = periods.parse(key)
    url = f"/api/v1/coverage?period={key}&level={level}"

    def bare():
        with app.app_context():
            baseline = plans.plan_for(period).baseline_on
            stmt = rule.figures_statement(period, level, Scope(), baseline)
            t = time.perf_counter()
            db.session.execute(stmt).all()
            return (time.perf_counter() - t) * 1000

    def api():
        t = time.perf_counter()
        r = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - t) * 1000
        assert r.status_code == 200, r.data[:300]
        return elapsed, r

    for _ in range(3):  # warm-up: pools, caches, prepared statements
        bare()
        api()
    gc.freeze()  # as the production entry does once the app is loaded (inspections/wsgi.py)
    sql_times, api_times = [], []
    for _ in range(runs):
        sql_times.append(bare())
        api_times.append(api()[0])
    body = api()[1].json
    sql_med, api_med = statistics.median(sql_times), statistics.median(api_times)
    ratio = api_med / sql_med
    print(
        f"{scale}, {key} by {level} (map of {body['as_of']}): {len(body['rows'])} rows, "
        f"totals {body['totals']['venues_inspected']:,}/"
        f"{body['totals']['venues_in_scope']:,} inspected, "
        f"{body['totals']['never_inspected']:,} never inspected"
    )
    print(f"  bare SQL aggregate: {_stats(sql_times)}")
    if target_ms is None:
        verdict = "no target: a past period, whose venues were mostly inspected again later"
    else:
        ok = api_med < target_ms and (scale != "national" or ratio <= 1.5)
        verdict = (
            f"target < {target_ms:.0f} ms{' and <= 1.5x' if scale == 'national' else ''}: "
            f"{'OK' if ok else 'MISSED'}"
        )
    print(f"  GET {url}: {_stats(api_times)} = {ratio:.2f}x the bare SQL  [{verdict}]")
    with app.app_context():
        db.engine.dispose()


def measure_page(runs: int, browser: bool) -> None:
    """The province page: its size, and how soon Chromium draws the map."""
    from inspections import create_app
    from inspections.accounts.services import get_user
    from inspections.extensions import db

    url = database_url("province")
    app = create_app({"DATABASE_URL": url, "TILE_URL": ""})
    client = app.test_client()
    with app.app_context():
        uid = get_user(BENCH_USER).get_id()
    with client.session_transaction() as sess:
        sess["_user_id"] = uid
        sess["_fresh"] = True
    page_ms = median_ms(lambda: client.get(PAGE), runs)
    html = client.get(PAGE).get_data()
    print(
        f"province page {PAGE}: {len(html) / 1024:.0f} KB uncompressed "
        f"[target < 400 KB: {'OK' if len(html) < 400 * 1024 else 'MISSED'}], "
        f"server time median {page_ms[0]:.0f} ms"
    )
    with app.app_context():
        db.engine.dispose()
    if browser:
        measure_browser(url, runs=min(runs, 7))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_browser(url: str, runs: int) -> None:
    """Start gunicorn on the province database and time the map in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, PHONE

    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if not Path(CHROMIUM).exists() or gunicorn is None:
        print("  (browser timing skipped: needs /usr/bin/chromium and gunicorn)")
        return
    port = _free_port()
    env = {
        **os.environ,
        "INSPECTIONS_DATABASE_URL": url,
        "INSPECTIONS_SECRET_KEY": uuid.uuid4().hex * 2,
        "INSPECTIONS_TILE_URL": "",
    }
    server = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "inspections.wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for label, viewport, mobile in (("phone", PHONE, True), ("desktop", None, False)):
                context = chromium.new_context(
                    viewport=viewport or {"width": 1366, "height": 900},
                    is_mobile=mobile,
                    has_touch=mobile,
                )
                page = context.new_page()
                errors = []
                page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else 0)
                page.add_init_script(DRAWN_PROBE)
                page.goto(base + "/login")
                page.fill("#f-username", BENCH_USER)
                page.fill("#f-password", BENCH_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(lambda u: "/login" not in u)
                drawn, loaded = [], []
                for _ in range(runs):
                    page.goto(base + PAGE, wait_until="load")
                    page.locator("#cov-map .marker-cluster").first.wait_for(timeout=10000)
                    at = page.evaluate("() => window.__mapDrawnAt")
                    nav = page.evaluate(
                        "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
                    )
                    drawn.append(at)
                    loaded.append(nav)
                paths = page.locator("#cov-map path.leaflet-interactive").count()
                clusters = page.locator("#cov-map .marker-cluster").count()
                med = statistics.median(drawn)
                print(
                    f"  Chromium ({label}): map drawn {med:.0f} ms after navigation start "
                    f"(median of {runs}; min {min(drawn):.0f}, max {max(drawn):.0f}), "
                    f"load event {statistics.median(loaded):.0f} ms; {paths} paths, "
                    f"{clusters} clusters, console errors: {len(errors)} "
                    f"[target < 2000 ms: {'OK' if med < 2000 else 'MISSED'}]"
                )
                context.close()
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--scale", choices=["national", "province", "both"], default="both")
    args = parser.parse_args()
    print(
        "load average before: {:.2f} {:.2f} {:.2f} (the machine's other work skews timings)".format(
            *os.getloadavg()
        )
    )
    if args.scale in ("national", "both"):
        measure_api("national", args.runs, 300)
        # today's map: 34 provinces, 3,321 communes, the same venues and inspections
        measure_api("national", args.runs, 300, key="2026", level="commune")
        measure_api("national", args.runs, None, key="2023")
    if args.scale in ("province", "both"):
        measure_api("province", args.runs, 30)
        measure_api("province", args.runs, 30, key="2026", level="commune")
        measure_page(args.runs, not args.no_browser)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
