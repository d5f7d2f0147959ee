"""Fifty teams at once: inspectors submitting over the API while coordinators read, against
gunicorn on a PostGIS cluster of the bench's own (bench/cluster.py, never the shared server).

    .venv/bin/python bench/load.py                      # 2 minutes, 50 inspectors, 10 coordinators
    .venv/bin/python bench/load.py --duration 30 --workers 3 --threads 4

Each simulated inspector (an API token of a demo district inspector) loops: open a venue of its
district (page), open the inspection form (page), start the inspection with its signatures
(POST, Idempotency-Key), upload a 1 MB photo (multipart, its own key), submit (its own key).
A share of the inspections (--retry-share, 10 %) sends every write twice with the same key,
half the time at once (two connections racing) and half after the first answer (an answer lost
on a bad network). A client that meets a network error, a 5xx or a 507 tries again with the
same key, as the phone's queue does. Ten coordinators meanwhile read coverage (API and page),
the violation register and the periodic reports.

Pauses ("think") are uniform in 0.5–1.5 × --think (5 s by default): fifty inspectors then send
about five inspections with a 1 MB photo per second, hundreds of times what fifty field teams
send (an inspection on site takes tens of minutes). --think 1 is a saturation test: on 2 cores
it shows where the server's limit is, not what a team meets.

Printed: throughput, p50/p95/p99 per request kind, errors; then the database is checked:
exactly one inspection per key, every finished one submitted with exactly one photo whose
stored file has the SHA-256 that was sent. Targets (issue 18): p95 < 500 ms for submissions,
< 300 ms for reads, zero 5xx, nothing lost or doubled.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import APP, BIN, OWNER, ROOT, Cluster, prepare

WRITE_KINDS = ("create", "photo", "submit")
WRITE_P95_MS, READ_P95_MS = 500, 300
RETRYABLE = {500, 502, 503, 504, 507, 429}


# ---------------------------------------------------------------- the plan of each client


@dataclass
class Inspector:
    username: str
    token: str
    team_id: int
    members: list[int]
    lead: int
    venues: list[dict]  # id, lat, lon, items


def build_plan(owner_url: str, uploads: str, inspectors: int, coordinators: int):
    """Tokens and the venues, teams and checklist items each simulated client uses."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from inspections import create_app
    from inspections.accounts.models import Team, User
    from inspections.accounts.services import create_token
    from inspections.clock import today
    from inspections.extensions import db
    from inspections.uow import unit
    from inspections.venues.models import Venue
    from inspections.visits.checklists import template_for

    app = create_app({"DATABASE_URL": owner_url, "UPLOAD_FOLDER": uploads, "TILE_URL": ""})
    with app.app_context(), unit():
        day = today()
        specs: list[Inspector] = []
        teams = list(db.session.scalars(select(Team).order_by(Team.id)))
        by_team = []
        for team in teams:
            members = [m for m in team.memberships if m.user.role == "inspector"]
            if not members or not team.areas:
                continue
            area_ids = [a.id for a in team.areas]
            rows = db.session.execute(
                select(
                    Venue.id,
                    Venue.sector_id,
                    func.ST_Y(Venue.location).label("lat"),
                    func.ST_X(Venue.location).label("lon"),
                )
                .where(
                    Venue.district_id.in_(area_ids),
                    Venue.status == "operating",
                    Venue.merged_into_id.is_(None),
                    Venue.location.is_not(None),
                )
                .order_by(Venue.id)
            ).all()
            venues = []
            for row in rows:
                template = template_for(row.sector_id, day)
                if template is not None:
                    codes = [i.code for i in template.items]
                    venues.append({"id": row.id, "lat": row.lat, "lon": row.lon, "items": codes})
            if venues:
                by_team.append((team, members, venues))
        for n in range(inspectors):
            team, members, venues = by_team[n % len(by_team)]
            who = members[(n // len(by_team)) % len(members)].user
            lead = next((m.user_id for m in members if m.is_lead), members[0].user_id)
            specs.append(
                Inspector(
                    who.username,
                    create_token(who, name=f"bench-{n}", days=1),
                    team.id,
                    [m.user_id for m in members],
                    lead,
                    venues,
                )
            )
        coordinator = db.session.scalar(select(User).where(User.username == "dieuphoi"))
        readers = [
            create_token(coordinator, name=f"bench-c{n}", days=1) for n in range(coordinators)
        ]
    return specs, readers


# ---------------------------------------------------------------- bodies


def photo_base(megabytes: float) -> bytes:
    """A noisy JPEG of about the given size (made once; each upload gets its own comment)."""
    from PIL import Image

    edge = int(560 * megabytes**0.5)
    for _ in range(4):
        img = Image.frombytes("RGB", (edge, edge), os.urandom(edge * edge * 3))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        data = out.getvalue()
        if abs(len(data) - megabytes * 1e6) < 0.1e6:
            break
        edge = int(edge * (megabytes * 1e6 / len(data)) ** 0.5)
    return data


def unique_photo(base: bytes) -> bytes:
    """The base JPEG with a comment segment of its own: other bytes, another SHA-256."""
    comment = b"bench " + uuid.uuid4().bytes.hex().encode()
    return base[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + base[2:]


def signature_png() -> str:
    from PIL import Image, ImageDraw

    img = Image.new("L", (300, 100), 255)
    draw = ImageDraw.Draw(img)
    points = [(20 + i * 13, 50 + random.randint(-30, 30)) for i in range(20)]
    draw.line(points, fill=0, width=3)
    out = io.BytesIO()
    img.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def inspection_body(spec: Inspector, venue: dict, signature: str) -> dict:
    at = datetime.now(UTC) - timedelta(minutes=random.randint(5, 90))
    return {
        "venue_id": venue["id"],
        "inspected_at": at.isoformat(),
        "team_id": spec.team_id,
        "members": [{"user_id": u, "lead": u == spec.lead} for u in spec.members],
        "location": {"latitude": venue["lat"], "longitude": venue["lon"], "accuracy_m": 10},
        "checklist": [{"item": code, "answer": "compliant"} for code in venue["items"]],
        "representative": {"name": "Nguyễn Văn Chủ", "role": "Chủ cơ sở"},
        "signatures": [
            {"role": "lead", "image": signature},
            {"role": "representative", "refused": True, "refusal_reason": "Không ký"},
        ],
        "status": "draft",
    }


# ---------------------------------------------------------------- measuring


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    events: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.statuses[(kind, status)] += 1

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[(kind, what)] += 1


@dataclass
class Ledger:
    """What the clients sent: key -> photo SHA-256 and how far the inspection got."""

    sent: dict[str, dict] = field(default_factory=dict)


class Client:
    """One simulated phone or desk: its own connections (requests.Session) and token."""

    def __init__(self, base: str, token: str, stats: Stats):
        self.base, self.stats = base, stats
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": "vi"}
        self.session = requests.Session()
        self.spare = requests.Session()  # the second connection of a duplicate sent at once

    def timed(self, kind: str, method: str, url: str, session=None, **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        began = time.perf_counter()
        try:
            resp = (session or self.session).request(
                method, self.base + url, headers=headers, timeout=60, **kw
            )
        except requests.RequestException as exc:
            self.stats.error(kind, type(exc).__name__)
            return None
        self.stats.add(kind, time.perf_counter() - began, resp.status_code)
        return resp

    def write(self, kind, method, url, key, deadline, *, twice=None, **kw):
        """A write the way the phone's queue sends it: again with the same key after a
        network error, a 5xx or a 507, until it is answered (or the grace time is over)."""
        headers = {"Idempotency-Key": key}
        delay = 0.5
        while True:
            if twice == "together":
                with ThreadPoolExecutor(2) as pool:
                    other = pool.submit(
                        self.timed, kind, method, url, self.spare, headers=headers, **_copy(kw)
                    )
                    first = self.timed(kind, method, url, headers=headers, **_copy(kw))
                    second = other.result()
            else:
                first = self.timed(kind, method, url, headers=headers, **_copy(kw))
                second = None
                if twice == "after" and first is not None:
                    second = self.timed(kind, method, url, headers=headers, **_copy(kw))
            answers = [r for r in (first, second) if r is not None]
            final = [r for r in answers if r.status_code not in RETRYABLE]
            if final:
                ok = [r for r in final if r.status_code < 300]
                if len(ok) == 2 and ok[0].json().get("id") != ok[1].json().get("id"):
                    self.stats.events.append(f"{kind} {key}: the two answers differ")
                return ok[0] if ok else final[0]
            if time.monotonic() > deadline:
                self.stats.error(kind, "gave up")
                return None
            time.sleep(delay)
            delay = min(delay * 2, 8)
            twice = None


def _copy(kw: dict) -> dict:
    """Fresh file objects for each send of a multipart body."""
    out = dict(kw)
    if "files" in out:
        out["files"] = {k: (n, d, t) for k, (n, d, t) in out["files"].items()}
    return out


def inspector_loop(n, spec, base, stats, ledger, stop_at, args, photo, signature):
    rng = random.Random(n)
    c = Client(base, spec.token, stats)
    time.sleep(rng.random() * args.think)  # do not all start on the same tick
    while time.monotonic() < stop_at:
        venue = rng.choice(spec.venues)
        c.timed("venue page", "GET", f"/venues/{venue['id']}")
        c.timed("form page", "GET", f"/inspections/new?venue={venue['id']}&new=1")
        time.sleep(rng.uniform(0.5, 1.5) * args.think)
        key = str(uuid.uuid4())
        data = unique_photo(photo)
        twice = None
        if rng.random() < args.retry_share:
            twice = rng.choice(("together", "after"))
        entry = {"sha": hashlib.sha256(data).hexdigest(), "stage": "sent", "twice": twice}
        ledger.sent[key] = entry
        deadline = stop_at + args.grace
        body = inspection_body(spec, venue, signature)
        made = c.write("create", "POST", "/api/v1/inspections", key, deadline, twice=twice,
                       json=body)  # fmt: skip
        if made is None or made.status_code not in (200, 201):
            entry["stage"] = f"create {made.status_code if made else 'lost'}"
            continue
        iid = made.json()["id"]
        entry.update(stage="created", id=iid)
        files = {"file": ("photo.jpg", data, "image/jpeg")}
        up = c.write("photo", "POST", f"/api/v1/inspections/{iid}/photos", f"{key}:photo",
                     deadline, twice=twice, files=files)  # fmt: skip
        if up is None or up.status_code >= 300:
            entry["stage"] = f"photo {up.status_code if up else 'lost'}"
            continue
        entry["stage"] = "photo"
        loc = {"latitude": venue["lat"], "longitude": venue["lon"], "accuracy_m": 8}
        done = c.write("submit", "POST", f"/api/v1/inspections/{iid}/submit", f"{key}:submit",
                       deadline, twice=twice, json={"location": loc})  # fmt: skip
        if done is None or done.status_code >= 300:
            entry["stage"] = f"submit {done.status_code if done else 'lost'}"
            continue
        entry["stage"] = "submitted"
        time.sleep(rng.uniform(0.5, 1.5) * args.think)


def coordinator_loop(n, token, base, stats, stop_at, args):
    rng = random.Random(1000 + n)
    c = Client(base, token, stats)
    year = datetime.now(UTC).year
    reads = [
        ("coverage api", f"/api/v1/coverage?year={year}"),
        ("coverage page", "/coverage"),
        ("register api", "/api/v1/violations?page_size=50"),
        ("register page", "/violations"),
        ("reports api", "/api/v1/reports"),
    ]
    time.sleep(rng.random() * args.think)
    window = None
    while time.monotonic() < stop_at:
        kind, url = rng.choice(reads)
        resp = c.timed(kind, "GET", url)
        if kind == "reports api" and resp is not None and resp.status_code == 200:
            window = _a_window(resp.json()) or window
        if window and rng.random() < 0.3:
            c.timed("report", "GET", f"/api/v1/reports/{window}")
        time.sleep(rng.uniform(0.5, 1.5) * args.think)


def _a_window(calendar) -> str | None:
    items = calendar if isinstance(calendar, list) else calendar.get("windows") or []
    for item in items:
        key = (item.get("key") or item.get("window")) if isinstance(item, dict) else None
        if key:
            return key
    return None


def run_clients(base, specs, readers, args, stats, ledger, during=None) -> float:
    """Every client in its own thread until the duration is over; the seconds it took."""
    photo = photo_base(args.photo_mb)
    signature = signature_png()
    stop_at = time.monotonic() + args.duration
    threads = [
        threading.Thread(
            target=inspector_loop,
            args=(n, s, base, stats, ledger, stop_at, args, photo, signature),
            daemon=True,
        )
        for n, s in enumerate(specs)
    ]
    threads += [
        threading.Thread(target=coordinator_loop, args=(n, t, base, stats, stop_at, args))
        for n, t in enumerate(readers)
    ]
    if during is not None:
        threads.append(threading.Thread(target=during, args=(stop_at,), daemon=True))
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - began


# ---------------------------------------------------------------- checking the database


def check_database(owner_url: str, uploads: Path, ledger: Ledger) -> dict:
    """Exactly one inspection per key; each finished one submitted with one photo whose
    stored file matches the SHA-256 sent."""
    from sqlalchemy import create_engine, text

    engine = create_engine(owner_url)
    keys = list(ledger.sent)
    found: dict[str, list] = defaultdict(list)
    photos: dict[int, list] = defaultdict(list)
    with engine.connect() as conn:
        for row in conn.execute(
            text("SELECT id, client_key, status FROM inspection WHERE client_key = ANY(:k)"),
            {"k": keys},
        ):
            found[row.client_key].append(row)
        ids = [r.id for rows in found.values() for r in rows]
        for row in conn.execute(
            text(
                "SELECT inspection_id, sha256, stored_name FROM inspection_photo "
                "WHERE inspection_id = ANY(:i)"
            ),
            {"i": ids},
        ):
            photos[row.inspection_id].append(row)
    engine.dispose()
    out = Counter()
    problems = []
    for key, entry in ledger.sent.items():
        rows = found.get(key, [])
        if len(rows) > 1:
            out["doubled"] += 1
            problems.append(f"{key}: {len(rows)} inspections")
            continue
        if entry["stage"] == "sent" or entry["stage"].startswith("create "):
            out["not answered (none or one kept)"] += 1
            continue
        if not rows:
            out["lost"] += 1
            problems.append(f"{key}: created (id {entry.get('id')}) but not in the database")
            continue
        row = rows[0]
        pics = photos.get(row.id, [])
        if entry["stage"] in ("photo", "submitted") or pics:
            same = [p for p in pics if p.sha256 == entry["sha"]]
            if len(pics) != 1 or len(same) != 1:
                out["photo wrong"] += 1
                problems.append(f"{key}: {len(pics)} photos, {len(same)} with the SHA-256 sent")
                continue
            stored = uploads / same[0].stored_name
            if (
                not stored.is_file()
                or hashlib.sha256(stored.read_bytes()).hexdigest() != (entry["sha"])
            ):
                out["photo file wrong"] += 1
                problems.append(f"{key}: stored file missing or changed")
                continue
        if entry["stage"] == "submitted":
            if row.status != "submitted":
                out["submit lost"] += 1
                problems.append(f"{key}: answered submitted, is {row.status}")
                continue
            out["submitted, one photo, checksum ok"] += 1
        else:
            out[f"stopped at {entry['stage']} (consistent)"] += 1
    return {"counts": out, "problems": problems}


# ---------------------------------------------------------------- the server


def start_gunicorn(env: dict, port: int, workers: int, threads: int, log: Path):
    cmd = [
        str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "10",
        "--error-logfile", str(log), "inspections.wsgi:app",
    ]  # fmt: skip
    with log.open("ab") as out:  # the app's own log lines (stderr) go there too
        server = subprocess.Popen(
            cmd, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out
        )
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.kill()
    sys.exit(f"gunicorn did not answer /healthz; see {log}")


def stop_gunicorn(server) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(args, uploads: Path | None = None):
    """The cluster, the demo province, the clients' plan and gunicorn: (ctx dict)."""
    tmp = Path(tempfile.mkdtemp(prefix="inspections-load-"))
    uploads = uploads or tmp / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(args.pg_port)
    print(f"cluster: initdb into {cluster.base}, port {args.pg_port}")
    cluster.init()
    cluster.start()
    cluster.create_database()
    env = {
        **os.environ,
        "INSPECTIONS_SECRET_KEY": secrets.token_hex(32),
        "INSPECTIONS_UPLOAD_FOLDER": str(uploads),
        "INSPECTIONS_TILE_URL": "",
    }
    began = time.monotonic()
    prepare(cluster, env, secrets.token_urlsafe(12) + "Aa1!")
    specs, readers = build_plan(
        cluster.url(OWNER), str(uploads), args.inspectors, args.coordinators
    )
    print(f"demo province migrated and seeded in {time.monotonic() - began:.0f} s; "
          f"{len(specs)} inspectors over {len({s.username for s in specs})} accounts")  # fmt: skip
    env["INSPECTIONS_DATABASE_URL"] = cluster.url(APP)
    port = args.port or free_port()
    log = tmp / "gunicorn.log"
    server = start_gunicorn(env, port, args.workers, args.threads, log)
    return {
        "tmp": tmp, "uploads": uploads, "cluster": cluster, "env": env, "port": port,
        "log": log, "server": server, "specs": specs, "readers": readers,
        "base": f"http://127.0.0.1:{port}",
    }  # fmt: skip


def teardown(ctx, keep: bool) -> None:
    stop_gunicorn(ctx["server"])
    if keep:
        print(f"kept: {ctx['tmp']} and the cluster in {ctx['cluster'].base}")
        return
    ctx["cluster"].remove()
    import shutil

    shutil.rmtree(ctx["tmp"], ignore_errors=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(stats: Stats, elapsed: float, checked: dict, latency: bool = True) -> bool:
    """Print the figures; True when every target holds (latency: the p95 targets too)."""
    ok = True
    total = sum(len(v) for v in stats.times.values())
    print(f"\n{total} requests in {elapsed:.0f} s: {total / elapsed:.1f} requests/s")
    print(f"{'kind':<15}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  target")
    for kind in sorted(stats.times, key=lambda k: (k not in WRITE_KINDS, k)):
        ms = [t * 1000 for t in stats.times[kind]]
        target = WRITE_P95_MS if kind in WRITE_KINDS else READ_P95_MS
        p95 = percentile(ms, 95)
        mark = "ok" if p95 < target else "MISSED"
        ok &= p95 < target or not latency
        print(
            f"{kind:<15}{len(ms):>6}{statistics.median(ms):>9.0f}{p95:>9.0f}"
            f"{percentile(ms, 99):>9.0f}{max(ms):>9.0f}  p95 < {target} {mark}"
        )
    statuses = Counter()
    for (_kind, status), n in stats.statuses.items():
        statuses[status] += n
    print("answers:", ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    five = {k: n for k, n in stats.statuses.items() if k[1] >= 500}
    if five:
        ok = False
        print("5xx:", ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(five.items())))
    other = {k: n for k, n in stats.statuses.items() if 400 <= k[1] < 500}
    if other:
        print("4xx:", ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(other.items())))
    if stats.errors:
        print("client errors:", ", ".join(f"{k} {w}: {n}" for (k, w), n in stats.errors.items()))
    for event in stats.events[:10]:
        ok = False
        print("  !", event)
    print("database check:", ", ".join(f"{k}: {n}" for k, n in checked["counts"].items()))
    for problem in checked["problems"][:20]:
        print("  !", problem)
    ok &= not checked["problems"]
    print("TARGETS MET" if ok else "TARGETS MISSED")
    return ok


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=120, help="seconds of load (120)")
    p.add_argument("--inspectors", type=int, default=50)
    p.add_argument("--coordinators", type=int, default=10)
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers (README: 4)")
    p.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    p.add_argument("--think", type=float, default=5.0, help="mean pause between steps, s (5)")
    p.add_argument("--retry-share", type=float, default=0.1)
    p.add_argument("--photo-mb", type=float, default=1.0)
    p.add_argument("--grace", type=float, default=60, help="seconds a retrying client goes on")
    p.add_argument("--pg-port", type=int, default=55432)
    p.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    p.add_argument("--keep", action="store_true", help="keep the cluster and files")
    return p


def main() -> int:
    args = parser().parse_args()
    ctx = setup(args)
    try:
        print(
            f"load: {args.inspectors} inspectors, {args.coordinators} coordinators, "
            f"{args.duration:.0f} s, gunicorn {args.workers} workers x {args.threads} threads, "
            f"think {args.think} s, {args.retry_share:.0%} sent twice"
        )
        stats, ledger = Stats(), Ledger()
        elapsed = run_clients(ctx["base"], ctx["specs"], ctx["readers"], args, stats, ledger)
        checked = check_database(ctx["cluster"].url(OWNER), ctx["uploads"], ledger)
        return 0 if report(stats, elapsed, checked) else 1
    finally:
        teardown(ctx, args.keep)


if __name__ == "__main__":
    sys.exit(main())
