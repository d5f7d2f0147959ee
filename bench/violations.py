"""Violation register and repeat-offender speed on the benchmark databases (prints figures,
asserts nothing).

    .venv/bin/python bench/generate.py --scale national   # once: 1,000,000 inspections,
                                                          # 300,000 violations on PostGIS
    .venv/bin/python bench/violations.py [--scale national] [--runs 15]

Measures at the server (Flask test client, bearer token, median of N after warm-ups):
- GET /api/v1/violations (first page, 30 rows, with the totals of the filtered set in the
  headers) with no filter and with each single filter (target < 200 ms each);
- GET /api/v1/violations/repeat-offenders for the whole province (the bench province holds
  every district) over a window reaching into the generated years (target < 500 ms);
- the register page (HTML, same filters) for comparison.
The bench data end in 2024, so the repeat-offender windows are long enough to reach them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import BENCH_USER, database_url  # noqa: E402

REGISTER_TARGET_MS = 200
REPEAT_TARGET_MS = 500


def _months_back_to(day: date) -> int:
    today = date.today()
    return (today.year - day.year) * 12 + today.month - day.month


def filters(app) -> list[tuple[str, dict]]:
    """One of each filter, with values that exist in the bench data."""
    from sqlalchemy import select

    from inspections.areas.models import Area
    from inspections.extensions import db
    from inspections.violations.models import LegalViolation

    with app.app_context():
        district = db.session.scalar(
            select(Area.code).where(Area.level == "district").order_by(Area.code)
        )
        lv = db.session.scalar(select(LegalViolation).order_by(LegalViolation.id))
        legal = (lv.code, lv.decree, lv.article)
    return [
        ("no filter", {}),
        ("period (2024 Q2)", {"start": "2024-04-01", "end": "2024-06-30"}),
        ("area (one district)", {"area": district}),
        ("sector", {"sector": "massage"}),
        ("agency", {"agency": "culture"}),
        ("decree", {"decree": legal[1]}),
        ("article", {"article": legal[2]}),
        ("violation code", {"code": legal[0]}),
        ("offender type", {"offender": "organisation"}),
        ("fine range", {"fine_min": 5_000_000, "fine_max": 8_000_000}),
        ("remedy overdue", {"remedy": "overdue"}),
        ("remedied", {"remedy": "remedied"}),
        ("fine not paid", {"paid": "no"}),
        ("sorted by fine", {"sort": "fine_desc"}),
        ("oldest first", {"sort": "oldest"}),
    ]


def timed(client, url: str, headers: dict, params: dict, runs: int):
    def once():
        t = time.perf_counter()
        r = client.get(url, headers=headers, query_string=params)
        elapsed = (time.perf_counter() - t) * 1000
        assert r.status_code == 200, r.data[:300]
        return elapsed, r

    once()
    once()
    times = []
    for _ in range(runs):
        times.append(once()[0])
    return statistics.median(times), min(times), max(times), once()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="national", choices=["national", "province"])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from inspections import create_app
    from inspections.accounts.services import create_token, get_user
    from inspections.extensions import db

    app = create_app({"DATABASE_URL": database_url(args.scale), "TILE_URL": ""})
    with app.app_context():
        token = create_token(get_user(BENCH_USER), name="bench", days=1)
        db.session.commit()
        uid = get_user(BENCH_USER).get_id()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    print(f"{args.scale}: {database_url(args.scale)}  (median of {args.runs} after 2 warm-ups)")
    print(
        f"GET /api/v1/violations, first page of 30 with totals [target < {REGISTER_TARGET_MS} ms]"
    )
    worst = 0.0
    for label, params in filters(app):
        med, low, high, r = timed(client, "/api/v1/violations", headers, params, args.runs)
        worst = max(worst, med)
        total = r.headers.get("X-Pagination", "")
        count = total.split('"total": ')[1].split(",")[0] if '"total"' in total else "?"
        print(
            f"  {label:<22} {med:7.1f} ms (min {low:.1f}, max {high:.1f})  {int(count):>9,} rows, "
            f"fines {int(r.headers.get('X-Total-Fines-VND', 0)):,} ₫  "
            f"[{'OK' if med < REGISTER_TARGET_MS else 'MISSED'}]"
        )
    print(f"  worst median: {worst:.1f} ms")
    print(f"GET /api/v1/violations/repeat-offenders, province [target < {REPEAT_TARGET_MS} ms]")
    for label, since in (
        ("since 2024-01-01", date(2024, 1, 1)),
        ("whole history", date(2019, 12, 1)),
    ):
        months = _months_back_to(since)
        med, low, high, r = timed(
            client,
            "/api/v1/violations/repeat-offenders",
            headers,
            {"months": months},
            args.runs,
        )
        total = r.headers.get("X-Pagination", "")
        count = total.split('"total": ')[1].split(",")[0] if '"total"' in total else "?"
        print(
            f"  {label:<22} {med:7.1f} ms (min {low:.1f}, max {high:.1f})  {int(count):>9,} "
            f"venues  [{'OK' if med < REPEAT_TARGET_MS else 'MISSED'}]"
        )
    with client.session_transaction() as sess:
        sess["_user_id"] = uid
        sess["_fresh"] = True
    print("register page /violations (HTML, cookie session)")
    for label, params in (("no filter", {}), ("sector", {"sector": "massage"})):
        med, low, high, r = timed(client, "/violations", {}, params, max(5, args.runs // 3))
        print(f"  {label:<22} {med:7.1f} ms  {len(r.data) / 1024:.0f} KB")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
