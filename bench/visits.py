"""Benchmark of the inspection form: transferred weight (gzip) and server time at province scale.

    .venv/bin/python bench/visits.py                      # SpatiaLite in a temporary folder
    .venv/bin/python bench/visits.py --db postgresql+psycopg://postgres@127.0.0.1/bench_visits
    .venv/bin/python bench/visits.py --inspections 50000  # more history on top of the demo

The database gets the demo province (about 1,200 venues, teams, ~800 inspections over
2024–2026) plus synthetic submitted inspections, then the pages the inspector uses are timed
in-process (server time, no network). Targets from issue 5: the form page with its CSS and JS
under 150 KB gzip before photos; its server time under 50 ms.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEIGHT_TARGET_KB = 150
SERVER_TARGET_MS = 50


def build_app(url: str, upload: str):
    from inspections import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": uuid.uuid4().hex,
            "UPLOAD_FOLDER": upload,
            "TILE_URL": "",
        }
    )


def prepare(app, extra: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from inspections import seeding
    from inspections.accounts.services import create_user
    from inspections.extensions import db
    from inspections.visits.chain import relink
    from inspections.visits.models import Inspection

    with app.app_context():
        upgrade()
        t = time.perf_counter()
        seeding.run(demo=True)
        if db.session.scalar(select(func.count()).select_from(Inspection)) < 1000 + extra:
            venues = db.session.execute(
                select(
                    Inspection.venue_id, Inspection.team_id, Inspection.checklist_template_id
                ).distinct()
            ).all()
            rng = random.Random(5)
            start = datetime(2021, 1, 1, 3, tzinfo=UTC)
            rows = []
            for i in range(extra):
                venue_id, team_id, template_id = rng.choice(venues)
                at = start + timedelta(minutes=rng.randrange(0, 5 * 365 * 24 * 60))
                rows.append(
                    {
                        "venue_id": venue_id,
                        "team_id": team_id,
                        "status": "submitted",
                        "inspected_at": at,
                        "inspected_on": (at + timedelta(hours=7)).date(),
                        "submitted_at": at,
                        "checklist_template_id": template_id,
                        "client_key": f"bench:{i}",
                        "presence": "on_site",
                        "created_at": at,
                        "updated_at": at,
                    }
                )
            for chunk in range(0, len(rows), 5000):
                db.session.execute(insert(Inspection), rows[chunk : chunk + 5000])
            relink(db.session.connection())  # bulk rows bypass the ORM's flush
        from inspections.accounts.models import User

        if not db.session.scalar(select(User.id).where(User.username == "bench_insp")):
            create_user(
                username="bench_insp",
                password=uuid.uuid4().hex,  # nobody signs in with it
                role="inspector",
                agency_code="labour",
                area_code="593",
                full_name="Bench Inspector",
            )
        db.session.commit()
        print(f"database ready in {time.perf_counter() - t:.1f} s")


def timed(client, url: str, runs: int, **kw) -> tuple[float, float, object]:
    client.get(url, **kw)  # warm-up (templates compiled, caches filled)
    samples, resp = [], None
    for _ in range(runs):
        t = time.perf_counter()
        resp = client.get(url, **kw)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], resp


def weight(app, html: str) -> list[tuple[str, int, int]]:
    """(asset, bytes, gzip bytes) of the page and every CSS/JS/SVG it loads before photos."""
    static = Path(app.static_folder)
    found = [("page HTML", html.encode())]
    refs = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    refs += re.findall(r'<script[^>]+src="([^"]+)"', html)
    refs += sorted(set(re.findall(r'<use href="([^"#]+)#', html)))
    seen = set()
    while refs:
        ref = refs.pop(0).split("?")[0]
        if ref in seen or not ref.startswith("/static/"):
            continue
        seen.add(ref)
        data = (static / ref[len("/static/") :]).read_bytes()
        found.append((ref, data))
        if ref.endswith(".js"):  # ES module imports load too
            base = ref.rsplit("/", 1)[0]
            for imported in re.findall(rb"from\s+'\./([\w.-]+\.js)'", data):
                refs.append(f"{base}/{imported.decode()}")
    return [(name, len(data), len(gzip.compress(data, 6))) for name, data in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="database URL (default: a SpatiaLite file)")
    parser.add_argument("--inspections", type=int, default=20000, help="extra history rows")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-visits-")
    url = args.db or f"sqlite:///{tmp}/bench.db"
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    app = build_app(url, f"{tmp}/uploads")
    prepare(app, args.inspections)

    from sqlalchemy import func, select

    from inspections.accounts.models import User
    from inspections.extensions import db
    from inspections.venues.models import Sector, Venue
    from inspections.visits.models import Inspection

    with app.app_context():
        from inspections.accounts.services import create_token

        user = db.session.scalar(select(User).where(User.username == "bench_insp"))
        session_id = user.get_id()
        bearer = {"Authorization": f"Bearer {create_token(user, name='bench')}"}
        db.session.commit()
        venue_id = db.session.scalar(
            select(Venue.id)
            .join(Inspection, Inspection.venue_id == Venue.id)
            .join(Sector, Sector.id == Venue.sector_id)
            .where(Venue.district_id == user.home_area_id, Sector.code == "karaoke")
            .group_by(Venue.id)
            .order_by(func.count().desc())
            .limit(1)
        )
        total = db.session.scalar(select(func.count()).select_from(Inspection))
        venues = db.session.scalar(select(func.count()).select_from(Venue))
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = session_id, True

    print(f"\nprovince: {venues} venues, {total} inspections ({url.split(':')[0]})")
    print(f"\n{'page':44} {'median':>9} {'p95':>9}")
    results = {}
    for label, path in (
        ("inspection form (new)", f"/inspections/new?venue={venue_id}&new=1"),
        ("inspection list", "/inspections"),
        ("API list, first page", "/api/v1/inspections"),
    ):
        med, p95, resp = timed(client, path, args.runs)
        assert resp.status_code == 200, (path, resp.status_code)
        results[label] = (med, resp)
        print(f"{label:44} {med:7.1f}ms {p95:7.1f}ms")

    # a draft, then its edit page, detail page and minutes
    body = {
        "venue_id": venue_id,
        "inspected_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "location": {"latitude": 10.93, "longitude": 108.1, "accuracy_m": 10},
    }
    t = time.perf_counter()
    created = client.post(
        "/api/v1/inspections", json=body, headers={**bearer, "Idempotency-Key": str(uuid.uuid4())}
    )
    print(f"{'API create draft (one call)':44} {(time.perf_counter() - t) * 1000:7.1f}ms")
    assert created.status_code == 201, created.json
    inspection_id = created.json["id"]
    patch = {"checklist": [{"item": "KAR-01", "answer": "compliant"}]}
    samples = []
    for i in range(args.runs):
        t = time.perf_counter()
        r = client.patch(
            f"/api/v1/inspections/{inspection_id}",
            json=patch,
            headers={**bearer, "Idempotency-Key": f"bench-save-{i:04d}"},
        )
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.json
    print(f"{'API autosave (PATCH one answer)':44} {statistics.median(samples):7.1f}ms")
    for label, path in (
        ("inspection form (continue draft)", f"/inspections/{inspection_id}/edit"),
        ("inspection read view", f"/inspections/{inspection_id}"),
        ("minutes PDF", f"/inspections/{inspection_id}/minutes.pdf"),
    ):
        med, p95, resp = timed(client, path, max(5, args.runs // 4))
        assert resp.status_code == 200, (path, resp.status_code)
        print(f"{label:44} {med:7.1f}ms {p95:7.1f}ms")

    html = results["inspection form (new)"][1].get_data(as_text=True)
    rows = weight(app, html)
    print(f"\n{'inspection form: what the phone downloads':60} {'bytes':>9} {'gzip':>9}")
    for name, raw, packed in rows:
        print(f"{name:60} {raw:9,d} {packed:9,d}")
    total_gz = sum(p for _n, _r, p in rows)
    print(f"{'total':60} {sum(r for _n, r, _p in rows):9,d} {total_gz:9,d}")
    form_ms = results["inspection form (new)"][0]
    print(
        f"\nweight {total_gz / 1024:.1f} KB gzip (target < {WEIGHT_TARGET_KB} KB): "
        f"{'OK' if total_gz / 1024 < WEIGHT_TARGET_KB else 'OVER'}; "
        f"form server time {form_ms:.1f} ms (target < {SERVER_TARGET_MS} ms): "
        f"{'OK' if form_ms < SERVER_TARGET_MS else 'OVER'}"
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
