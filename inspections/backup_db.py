"""The database half of a backup (``backup.py`` holds the rest): copy it, count its rows,
put it back — one function per database kind.

SQLite is copied with its online backup API (a consistent copy while the app keeps writing) and
restored the same way, from the checked copy into the live file. PostgreSQL is dumped with
``pg_dump -Fc`` inside a snapshot the row counts are read from, so counts and dump agree; it is
restored with ``pg_restore`` piped into ``psql --single-transaction``, followed by a check of the
row counts inside that same transaction: a restore that does not give back what the manifest
says is rolled back whole.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

from . import spatial
from .errors import Invalid

SQLITE_FILE = "database.sqlite"
PG_FILE = "database.dump"
# Extension objects come from CREATE EXTENSION in the target database (a superuser's job,
# README "Deploying on PostGIS"), never from the dump the owner role restores; PostGIS's own
# table of coordinate systems belongs to the extension too (the app uses only WGS 84).
_SKIPPED_TOC = (" EXTENSION ", " COMMENT - EXTENSION ", " TABLE DATA public spatial_ref_sys ")


def kind(engine: Engine) -> str:
    """ "sqlite" or "postgresql"."""
    return "sqlite" if engine.dialect.name == "sqlite" else "postgresql"


def dump_name(db_kind: str) -> str:
    return SQLITE_FILE if db_kind == "sqlite" else PG_FILE


def app_tables(engine: Engine, names: Iterable[str]) -> list[str]:
    """Those of the app's tables (and alembic_version) the database has, sorted."""
    present = set(inspect(engine).get_table_names())
    return sorted(n for n in {*names, "alembic_version"} if n in present)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(execute, tables: Iterable[str]) -> dict[str, int]:
    # table names come from the app's own metadata or a checked manifest, quoted
    return {t: int(execute(f"SELECT count(*) FROM {_quote(t)}")) for t in tables}  # noqa: S608


# ---------------------------------------------------------------- SQLite


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise Invalid(_("Only a database kept in a file can be backed up."), field="database")
    return Path(database)


def _sqlite_connect(path: Path, *, read_only: bool = False):
    module = spatial._sqlite_module()
    if read_only:
        return module.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    return module.connect(str(path), timeout=30)


def sqlite_dump(engine: Engine, target: Path, tables: list[str]) -> dict[str, int]:
    """Copy the live database into target with the online backup API; its row counts."""
    live = _sqlite_path(engine)
    with closing(_sqlite_connect(live)) as src, closing(_sqlite_connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    return sqlite_counts(target, tables)


def sqlite_counts(path: Path, tables: Iterable[str]) -> dict[str, int]:
    """Row counts of a database file opened read-only (the copy in a backup)."""
    with closing(_sqlite_connect(path, read_only=True)) as conn:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in tables if t not in present]
        if missing:
            raise Invalid(_("The backup lacks the table %(t)s.", t=missing[0]), field="database")
        return _counts(lambda sql: conn.execute(sql).fetchone()[0], tables)


def sqlite_restore(engine: Engine, source: Path) -> None:
    """Replace the live database by the checked copy, in one step of the backup API."""
    engine.dispose()
    live = _sqlite_path(engine)
    with (
        closing(_sqlite_connect(source, read_only=True)) as src,
        closing(_sqlite_connect(live)) as dst,
    ):
        src.backup(dst)
    engine.dispose()


# ---------------------------------------------------------------- PostgreSQL


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise Invalid(
            _(
                "%(tool)s is not installed: install the postgresql-client package "
                "(sudo apt-get install postgresql-client).",
                tool=name,
            ),
            field="database",
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A connection URI without the password (which goes in PGPASSWORD, out of `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _failed(what: str, stderr: bytes) -> Invalid:
    detail = stderr.decode("utf-8", "replace").strip().splitlines()
    return Invalid(
        _("%(what)s failed: %(detail)s", what=what, detail=" / ".join(detail[-3:])),
        field="database",
    )


def pg_dump(engine: Engine, target: Path, tables: list[str]) -> dict[str, int]:
    """pg_dump -Fc of the database and its row counts, both from one exported snapshot."""
    dump = _tool("pg_dump")
    uri, env = _libpq(engine.url)
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**options) as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts = _counts(lambda sql: conn.exec_driver_sql(sql).scalar_one(), tables)
        done = subprocess.run(  # noqa: S603 - fixed program, arguments not from a shell
            [
                dump,
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(target),
                "-d",
                uri,
            ],
            env=env,
            capture_output=True,
            check=False,
        )
        # leaving the block closes the read-only snapshot's connection (and its transaction)
    if done.returncode:
        raise _failed("pg_dump", done.stderr)
    return counts


def _toc(restore: str, dump: Path, env: dict) -> tuple[str, list[str]]:
    """The dump's table of contents without the extensions' entries, and the extensions."""
    listed = subprocess.run(  # noqa: S603
        [restore, "-l", str(dump)], env=env, capture_output=True, check=False
    )
    if listed.returncode:
        raise _failed("pg_restore", listed.stderr)
    lines = listed.stdout.decode("utf-8", "replace").splitlines(keepends=True)
    extensions = [
        line.split()[-1] for line in lines if not line.startswith(";") and " EXTENSION - " in line
    ]
    kept = "".join(line for line in lines if not any(s in line for s in _SKIPPED_TOC))
    return kept, sorted({e for e in extensions if e.replace("_", "").isalnum()})


def _count_check(counts: dict[str, int]) -> str:
    """A PL/pgSQL block that aborts the transaction unless every table has its count."""
    lines = []
    for table, n in sorted(counts.items()):
        name, label = _quote(table), table.replace("'", "''")
        lines.append(
            f"  IF (SELECT count(*) FROM public.{name}) <> {int(n)} THEN\n"  # noqa: S608 - quoted names
            f"    RAISE EXCEPTION 'restored % rows of {label}, the manifest says {int(n)}',"
            f" (SELECT count(*) FROM public.{name});\n  END IF;\n"
        )
    return "\nDO $check$\nBEGIN\n" + "".join(lines) + "END\n$check$;\n"


def pg_restore(engine: Engine, dump: Path, counts: dict[str, int], *, clean: bool) -> None:
    """Replay the dump into the database in one transaction that also checks the counts."""
    restore, psql = _tool("pg_restore"), _tool("psql")
    uri, env = _libpq(engine.url)
    engine.dispose()
    fd, name = tempfile.mkstemp(prefix="inspections-restore-", suffix=".toc")
    os.close(fd)
    toc = Path(name)
    sql_args = ["-f", "-", "--no-owner", "--no-privileges", "-L", str(toc)]
    if clean:
        sql_args += ["--clean", "--if-exists"]
    try:
        listing, extensions = _toc(restore, dump, env)
        toc.write_text(listing, encoding="utf-8")
        with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
            producer = subprocess.Popen(  # noqa: S603
                [restore, *sql_args, str(dump)], env=env, stdout=subprocess.PIPE, stderr=restore_err
            )
            consumer = subprocess.Popen(  # noqa: S603
                [psql, "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1", "-d", uri],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_err,
            )
            assert producer.stdout and consumer.stdin
            try:
                # the dump's extensions, when missing: pg_trgm is "trusted" (the owner may
                # create it), PostGIS needs a superuser beforehand (README)
                consumer.stdin.write(
                    "".join(f'CREATE EXTENSION IF NOT EXISTS "{e}";\n' for e in extensions).encode()
                )
                shutil.copyfileobj(producer.stdout, consumer.stdin, 1 << 20)
                consumer.stdin.write(_count_check(counts).encode())
                consumer.stdin.close()
            except BrokenPipeError:
                pass  # psql stopped at an error: its stderr says which
            producer.stdout.close()
            producer.wait()
            consumer.wait()
            restore_err.seek(0)
            psql_err.seek(0)
            errors = {"pg_restore": restore_err.read(), "psql": psql_err.read()}
    finally:
        toc.unlink(missing_ok=True)
    if consumer.returncode:
        if b"permission denied to create extension" in errors["psql"]:
            raise Invalid(
                _(
                    "The target database lacks an extension the backup needs: run "
                    "CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm; in it as a superuser, "
                    "then restore again."
                ),
                field="database",
            )
        raise _failed("psql", errors["psql"])
    if producer.returncode:
        raise _failed("pg_restore", errors["pg_restore"])


def pg_counts(engine: Engine, tables: Iterable[str]) -> dict[str, int]:
    with engine.connect() as conn:
        return _counts(lambda sql: conn.exec_driver_sql(sql).scalar_one(), tables)


def counts_now(engine: Engine, tables: Iterable[str]) -> dict[str, int]:
    """Row counts of the live database."""
    if kind(engine) == "sqlite":
        return sqlite_counts_live(engine, tables)
    return pg_counts(engine, tables)


def sqlite_counts_live(engine: Engine, tables: Iterable[str]) -> dict[str, int]:
    with closing(_sqlite_connect(_sqlite_path(engine))) as conn:
        return _counts(lambda sql: conn.execute(sql).fetchone()[0], tables)
