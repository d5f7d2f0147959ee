"""Photo and signature files: what they must be (an image judged by its content, under the
size and pixel caps) and their thumbnails. The bytes themselves are kept by storage.py.
"""

from __future__ import annotations

import io
import warnings
from contextlib import suppress
from pathlib import PurePosixPath

from flask import current_app, request
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .. import storage
from ..errors import InspectionsError, Invalid
from ..extensions import db

FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 40_000_000  # a 40-megapixel camera frame; larger is a decompression bomb
THUMB_EDGE = 320
ORIENTATION = 0x0112  # the EXIF tag


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


# A multipart form's framing around the file: the body may exceed the cap by this much.
FORM_SLACK = 65536


def refuse_oversized_body(endpoint: str) -> None:
    """For a blueprint's before_request: say how large an upload to ``endpoint`` was before
    anything parses a too-large body (the declared length against the cap)."""
    if request.endpoint == endpoint and request.content_length:
        check_size(request.content_length, slack=FORM_SLACK)


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
    if fmt is None or fmt not in allowed:
        raise Invalid(_("The file is not a photo (JPEG, PNG or WebP)."), field="file")
    return fmt, width, height


def thumbnail_key(key: str, edge: int = THUMB_EDGE) -> str:
    """The key of a stored image's upright thumbnail, beside it: <sha256>.u320.jpg (the
    ".t320.jpg" thumbnails of earlier versions ignored the camera's orientation)."""
    return str(PurePosixPath(key).with_suffix(f".u{edge}.jpg"))


def upright_key(key: str) -> str:
    """The key of a stored photo turned upright, beside it: <sha256>.upright.<ext>."""
    path = PurePosixPath(key)
    return str(path.with_suffix(".upright" + path.suffix))


def _turned(img: Image.Image) -> Image.Image:
    """The image as the camera meant it to be seen: phones store a photo sideways and say
    in its EXIF orientation how to turn it."""
    return ImageOps.exif_transpose(img) or img


def _needs_turning(img: Image.Image) -> bool:
    return img.getexif().get(ORIENTATION, 1) not in (1, None)


def thumbnail(key: str, sha256: str, edge: int = THUMB_EDGE) -> bytes | None:
    """A small upright JPEG of a stored image, made once and kept beside it."""
    backend = storage.storage()
    thumb = thumbnail_key(key, edge)
    cached = backend.read(thumb)
    if cached is not None:
        return cached
    data = storage.read_checked(key, sha256)
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as img:
        small = _turned(img).convert("RGB")
        small.thumbnail((edge, edge))
        out = io.BytesIO()
        small.save(out, "JPEG", quality=75, optimize=True)
    with suppress(storage.StorageFull):  # a full disk: served, made again next time
        backend.put(thumb, out.getvalue())
    return out.getvalue()


def upright(key: str, sha256: str) -> bytes | None:
    """A stored photo to serve: as stored when it stands upright, else turned by its EXIF
    orientation (made once and kept beside it; the stored original is never changed)."""
    data = storage.read_checked(key, sha256)
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as img:
        if not _needs_turning(img):
            return data
        backend = storage.storage()
        cached = backend.read(upright_key(key))
        if cached is not None:
            return cached
        fmt = img.format
        out = io.BytesIO()
        _turned(img).save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    with suppress(storage.StorageFull):
        backend.put(upright_key(key), out.getvalue())
    return out.getvalue()


def delete_after_commit(key: str) -> None:
    """Remove a stored image and what was made from it once the deletion of its row has
    committed."""
    legacy_thumb = str(PurePosixPath(key).with_suffix(f".t{THUMB_EDGE}.jpg"))
    storage.delete_after_commit(
        db.session(), key, thumbnail_key(key), upright_key(key), legacy_thumb
    )
