"""Stored files: inspection photos and their thumbnails, signatures, follow-up evidence.

Every byte read or written goes through a ``Storage`` backend chosen from the configuration
(``STORAGE_BACKEND``; only ``local`` exists today, an S3-compatible one would implement the
same four methods). Files are addressed by keys such as ``inspections/<id>/<sha256>.<ext>``;
the database keeps the key and the hash, so a file changed behind the app's back is detected
when it is read. ``LocalStorage`` keeps a key at ``UPLOAD_FOLDER/<key>``, outside static/.

Files are written before their row commits; a unit of work that rolls back removes the files
it created (a full disk in the middle of an inspection leaves no file behind), and a write
that fails leaves no half-written file. Files of deleted rows are removed only after the
commit. A full disk is ``StorageFull`` (HTTP 507: the phone keeps the inspection in its queue
and tries again).
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from .errors import InspectionsError, Invalid

_PENDING = "storage_keys_to_delete"
_WRITTEN = "storage_keys_written"
_FULL = (errno.ENOSPC, errno.EDQUOT)


class StorageFull(InspectionsError):
    """The disk (or quota) of the stored files is full: nothing was saved; try again later."""

    status = 507

    def __init__(self) -> None:
        super().__init__(
            _(
                "The server's storage is full: nothing was saved. Your data is kept on the "
                "phone; try again later and tell the administrator."
            ),
            field="file",
        )


class Storage(Protocol):
    """Where stored files live: bytes by key."""

    def put(self, key: str, data: bytes) -> None:
        """Write the bytes under the key (replacing what was there), atomically."""

    def read(self, key: str) -> bytes | None:
        """The bytes under the key, or None when there are none."""

    def delete(self, key: str) -> None:
        """Remove the key (nothing happens when it does not exist)."""

    def exists(self, key: str) -> bool:
        """Whether something is stored under the key."""


class LocalStorage:
    """Files in a folder of the server's disk (the upload folder)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file of a key, refusing any key that escapes the folder."""
        base = self.root.resolve()
        path = (base / key).resolve()
        if base not in path.parents:
            raise Invalid("bad stored name")
        return path

    def put(self, key: str, data: bytes) -> None:
        """Write through a temporary file renamed into place, so no reader sees half a file;
        a write that fails (a full disk) removes its temporary file."""
        path = self.path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".up-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            if tmp is not None:
                with suppress(OSError):
                    os.unlink(tmp)
            if exc.errno in _FULL:
                current_app.logger.error("upload storage full writing %s: %s", key, exc)
                raise StorageFull() from exc
            raise

    def read(self, key: str) -> bytes | None:
        """The file's bytes, or None when it cannot be read."""
        try:
            return self.path(key).read_bytes()
        except OSError:
            return None

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        return self.path(key).exists()


BACKENDS = {"local": lambda app: LocalStorage(app.config["UPLOAD_FOLDER"])}


def storage() -> Storage:
    """The app's storage backend (STORAGE_BACKEND, "local" by default), made once per app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("storage")
    if found is None:
        name = app.config["STORAGE_BACKEND"]
        if name not in BACKENDS:
            raise RuntimeError(f"unknown STORAGE_BACKEND {name!r}")
        found = app.extensions["storage"] = BACKENDS[name](app)
    return found


def key_for(owner_id: int, digest: str, ext: str, folder: str = "inspections") -> str:
    """The key of a file: <folder>/<owner id>/<sha256>.<ext>."""
    return f"{folder}/{owner_id}/{digest}.{ext}"


def save(data: bytes, ext: str, *, owner_id: int, folder: str = "inspections") -> tuple[str, str]:
    """Keep the bytes once under their hash; returns (sha256, key). `folder` keeps other
    owners' files (follow-up evidence) apart from inspection photos and signatures."""
    digest = hashlib.sha256(data).hexdigest()
    key = key_for(owner_id, digest, ext, folder)
    backend = storage()
    if not backend.exists(key):
        backend.put(key, data)
        _remember_written(key)
    return digest, key


def _remember_written(key: str) -> None:
    """A file created inside a unit of work goes again if that unit rolls back."""
    from .extensions import db

    session = db.session()
    owner = session.get_nested_transaction()
    session.info.setdefault(_WRITTEN, []).append((owner, key))


def read_checked(key: str, sha256: str) -> bytes | None:
    """The bytes of a key if they still match the recorded hash, else None."""
    data = storage().read(key)
    if data is None:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        current_app.logger.error("file %s does not match its recorded SHA-256", key)
        return None
    return data


def delete_after_commit(session: Session, *keys: str) -> None:
    """Remove these keys once the transaction that deleted their rows has committed; a
    savepoint rolled back forgets the keys given inside it."""
    owner = session.get_nested_transaction()  # None: the transaction itself
    session.info.setdefault(_PENDING, []).extend((owner, key) for key in keys)


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _delete_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its keys wait for the real commit
    session.info.pop(_WRITTEN, None)  # the rows of the files written are kept
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    try:
        backend = storage()
    except RuntimeError:  # no app (a script's own session): nothing to remove from
        return
    for _owner, key in pending:
        with suppress(OSError, Invalid):  # a file left behind is harmless; its row is gone
            backend.delete(key)


@event.listens_for(Session, "after_rollback")
def _keep_pending(session: Session) -> None:
    undone = session.get_nested_transaction()
    written = session.info.get(_WRITTEN, [])
    if undone is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)
        _remove_written(key for _owner, key in written)
        return
    pending = session.info.get(_PENDING, [])
    session.info[_PENDING] = [(owner, key) for owner, key in pending if not _within(owner, undone)]
    session.info[_WRITTEN] = [(o, k) for o, k in written if not _within(o, undone)]
    _remove_written(k for o, k in written if _within(o, undone))


def _remove_written(keys) -> None:
    """Files created by a unit that rolled back: no committed row names them (their names
    hold the new owner's id and the bytes' hash), so they go."""
    keys = list(keys)
    if not keys:
        return
    try:
        backend = storage()
    except RuntimeError:
        return
    for key in keys:
        with suppress(OSError, Invalid):
            backend.delete(key)
