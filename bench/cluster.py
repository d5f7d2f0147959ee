"""A throw-away PostgreSQL cluster for the load and fault benchmarks (never the shared one).

    .venv/bin/python bench/cluster.py --port 55432      # start one, print its URL, wait for ^C

``Cluster`` runs ``initdb`` as the ``postgres`` system user (through ``runuser`` when run as
root) into a temporary folder, starts it on its own port (55432 by default) listening on
127.0.0.1 only, creates the PostGIS database with the two roles of a deployment (README,
"Deploying on PostGIS": the owner migrates and seeds, the app role serves) and can stop,
restart and remove itself. ``prepare`` fills it with the app's own commands: ``flask db
upgrade``, ``flask seed --demo`` and ``flask grant-app-role``.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DB, OWNER, APP = "inspections_bench", "inspections_owner", "inspections_app"


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
    return Path(found[-1]).parent


class Cluster:
    """A private PostgreSQL server in a temporary folder."""

    def __init__(self, port: int = 55432, base: Path | None = None):
        self.port = port
        self.base = Path(base or tempfile.mkdtemp(prefix="inspections-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.bin = _pg_bin()

    def _as_postgres(self, *cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *cmd], check=check, **kw)

    def url(self, role: str = APP, database: str = DB) -> str:
        return f"postgresql+psycopg://{role}@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", capture_output=True,
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.base}'\nmax_connections = 200\n"
                "shared_buffers = 256MB\nrandom_page_cost = 1.1\n"
            )

    def start(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start",
            capture_output=True,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
            check=False, capture_output=True,
        )  # fmt: skip

    def restart(self, hold: float = 0.0) -> float:
        """Stop (fast: connections are cut), stay down `hold` seconds, start again; seconds it
        was down."""
        began = time.monotonic()
        self.stop()
        time.sleep(hold)
        self.start()
        return time.monotonic() - began

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = self._as_postgres(
            str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-d", database, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql,
            capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout.strip()

    def create_database(self) -> None:
        self.psql(f"CREATE ROLE {OWNER} LOGIN; CREATE ROLE {APP} LOGIN")
        self.psql(f"CREATE DATABASE {DB} OWNER {OWNER}")
        self.psql("CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm", database=DB)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def flask(env: dict, *args: str) -> str:
    """Run `flask --app inspections ARGS` with env; its output (exit on failure)."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "inspections", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(cluster: Cluster, env: dict, admin_password: str) -> None:
    """Migrate, seed the demo province and grant the app role, as the owner."""
    owner = {**env, "INSPECTIONS_DATABASE_URL": cluster.url(OWNER)}
    flask(owner, "db", "upgrade")
    flask(owner, "seed", "--demo", "--admin-password", admin_password)
    flask(owner, "grant-app-role", APP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=55432)
    args = parser.parse_args()
    cluster = Cluster(args.port)
    cluster.init()
    cluster.start()
    cluster.create_database()
    print(cluster.url(OWNER), "(owner)")
    print(cluster.url(APP), "(app)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.remove()


if __name__ == "__main__":
    main()
