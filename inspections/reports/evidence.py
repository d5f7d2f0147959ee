"""Evidence files of reported figures: what they must be (a PDF, JPEG or PNG judged by its
content, not its name) and the name they are listed under. The bytes are kept by storage.py;
a file stays stored after it is removed from a figure, since a sent report may list it."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from ..errors import Invalid
from ..visits import files

PDF = ("application/pdf", "pdf")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) of an evidence file, or Invalid: a PDF by its header and end
    marker, an image by what Pillow reads (JPEG or PNG only)."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise Invalid(_("The PDF file is incomplete."), field="file")
        return PDF
    try:
        fmt, _w, _h = files.sniff(data, allowed=("JPEG", "PNG"))
    except Invalid:
        raise Invalid(_("The file is not a PDF, JPEG or PNG."), field="file") from None
    return files.FORMATS[fmt]


def clean_name(name: str | None, ext: str) -> str:
    """The name a file is listed under: the uploaded name without paths or control
    characters, at most 120 characters, ending with its real extension."""
    base = _UNSAFE.sub("_", (name or "").rsplit("/", 1)[-1]).strip() or "evidence"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:120]}.{ext}"
