"""`flask backup PATH` and `flask restore PATH`: the database, every stored file (photos,
signatures, evidence, sent reports) and a manifest that proves the copy whole.

A backup is a folder::

    PATH/manifest.json        format, database kind, migration, row count of every table,
                              SHA-256 and size of the database copy and of every file
    PATH/database.sqlite      (SQLite: the online backup API's copy) or
    PATH/database.dump        (PostgreSQL: pg_dump -Fc)
    PATH/files/<key>          the upload folder as it was (storage.py's keys)

It is written into a hidden sibling folder renamed into place at the end, so a folder named
PATH is always complete. The database is copied first and the files after: files are named
by their content and written before their rows commit, so every row of the copy finds its file.

Restore checks everything before touching anything: the manifest, the SHA-256 and size of the
database copy and of every file, no file missing or added (a tampered or truncated backup is
refused). It stages the files beside the upload folder and checks them again, replaces the
database in one transaction that also checks every table's row count (see backup_db.py), then
swaps the staged folder in. A database or upload folder that already holds data is replaced
only with ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.engine import Engine

from . import backup_db
from .dbadmin import analyze
from .dbtypes import utcnow
from .errors import Conflict, Invalid

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
_TEMP_PREFIX = ".up-"  # storage.LocalStorage's files being written
_CHUNK = 1 << 20
_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class Outcome:
    """What a backup or a restore did."""

    path: Path
    tables: dict[str, int]
    files: int
    file_bytes: int
    database_bytes: int
    revision: str | None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashed(src: Path, dst: Path) -> tuple[str, int]:
    """Copy a file, hashing the bytes as they are written; (sha256, size)."""
    digest, size = hashlib.sha256(), 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest(), size


def _stored_files(root: Path) -> list[Path]:
    """Every stored file under the upload folder, but the half-written ones."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(_TEMP_PREFIX))


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


# ---------------------------------------------------------------- backup


def make_backup(
    engine: Engine,
    upload_folder: Path,
    target: Path,
    table_names,
    echo: Callable[[str], None] = lambda _m: None,
) -> Outcome:
    """Write a complete backup folder at target (which must not exist, or be empty)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Conflict(
            _("%(path)s already exists and is not an empty folder: choose a new one.", path=target),
            field="path",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.part-", dir=target.parent))
    try:
        db_kind = backup_db.kind(engine)
        tables = backup_db.app_tables(engine, table_names)
        dump = work / backup_db.dump_name(db_kind)
        if db_kind == "sqlite":
            counts = backup_db.sqlite_dump(engine, dump, tables)
        else:
            counts = backup_db.pg_dump(engine, dump, tables)
        echo(f"database: {sum(counts.values())} rows in {len(counts)} tables")
        files: dict[str, dict] = {}
        for src in _stored_files(upload_folder):
            key = src.relative_to(upload_folder).as_posix()
            sha, size = _copy_hashed(src, work / FILES / key)
            files[key] = {"sha256": sha, "size": size}
        echo(f"files: {len(files)} ({sum(f['size'] for f in files.values())} bytes)")
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "database": {
                "kind": db_kind,
                "file": dump.name,
                "sha256": sha256_of(dump),
                "size": dump.stat().st_size,
                "revision": _revision(engine),
            },
            "tables": counts,
            "files": files,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        if target.exists():
            target.rmdir()  # the empty folder the caller named
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _outcome(target, manifest)


def _outcome(path: Path, manifest: dict) -> Outcome:
    files = manifest["files"]
    return Outcome(
        path=path,
        tables=manifest["tables"],
        files=len(files),
        file_bytes=sum(int(f["size"]) for f in files.values()),
        database_bytes=int(manifest["database"]["size"]),
        revision=manifest["database"].get("revision"),
    )


# ---------------------------------------------------------------- checking a backup


def _refuse(reason: str) -> Invalid:
    return Invalid(
        _("This backup is damaged or was changed; nothing was restored. %(reason)s", reason=reason),
        field="path",
    )


def read_manifest(path: Path) -> dict:
    """The manifest of a backup folder, checked for shape."""
    path = Path(path)
    if not (path / MANIFEST).is_file():
        raise Invalid(_("%(path)s is not a backup (no manifest.json).", path=path), field="path")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        database = manifest["database"]
        ok = (
            manifest["format"] == FORMAT
            and database["kind"] in ("sqlite", "postgresql")
            and database["file"] == backup_db.dump_name(database["kind"])
            and all(
                isinstance(n, int) and n >= 0 and _TABLE_NAME.match(t)
                for t, n in manifest["tables"].items()
            )
            and all(
                isinstance(f["sha256"], str) and isinstance(f["size"], int)
                for f in manifest["files"].values()
            )
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise _refuse(_("Its manifest cannot be read."))
    return manifest


def _check_file(path: Path, expected: dict, label: str) -> None:
    if not path.is_file():
        raise _refuse(_("%(name)s is missing.", name=label))
    if path.stat().st_size != expected["size"]:
        raise _refuse(
            _(
                "%(name)s has %(size)s bytes instead of %(expected)s (truncated or changed).",
                name=label,
                size=path.stat().st_size,
                expected=expected["size"],
            )
        )
    if sha256_of(path) != expected["sha256"]:
        raise _refuse(_("%(name)s does not match its SHA-256.", name=label))


def verify_backup(path: Path) -> dict:
    """Check a backup folder whole (manifest, database copy, every file); its manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    database = manifest["database"]
    _check_file(path / database["file"], database, database["file"])
    root = path / FILES
    for key, expected in manifest["files"].items():
        if ".." in Path(key).parts or Path(key).is_absolute():
            raise _refuse(_("%(name)s is outside the backup.", name=key))
        _check_file(root / key, expected, key)
    extra = {p.relative_to(root).as_posix() for p in _stored_files(root)} - set(manifest["files"])
    if extra:
        raise _refuse(_("%(name)s is not in the manifest.", name=sorted(extra)[0]))
    if database["kind"] == "sqlite":
        counts = backup_db.sqlite_counts(path / database["file"], manifest["tables"])
        _same_counts(manifest["tables"], counts, _refuse)
    return manifest


def _same_counts(expected: dict, found: dict, error) -> None:
    for table, n in sorted(expected.items()):
        if found.get(table) != n:
            raise error(
                _(
                    "Table %(table)s has %(found)s rows; the manifest says %(n)s.",
                    table=table,
                    found=found.get(table),
                    n=n,
                )
            )


# ---------------------------------------------------------------- restore


def holds_data(engine: Engine, upload_folder: Path, table_names) -> bool:
    """Whether the database has any of the app's tables or the upload folder any file."""
    return bool(backup_db.app_tables(engine, table_names)) or bool(_stored_files(upload_folder))


def restore_backup(
    engine: Engine,
    upload_folder: Path,
    source: Path,
    table_names,
    *,
    force: bool = False,
    echo: Callable[[str], None] = lambda _m: None,
) -> Outcome:
    """Put a checked backup back: nothing changes unless every check passes."""
    source, upload_folder = Path(source), Path(upload_folder)
    manifest = verify_backup(source)
    echo(f"backup checked: {len(manifest['files'])} files, {len(manifest['tables'])} tables")
    db_kind = backup_db.kind(engine)
    if manifest["database"]["kind"] != db_kind:
        raise Invalid(
            _(
                "This backup is of a %(backup)s database; the app uses %(current)s.",
                backup=manifest["database"]["kind"],
                current=db_kind,
            ),
            field="path",
        )
    existing = holds_data(engine, upload_folder, table_names)
    if existing and not force:
        raise Conflict(
            _(
                "The database or the upload folder already holds data; restoring replaces "
                "it all. Add --force to do so."
            ),
            field="force",
        )
    staged = _stage_files(source, manifest, upload_folder)
    try:
        dump = source / manifest["database"]["file"]
        if db_kind == "sqlite":
            backup_db.sqlite_restore(engine, dump)
        else:
            backup_db.pg_restore(engine, dump, manifest["tables"], clean=existing)
            with engine.begin() as conn:  # a dump carries no planner statistics
                analyze(conn)
        echo("database restored")
        _swap_in(staged, upload_folder)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    _check_restored(engine, upload_folder, manifest)
    echo("restored data checked against the manifest")
    return _outcome(source, manifest)


def _stage_files(source: Path, manifest: dict, upload_folder: Path) -> Path:
    """Copy the backup's files beside the upload folder, checking each copy's hash."""
    upload_folder.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(
        tempfile.mkdtemp(prefix=f".{upload_folder.name}.restore-", dir=upload_folder.parent)
    )
    try:
        for key, expected in manifest["files"].items():
            sha, _size = _copy_hashed(source / FILES / key, staged / key)
            if sha != expected["sha256"]:
                raise _refuse(_("%(name)s does not match its SHA-256.", name=key))
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def _swap_in(staged: Path, upload_folder: Path) -> None:
    """Make the staged folder the upload folder (by renames; by moves when the upload
    folder is a mount point that cannot be renamed)."""
    if not upload_folder.exists():
        os.replace(staged, upload_folder)
        return
    shutil.copymode(upload_folder, staged)
    old = upload_folder.with_name(f".{upload_folder.name}.replaced-{os.getpid()}")
    try:
        os.replace(upload_folder, old)
    except OSError:  # a mount point: empty it and move the staged files in
        for child in list(upload_folder.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for child in list(staged.iterdir()):
            shutil.move(str(child), upload_folder / child.name)
        staged.rmdir()
        return
    os.replace(staged, upload_folder)
    shutil.rmtree(old, ignore_errors=True)


def _check_restored(engine: Engine, upload_folder: Path, manifest: dict) -> None:
    def error(reason: str) -> Invalid:
        return Invalid(_("The restore did not give back the backup: %(r)s", r=reason))

    _same_counts(manifest["tables"], backup_db.counts_now(engine, manifest["tables"]), error)
    for key, expected in manifest["files"].items():
        path = upload_folder / key
        if not path.is_file() or sha256_of(path) != expected["sha256"]:
            raise error(_("%(name)s does not match its SHA-256.", name=key))
