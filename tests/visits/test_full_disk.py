"""A full upload disk: a clear 507 (Vietnamese on a Vietnamese phone), nothing half-saved, no
file left behind; the phone's queue keeps the inspection and sends it again later."""

from __future__ import annotations

import errno
import io
import os
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspections import storage
from inspections.extensions import db
from inspections.i18n import LOCALE_COOKIE
from inspections.visits.models import Inspection, InspectionPhoto, InspectionSignature
from tests.visits.conftest import jpeg_bytes, new_key, png_data_url
from tests.visits.test_photos import API, upload


class _FullFile:
    """A file on a disk that fills up halfway through the write."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


class _Disk:
    full = False


@pytest.fixture
def disk(monkeypatch):
    """disk.full = True: every stored file then meets ENOSPC at its write (the real
    LocalStorage code runs; only the disk's answer is forced)."""
    real = os.fdopen
    state = _Disk()

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real(fd, mode, *args, **kwargs)
        return _FullFile(fh) if state.full else fh

    monkeypatch.setattr(storage.os, "fdopen", fdopen)
    return state


def _unique_png() -> str:
    return png_data_url((200 + random.randrange(400), 60 + random.randrange(200)))


def _stored(app) -> list[str]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _unique_jpeg() -> bytes:
    """A photo no other test stored (stored files are named by their content: one already on
    the disk would need no write at all)."""
    size = (300 + random.randrange(500), 200 + random.randrange(400))
    return jpeg_bytes(size, tuple(random.randrange(256) for _ in range(3)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_photo_on_a_full_disk_is_a_507_and_leaves_nothing(app, api, client, make_doc, disk):
    inspection = api("POST", API, make_doc(), key=new_key()).json
    before_files, before_photos = _stored(app), _count(InspectionPhoto)
    disk.full = True

    r = upload(api, inspection["id"], _unique_jpeg(), key=new_key())
    assert r.status_code == 507
    assert "storage is full" in r.json["message"]
    assert r.json["errors"]["file"]
    assert _count(InspectionPhoto) == before_photos
    assert _stored(app) == before_files  # no half-written file, no temporary file

    client.set_cookie(LOCALE_COOKIE, "vi")
    form = {"file": (io.BytesIO(_unique_jpeg()), "p.jpg")}
    vi = api("POST", f"{API}/{inspection['id']}/photos", data=form, key=new_key())
    assert vi.status_code == 507 and "bộ nhớ của máy chủ đã đầy" in vi.json["message"].lower()

    disk.full = False  # room again: the same photo goes through
    assert upload(api, inspection["id"], _unique_jpeg(), key=new_key()).status_code == 201


def test_an_inspection_whose_signature_meets_a_full_disk_is_not_created(app, api, make_doc, disk):
    before = (_count(Inspection), _count(InspectionSignature), _stored(app))
    disk.full = True
    key = new_key()
    doc = make_doc()
    doc["signatures"][0]["image"] = _unique_png()  # a file not yet on the (shared) disk
    r = api("POST", API, doc, key=key)
    assert r.status_code == 507, r.json
    assert "storage is full" in r.json["message"]
    assert (_count(Inspection), _count(InspectionSignature), _stored(app)) == before
    # the disk has room again: the queue sends the same request and it is created once
    disk.full = False
    again = api("POST", API, doc, key=key)
    assert again.status_code == 201, again.json
    assert _count(Inspection) == before[0] + 1
    assert api("POST", API, doc, key=key).json["id"] == again.json["id"]


def test_files_a_failed_unit_wrote_are_removed(app, api, make_doc, disk, monkeypatch):
    """Two signatures: the first is written, the second meets the full disk; the first
    file does not stay behind as an orphan."""
    before = (_count(Inspection), _stored(app))
    real_put = storage.LocalStorage.put
    writes = []

    def put(self, key, data):
        writes.append(key)
        disk.full = len(writes) >= 2
        return real_put(self, key, data)

    monkeypatch.setattr(storage.LocalStorage, "put", put)
    doc = make_doc()
    doc["signatures"][0]["image"] = _unique_png()
    doc["signatures"][1] = {"role": "representative", "image": _unique_png()}
    r = api("POST", API, doc, key=new_key())
    assert r.status_code == 507, r.json
    assert len(writes) == 2  # the first signature was written, then removed
    assert (_count(Inspection), _stored(app)) == before
