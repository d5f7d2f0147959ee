"""Long generated-API run (schemathesis) against a real server on the demo data.

    .venv/bin/python bench/fuzz_api.py                       # SpatiaLite demo, 200 examples/op
    .venv/bin/python bench/fuzz_api.py --db postgresql+psycopg://postgres@127.0.0.1/bench_fuzz
    .venv/bin/python bench/fuzz_api.py --examples 400 --seed 1227

The demo database is built in a temporary folder (or in the given PostgreSQL database, which
must exist with PostGIS), gunicorn serves it, an administrator's API token signs every request,
and `schemathesis run` walks every operation of /api/v1/openapi.json with its examples,
coverage, fuzzing and stateful phases and every check except `positive_data_acceptance` (data
that fits the schema may still break a rule of the domain: a 422 is right). Printed: cases
generated, failures by kind, and the number of 5xx answers. Target (issue 13): at least 5,000
cases, 0 server errors.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_CASES = 5000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> str:
    out = subprocess.run(
        [str(BIN / "flask"), "--app", "inspections", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="PostgreSQL URL (default: SpatiaLite in a temp folder)")
    parser.add_argument("--examples", type=int, default=200, help="examples per operation")
    parser.add_argument("--seed", type=int, default=1227)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
    env = {
        **os.environ,
        "INSPECTIONS_DATABASE_URL": args.db or f"sqlite:///{tmp / 'fuzz.db'}",
        "INSPECTIONS_SECRET_KEY": os.urandom(24).hex(),
        "INSPECTIONS_UPLOAD_FOLDER": str(tmp / "uploads"),
        "INSPECTIONS_TILE_URL": "",
    }
    server = None
    try:
        print("building the demo database …", flush=True)
        _flask(env, "demo")
        token = _flask(env, "users", "token", "admin", "--name", "fuzz").strip().splitlines()[-1]
        port = _free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4", "inspections.wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "server.log").open("w"),
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.2)
        started = time.perf_counter()
        run = subprocess.run(
            [str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
             "-H", f"Authorization: Bearer {token}",
             "--max-examples", str(args.examples), "--seed", str(args.seed),
             "--exclude-checks", "positive_data_acceptance", "--no-color"],
            cwd=tmp, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        out = run.stdout + run.stderr
        report = ROOT / "bench" / "out" / "fuzz_api.txt"
        report.parent.mkdir(exist_ok=True)
        report.write_text(out)
        cases = re.search(r"(\d+) generated", out)
        failures = re.findall(r"❌ (ST\d+ [^:]+): (\d+)", out)
        server_errors = sum(int(n) for kind, n in failures if "Server error" in kind)
        server_log = (tmp / "server.log").read_text(errors="replace")
        tracebacks = server_log.count("Traceback")
        print(f"database: {'PostgreSQL' if args.db else 'SpatiaLite'}; {seconds:.0f} s")
        print(f"cases generated: {cases.group(1) if cases else '?'} (target ≥ {TARGET_CASES})")
        print(f"5xx answers: {server_errors}; tracebacks in the server log: {tracebacks}")
        for kind, n in failures:
            print(f"  {kind}: {n}")
        if not failures:
            print("  no failures")
        print(f"full output: {report.relative_to(ROOT)}")
        return 1 if server_errors or tracebacks else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
