"""Periodic report speed on the benchmark database of bench/generate.py (prints, asserts nothing).

    .venv/bin/python bench/generate.py --scale national   # once: 200,000 venues, 1,000,000
                                                          # inspections, 300,000 violations
    .venv/bin/python bench/reports.py [--runs 5] [--scale national]

The generator makes no tips, venue events or fine payments; the first run adds them (100,000
tips over 2020-2024, 10,000 suspensions and closures, payments of half the fines) by bulk SQL
with the generator's pseudo-random values, so the report's every aggregate reads real rows.

Measures one province's yearly report (report:2024-Y; at national scale the province is the
benchmark's one root of 700 districts), median of N runs after a warm-up:
- computing the Report (every indicator, a year earlier, every annex table): target < 1 s;
- writing its XLSX and its PDF: target < 3 s each;
- GET /api/v1/reports/report:2024-Y (for information: compute + JSON at the server).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import BENCH_USER, database_url, h  # noqa: E402

WINDOW = "report:2024-Y"


def add_rows(url: str) -> None:
    """Tips, venue events and fine payments, once (the generator makes none)."""
    engine = create_engine(url)
    if "sent_report" not in inspect(engine).get_table_names():
        sys.exit(f"{url} has no report tables: rebuild it with bench/generate.py on this branch")
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM tip")).scalar():
            engine.dispose()
            return
        t = time.perf_counter()
        conn.execute(
            text(
                f"""
                WITH b AS (SELECT min(id) AS lo, count(*) AS n FROM venue)
                INSERT INTO tip (venue_id, district_id, received_on, source, summary,
                                 classification, due_on, closed_on, outcome, verification,
                                 created_at)
                SELECT v.id, v.district_id, x.day, 'citizen', 'Tin báo ' || j, 'prostitution',
                       x.day + 30,
                       CASE WHEN {h("j", 42)} % 10 < 8 THEN x.day + ({h("j", 43)} % 45)::int END,
                       CASE WHEN {h("j", 42)} % 10 < 8 THEN 'confirmed' END,
                       CASE WHEN {h("j", 42)} % 10 < 8 THEN 'Đã xác minh' END,
                       now()
                FROM b
                CROSS JOIN generate_series(1, 100000) j
                CROSS JOIN LATERAL (SELECT DATE '2020-01-01' + ({h("j", 41)} % 1827)::int AS day) x
                JOIN venue v ON v.id = b.lo + {h("j", 40)} % b.n
                """
            )
        )
        conn.execute(
            text(
                f"""
                INSERT INTO venue_event (venue_id, kind, "on", created_at)
                SELECT b.lo + {h("j", 44)} % b.n,
                       CASE WHEN j % 3 = 0 THEN 'closed' ELSE 'suspended' END,
                       DATE '2020-01-01' + ({h("j", 45)} % 1827)::int, now()
                FROM (SELECT min(id) AS lo, count(*) AS n FROM venue) b,
                     generate_series(1, 10000) j
                """
            )
        )
        conn.execute(
            text(
                f"""
                INSERT INTO fine_payment (violation_id, paid_on, receipt_no, amount_vnd,
                                          created_at)
                SELECT id, inspected_on + 10, 'BL-' || id, fine_vnd, now()
                FROM recorded_violation
                WHERE fine_vnd > 0 AND {h("id", 46)} % 2 = 0
                """
            )
        )
        print(f"  added tips, venue events and fine payments: {time.perf_counter() - t:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE tip, venue_event, fine_payment"))
    engine.dispose()


def timed(fn, runs: int) -> tuple[list[float], object]:
    """Times in seconds of runs calls after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times, result


def _line(label: str, times: list[float], target: float | None) -> str:
    med = statistics.median(times)
    verdict = (
        "" if target is None else f"  [target < {target:g} s: {'OK' if med < target else 'MISSED'}]"
    )
    return (
        f"  {label}: median {med:.3f} s (min {min(times):.3f}, max {max(times):.3f}, "
        f"{len(times)} runs){verdict}"
    )


def measure(scale: str, runs: int) -> None:
    """Compute, XLSX, PDF and the API of one province's yearly report."""
    from inspections import create_app
    from inspections.accounts.services import create_token, get_user
    from inspections.extensions import db
    from inspections.reports import compute, figures, windows
    from inspections.reports.pdf import report_pdf
    from inspections.reports.xlsx import report_xlsx

    url = database_url(scale)
    add_rows(url)
    app = create_app({"DATABASE_URL": url, "TILE_URL": ""})
    with app.app_context():
        w = windows.window(WINDOW)
        province = figures.province_on(w.end)
        compute_times, report = timed(lambda: compute.build(w, province), runs)
        xlsx_times, xlsx = timed(lambda: report_xlsx(report), runs)
        pdf_times, pdf = timed(lambda: report_pdf(report), runs)
        token = create_token(get_user(BENCH_USER), name="bench", days=1)
        db.session.commit()
        code = province.code
    units = len(report.table("venues").rows)
    cov = report.indicator("coverage")
    print(
        f"{scale}, {WINDOW} of {report.area_name} ({code}): {units} units, coverage "
        f"{cov.numerator:,}/{cov.denominator:,}, {report.indicator('violations').numerator:,} "
        f"violations, {sum(len(t.rows) for t in report.tables):,} annex rows"
    )
    print(_line("compute the Report", compute_times, 1.0))
    print(_line(f"write the XLSX ({len(xlsx) / 1024:.0f} KB)", xlsx_times, 3.0))
    print(_line(f"write the PDF ({len(pdf) / 1024:.0f} KB)", pdf_times, 3.0))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def api():
        r = client.get(f"/api/v1/reports/{WINDOW}?area={code}", headers=headers)
        assert r.status_code == 200, r.data[:300]

    api_times, _ = timed(api, runs)
    print(_line(f"GET /api/v1/reports/{WINDOW}?area={code}", api_times, None))
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", choices=["national", "province"], default="national")
    args = parser.parse_args()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    measure(args.scale, args.runs)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
