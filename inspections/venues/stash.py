"""Uploaded lists kept between the dry run and the real run (outside static/, for a day).

The dry run shows what an import would do; confirming re-reads the same bytes, so the real
run is the file that was checked, and the rejected rows can be downloaded from it later.
Only the person who uploaded a file can use it again.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time

from flask import current_app
from flask_babel import gettext as _

from ..errors import NotFound

TTL_S = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{10,40}$")


def _folder() -> str:
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "imports")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def _forget_old(folder: str) -> None:
    cutoff = time.time() - TTL_S
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if os.path.getmtime(path) < cutoff:
                os.remove(path)
        except OSError:  # another worker removed it first
            pass


def keep(data: bytes, filename: str, user_id: int) -> str:
    """Keep an uploaded file for its uploader; returns the token naming it."""
    folder = _folder()
    _forget_old(folder)
    token = secrets.token_urlsafe(16)
    with open(os.path.join(folder, f"{token}.bin"), "wb") as fh:
        fh.write(data)
    note(token, {"filename": filename, "user_id": user_id})
    return token


def note(token: str, meta: dict) -> None:
    """Write what is known about a kept file (name, uploader, last report)."""
    with open(os.path.join(_folder(), f"{token}.json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False, default=str)


def load(token: str, user_id: int) -> tuple[bytes, dict]:
    """The kept file and its notes; NotFound for anyone but the uploader, or when expired."""
    gone = NotFound(_("This upload is no longer available; upload the file again."))
    if not _TOKEN.match(token or ""):
        raise gone
    folder = _folder()
    try:
        with open(os.path.join(folder, f"{token}.json"), encoding="utf-8") as fh:
            meta = json.load(fh)
        with open(os.path.join(folder, f"{token}.bin"), "rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        raise gone from None
    if meta.get("user_id") != user_id:
        raise gone
    return data, meta
