"""The app's static files on disk, for code that reads them at run time (fonts, scripts)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def static_root() -> Path:
    """The app's static folder (create_app always gives it one)."""
    folder = current_app.static_folder
    if folder is None:
        raise RuntimeError("the app has no static folder")
    return Path(folder)
