"""`flask backup` / `flask restore`: a seeded database with inspections, photos, signatures
and evidence goes out and comes back whole on both databases; a damaged backup is refused and
changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text

from inspections import backup, backup_db, storage
from inspections.extensions import db
from tests.conftest import dispose_database, make_app, migrate_and_seed, new_database_url


def _invoke(application, *args: str):
    """Run a CLI command of another app than the suite's (inside its own app context)."""
    with application.app_context():
        result = application.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()
    return result


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 40 % 256, 90, 200)).save(out, "JPEG")
    return out.getvalue()


def _png(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (120, 40), seed).save(out, "PNG")
    return out.getvalue()


def _add_inspections_with_files() -> None:
    """A representative data set on top of the seed (the reference data: areas, catalogue,
    checklists): venues, submitted inspections with photos and signatures stored as the app
    stores them, and a follow-up evidence file (the demo data take 20 s more on PostGIS)."""
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from inspections.areas.services import assign_venue_areas
    from inspections.spatial import point
    from inspections.text import fold
    from inspections.venues.models import Sector, Venue
    from inspections.visits.models import Inspection, InspectionPhoto, InspectionSignature

    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "karaoke"))
    venues = []
    for n in range(5):
        name = f"Karaoke Sao Biển {n}"
        venues.append(
            Venue(
                name=name,
                search_text=fold(name),
                sector_id=sector_id,
                address=f"{n} Trần Hưng Đạo",
                location=point(10.929 + n / 1000, 108.102),
                status="operating",
                opened_on=date(2020, 1, 1),
            )
        )
    db.session.add_all(venues)
    db.session.flush()
    assign_venue_areas([v.id for v in venues])
    for n, venue in enumerate(venues):
        at = datetime.combine(date(2024, 5, 1 + n), time(10), ZoneInfo("Asia/Ho_Chi_Minh"))
        inspection = Inspection(
            venue_id=venue.id,
            status="submitted",
            inspected_at=at,
            inspected_on=at.date(),
            submitted_at=at,
        )
        db.session.add(inspection)
        db.session.flush()
        data = _jpeg(n)
        sha, key = storage.save(data, "jpg", owner_id=inspection.id)
        db.session.add(
            InspectionPhoto(
                inspection_id=inspection.id,
                sha256=sha,
                content_type="image/jpeg",
                size_bytes=len(data),
                width=64,
                height=48,
                stored_name=key,
            )
        )
        sig = _png(n + 1)
        sha, key = storage.save(sig, "png", owner_id=inspection.id)
        db.session.add(
            InspectionSignature(
                inspection_id=inspection.id, role="lead", sha256=sha, stored_name=key
            )
        )
    storage.save(_jpeg(99), "jpg", owner_id=1, folder="followups")
    db.session.commit()


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _counts(application) -> dict[str, int]:
    with application.app_context():
        tables = backup_db.app_tables(db.engine, db.metadata.tables)
        counts = backup_db.counts_now(db.engine, tables)
        db.engine.dispose()
    return counts


@pytest.fixture(scope="module")
def source(db_kind, tmp_path_factory):
    """A seeded database with inspections, photos, signatures, evidence, and its backup."""
    tmp = tmp_path_factory.mktemp("backup-source")
    url = new_database_url(db_kind, tmp, "source")
    application = make_app(url, tmp)
    migrate_and_seed(application)
    with application.app_context():
        _add_inspections_with_files()
        db.session.remove()
        db.engine.dispose()
    result = _invoke(application, "backup", str(tmp / "backup"))
    assert result.exit_code == 0, result.output
    yield application, tmp / "backup"
    dispose_database(url)


@pytest.fixture
def target(db_kind, tmp_path):
    """An empty database (PostGIS: with the extension, as the README creates it)."""
    url = new_database_url(db_kind, tmp_path, "target")
    yield make_app(url, tmp_path)
    dispose_database(url)


def test_backup_holds_every_row_and_file(source):
    application, folder = source
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    counts = _counts(application)
    assert manifest["tables"] == counts
    assert counts["inspection_photo"] >= 3 and counts["inspection_signature"] >= 3
    assert counts["venue"] >= 5 and counts["area"] > 0 and counts["legal_violation"] > 0
    assert any(k.startswith("followups/") for k in manifest["files"])
    uploads = Path(application.config["UPLOAD_FOLDER"])
    assert {k: v["sha256"] for k, v in manifest["files"].items()} == _files(uploads)
    dump = folder / manifest["database"]["file"]
    assert manifest["database"]["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert manifest["database"]["revision"]  # the migration the copy is at


def test_round_trip_gives_back_the_same_rows_and_files(source, target):
    application, folder = source
    result = _invoke(target, "restore", str(folder))
    assert result.exit_code == 0, result.output
    assert _counts(target) == _counts(application)
    uploads = Path(target.config["UPLOAD_FOLDER"])
    assert _files(uploads) == _files(Path(application.config["UPLOAD_FOLDER"]))

    # the app reads a restored photo through its own checks
    from inspections.visits.models import InspectionPhoto

    with target.app_context():
        photo = db.session.scalars(select(InspectionPhoto)).first()
        assert storage.read_checked(photo.stored_name, photo.sha256) is not None
        db.session.remove()
        db.engine.dispose()

    if target.config["DATABASE_URL"].startswith("postgresql"):
        # a dump carries no planner statistics: the restore gathers them (a fresh demo's
        # coverage figures took 270 ms instead of 20 without, bench/load.py)
        with target.app_context():
            with db.engine.connect() as conn:
                stats = conn.execute(
                    text("SELECT count(*) FROM pg_stats WHERE tablename = 'venue'")
                ).scalar_one()
            db.engine.dispose()
        assert stats > 0

    # a database holding data is replaced only on purpose
    again = _invoke(target, "restore", str(folder))
    assert again.exit_code == 1
    assert "--force" in again.output
    forced = _invoke(target, "restore", "--force", str(folder))
    assert forced.exit_code == 0, forced.output
    assert _counts(target) == _counts(application)


def _damaged(folder: Path, tmp_path: Path, how: str) -> Path:
    copy = tmp_path / f"damaged-{how}"
    shutil.copytree(folder, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    if how == "photo":
        key = next(k for k in manifest["files"] if k.startswith("inspections/"))
        path = copy / "files" / key
        data = bytearray(path.read_bytes())
        data[-3] ^= 0xFF  # same size, other bytes
        path.write_bytes(bytes(data))
    elif how == "truncated":
        dump = copy / manifest["database"]["file"]
        dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    elif how == "missing":
        key = next(iter(manifest["files"]))
        (copy / "files" / key).unlink()
    elif how == "extra":
        (copy / "files" / "inspections" / "planted.jpg").write_bytes(b"not ours")
    elif how == "count":  # the manifest edited by hand: checked against the copy itself
        manifest["tables"]["venue"] += 1
        (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif how == "manifest":
        (copy / "manifest.json").write_text("{ not json", encoding="utf-8")
    return copy


@pytest.mark.parametrize("how", ["photo", "truncated", "missing", "extra", "manifest", "count"])
def test_a_damaged_backup_is_refused_and_changes_nothing(source, target, tmp_path, how):
    _application, folder = source
    result = _invoke(target, "restore", "--force", str(_damaged(folder, tmp_path, how)))
    assert result.exit_code == 1
    if how == "count":  # SQLite: counted in the copy before; PostgreSQL: inside the restore
        assert "the manifest says" in result.output
    else:
        assert "damaged or was changed; nothing was restored" in result.output
    with target.app_context():
        assert not backup.holds_data(
            db.engine, Path(target.config["UPLOAD_FOLDER"]), db.metadata.tables
        )
        db.engine.dispose()


def test_bad_arguments_are_refused_with_a_message(source, target, tmp_path):
    application, _folder = source
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "something").write_text("x")
    result = _invoke(application, "backup", str(taken))
    assert result.exit_code == 1 and "not an empty folder" in result.output
    result = _invoke(application, "backup", "")
    assert result.exit_code == 1 and "path" in result.output
    result = _invoke(target, "restore", str(tmp_path))
    assert result.exit_code == 1 and "is not a backup" in result.output
