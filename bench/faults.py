"""Faults during the load: a gunicorn worker killed, the bench's own PostgreSQL restarted, the
upload disk filled — clients that retry lose nothing and double nothing.

    .venv/bin/python bench/faults.py                    # as root (mounts a tmpfs), 2 minutes
    .venv/bin/python bench/faults.py --duration 90 --inspectors 30

The load of bench/load.py (inspectors submitting with photos and signatures, coordinators
reading; every write retried with its Idempotency-Key after a network error, a 5xx or a 507)
runs against gunicorn on the bench's own cluster (bench/cluster.py), with the upload folder on
a tmpfs of its own. Meanwhile, at fixed shares of the run:

  20 %  one gunicorn worker is killed (SIGKILL, requests in flight are cut; the master forks
        a new one);
  40 %  the cluster is stopped (pg_ctl stop -m fast: every connection is cut), kept down
        --outage seconds (3) and started again;
  60 %  the upload tmpfs is filled with a ballast file (ENOSPC), and emptied 15 s later.

A probe reads /healthz every half second and prints when its answer changes. At the end the
database is checked as in load.py (one inspection per key, one photo per finished inspection
with the SHA-256 sent, its file intact) and the upload folder for half-written or orphan files.
Targets: no 500 (a 503/507 while a fault lasts is the expected answer), nothing lost or
doubled, no orphan file, /healthz reporting the outage (a probe answer other than 200 while the
cluster is down) and the app serving again without a restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import OWNER
from load import (
    Ledger,
    Stats,
    check_database,
    parser,
    report,
    run_clients,
    setup,
    teardown,
)

EVENTS: list[str] = []
T0 = time.monotonic()


def say(message: str) -> None:
    line = f"[{time.monotonic() - T0:6.1f} s] {message}"
    EVENTS.append(line)
    print(line, flush=True)


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def fill(folder: Path) -> Path:
    """Write a ballast file until the disk says ENOSPC."""
    ballast = folder / "ballast.fill"
    chunk = b"\0" * (1 << 20)
    with ballast.open("wb") as fh:
        try:
            while True:
                fh.write(chunk)
                fh.flush()
        except OSError:
            pass
    return ballast


def probe(base: str, stop_at: float, seen: Counter, timeline: list) -> None:
    last = None
    while time.monotonic() < stop_at + 5:
        try:
            r = requests.get(base + "/healthz", timeout=3)
            state = f"{r.status_code} {r.json().get('database')}"
        except requests.RequestException as exc:
            state = f"no answer ({type(exc).__name__})"
        seen[state] += 1
        timeline.append((time.monotonic(), state))
        if state != last:
            say(f"/healthz: {state}")
            last = state
        time.sleep(0.5)


def orphans(owner_url: str, uploads: Path) -> tuple[list[str], list[str]]:
    """(half-written temporary files, stored files no row names) in the upload folder."""
    from sqlalchemy import create_engine, text

    engine = create_engine(owner_url)
    named: set[str] = set()
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'stored_name'"
            )
        ).scalars()
        for table in list(tables):
            named |= set(conn.execute(text(f'SELECT stored_name FROM "{table}"')).scalars())
    engine.dispose()
    half, orphan = [], []
    for path in uploads.rglob("*"):
        if not path.is_file() or path.name == "ballast.fill":
            continue
        key = path.relative_to(uploads).as_posix()
        if path.name.startswith(".up-"):
            half.append(key)
        elif key not in named and not any(m in path.name for m in (".u320.", ".upright.")):
            orphan.append(key)
    return half, orphan


def main() -> int:
    p = parser()
    p.add_argument("--tmpfs-mb", type=int, default=1024, help="size of the upload tmpfs")
    p.add_argument("--outage", type=float, default=3, help="seconds PostgreSQL stays down (3)")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the upload folder is a tmpfs mounted for the run")
    import tempfile

    uploads = Path(tempfile.mkdtemp(prefix="inspections-uploads-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={args.tmpfs_mb}m", "tmpfs", str(uploads)],
        check=True,
    )
    ctx = None
    try:
        ctx = setup(args, uploads=uploads)
        server, cluster, base = ctx["server"], ctx["cluster"], ctx["base"]
        health: Counter = Counter()
        timeline: list[tuple[float, str]] = []
        outage: list[float] = []  # [down at, up at]

        def faults(stop_at: float) -> None:
            start = stop_at - args.duration
            threading.Thread(
                target=probe, args=(base, stop_at, health, timeline), daemon=True
            ).start()
            time.sleep(max(0.0, start + 0.2 * args.duration - time.monotonic()))
            victims = workers_of(server.pid)
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                say(f"killed gunicorn worker {victims[0]} (of {len(victims)})")
            time.sleep(max(0.0, start + 0.4 * args.duration - time.monotonic()))
            say(f"stopping PostgreSQL (fast: connections cut) for {args.outage:.0f} s")
            outage.append(time.monotonic())
            down = cluster.restart(hold=args.outage)
            outage.append(time.monotonic())
            say(f"PostgreSQL back after {down:.1f} s")
            time.sleep(max(0.0, start + 0.6 * args.duration - time.monotonic()))
            ballast = fill(uploads)
            say(f"upload tmpfs full ({ballast.stat().st_size >> 20} MB ballast)")
            time.sleep(15)
            ballast.unlink()
            say("upload tmpfs emptied of the ballast")

        print(
            f"faults: {args.inspectors} inspectors, {args.coordinators} coordinators, "
            f"{args.duration:.0f} s, gunicorn {args.workers} workers x {args.threads} threads, "
            f"uploads on a {args.tmpfs_mb} MB tmpfs"
        )
        stats, ledger = Stats(), Ledger()
        elapsed = run_clients(base, ctx["specs"], ctx["readers"], args, stats, ledger, faults)
        time.sleep(1)
        after = requests.get(base + "/healthz", timeout=5)
        say(f"after the run: /healthz {after.status_code}, same gunicorn master {server.pid}")
        checked = check_database(cluster.url(OWNER), uploads, ledger)
        # a 503/507 while a fault lasts is the expected answer; 500 is not
        expected = {k: n for k, n in stats.statuses.items() if k[1] in (502, 503, 504, 507)}
        for key in expected:
            del stats.statuses[key]
        during = ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(expected.items()))
        print("answers during faults (retried by the clients):", during or "none")
        print("/healthz answers:", dict(health))
        reported = [s for t, s in timeline if outage and outage[0] <= t <= outage[1] + 1]
        told = any(not s.startswith("200") for s in reported)
        print(
            "/healthz while PostgreSQL was down:",
            ", ".join(f"{s}: {n}" for s, n in Counter(reported).items()) or "no probe",
            "(reported)" if told else "(NOT REPORTED)",
        )
        half, orphan = orphans(cluster.url(OWNER), uploads)
        print(f"upload folder: {len(half)} half-written files, {len(orphan)} orphan files")
        for key in (half + orphan)[:10]:
            print("  !", key)
        ok = report(stats, elapsed, checked, latency=False)
        ok &= not half and not orphan and after.status_code == 200 and told
        print("\n".join(["events:", *EVENTS]))
        print("FAULT TARGETS MET" if ok else "FAULT TARGETS MISSED")
        return 0 if ok else 1
    finally:
        if ctx is not None:
            teardown(ctx, args.keep)
        subprocess.run(["umount", "-l", str(uploads)], check=False)
        if not args.keep:
            uploads.rmdir()


if __name__ == "__main__":
    sys.exit(main())
