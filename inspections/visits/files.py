"""Photo and signature files: checked by content, stored outside static/ under their SHA-256.

Files live in ``UPLOAD_FOLDER/inspections/<inspection id>/<sha256>.<ext>``; the database keeps
the hash, so a file that was changed on disk is detected when it is served. Files of deleted
rows are removed only after the transaction commits.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..errors import InspectionsError, Invalid

FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 40_000_000  # a 40-megapixel camera frame; larger is a decompression bomb
THUMB_EDGE = 320


class TooLarge(InspectionsError):
    """The upload is over the size cap."""

    status = 413


def max_bytes() -> int:
    """The per-photo cap from MAX_UPLOAD_MB."""
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def too_large_message(size: int | None) -> str:
    """ "The photo is 40 MB; the limit is 10 MB." (or without the size when unknown)."""
    limit = current_app.config["MAX_UPLOAD_MB"]
    if size is None:
        return _("The photo is larger than the limit of %(limit)s MB.", limit=limit)
    return _(
        "The photo is %(size)s MB; the limit is %(limit)s MB.",
        size=round(size / 1024 / 1024, 1),
        limit=limit,
    )


def check_size(size: int | None, slack: int = 0) -> None:
    """Refuse an upload over the cap (plus slack for a form's framing), saying how large it
    is and what the cap is."""
    if size is not None and size > max_bytes() + slack:
        raise TooLarge(too_large_message(size), field="file")


def sniff(data: bytes, allowed=("JPEG", "PNG", "WEBP")) -> tuple[str, int, int]:
    """(format, width, height) of an image judged by its bytes, not its name or header."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt, (width, height) = img.format, img.size
                if width * height > MAX_PIXELS:
                    raise Invalid(_("The image is too large in pixels."), field="file")
                img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid(_("The file is not a photo (JPEG, PNG or WebP)."), field="file") from None
    except Image.DecompressionBombWarning:
        raise Invalid(_("The image is too large in pixels."), field="file") from None
    if fmt not in allowed:
        raise Invalid(_("The file is not a photo (JPEG, PNG or WebP)."), field="file")
    return fmt, width, height


def root() -> Path:
    """Where uploads are kept (never under static/)."""
    return Path(current_app.config["UPLOAD_FOLDER"])


def store(owner_id: int, data: bytes, ext: str, folder: str = "inspections") -> tuple[str, str]:
    """Write the bytes once (atomically) and return (sha256, stored name); `folder` keeps
    other owners' files (follow-up evidence) apart from inspection photos."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{folder}/{owner_id}/{digest}.{ext}"
    path = root() / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".up-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    return digest, name


def path_of(stored_name: str) -> Path:
    """The file of a stored name, refusing anything that escapes the upload folder."""
    base = root().resolve()
    path = (base / stored_name).resolve()
    if base not in path.parents:
        raise Invalid("bad stored name")
    return path


def read_checked(stored_name: str, sha256: str) -> bytes | None:
    """The file's bytes if they still match the recorded hash, else None."""
    try:
        data = path_of(stored_name).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        current_app.logger.error("file %s does not match its recorded SHA-256", stored_name)
        return None
    return data


def thumbnail(stored_name: str, sha256: str, edge: int = THUMB_EDGE) -> bytes | None:
    """A small JPEG of a stored image, made once and cached beside it."""
    thumb = path_of(stored_name).with_suffix(f".t{edge}.jpg")
    if thumb.exists():
        return thumb.read_bytes()
    data = read_checked(stored_name, sha256)
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as img:
        img = img.convert("RGB")
        img.thumbnail((edge, edge))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=75, optimize=True)
    thumb.write_bytes(out.getvalue())
    return out.getvalue()


def delete_after_commit(session: Session, stored_name: str) -> None:
    """Remove a file once the transaction that deleted its row has committed."""
    session.info.setdefault("files_to_delete", []).append(stored_name)


@event.listens_for(Session, "after_commit")
def _delete_files(session: Session) -> None:
    for name in session.info.pop("files_to_delete", []):
        try:
            path = path_of(name)
            for extra in path.parent.glob(path.stem + ".t*.jpg"):
                extra.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        except (OSError, RuntimeError, Invalid):
            pass


@event.listens_for(Session, "after_rollback")
def _keep_files(session: Session) -> None:
    session.info.pop("files_to_delete", None)
