"""Static files light and cached: content-hashed names, compressed copies, long caching.

The build step, ``python -m inspections.assets`` (run by ``make run``, ``make test``, the
README's deployment and, when stale, by the test suite), writes beside each file of ``static/``
a copy named by the MD5 of its content (``app-<md5>.css``) and the manifest
``static/cache_manifest.json`` (both by Flask-Static-Digest), then gzip and Brotli copies of
both (WhiteNoise's compressor). At run time ``url_for('static', filename=...)`` names the hashed
copy, WhiteNoise serves it compressed with a one-year immutable cache (any other static file
for a few minutes), and Flask-Compress compresses pages and JSON. Without a build the app
works as before, with plain names.

ES modules import each other by plain relative names ("./offline-store.js"): the import map
of every page (``import_map()``) sends those names to the hashed copies too, so a module is
loaded once under one URL, the one the offline service worker keeps.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

from flask import Flask, current_app, url_for

STATIC = Path(__file__).resolve().parent.parent / "static"
MANIFEST = "cache_manifest.json"
HASHED = re.compile(r"-[0-9a-f]{32}(\.[A-Za-z0-9]+)?$")  # Flask-Static-Digest's names
# Not served to the app's pages: the README's screenshots.
NOT_SERVED = ("img/readme/",)
NOT_HASHED_MAX_AGE = 600  # seconds: files reached by plain names (CSS url(), Swagger UI)
ONE_YEAR = 365 * 24 * 3600
COMPRESSED_TYPES = [
    "text/html",
    "application/json",
    "application/geo+json",
    "application/manifest+json",
    "text/javascript",
]


# ---------------------------------------------------------------- build


def build(static: Path = STATIC, quiet: bool = True) -> int:
    """Hash and compress every static file again; returns how many files were hashed."""
    from flask_static_digest import digester
    from whitenoise.compress import Compressor

    root = os.path.join(str(static), "")  # the digester joins its glob to this
    with _quiet(quiet):
        digester.clean(root, [], True, True)
        digester.compile(root, root, [], False, False)
    manifest = json.loads((static / MANIFEST).read_text(encoding="utf-8"))
    manifest = {k: v for k, v in manifest.items() if not k.startswith(NOT_SERVED)}
    (static / MANIFEST).write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    compressor = Compressor(use_gzip=True, use_brotli=True, quiet=True)
    for original, hashed in manifest.items():
        source = static / original
        if not compressor.should_compress(source.name):
            continue
        for made in compressor.compress(str(source)):
            suffix = made[len(str(source)) :]  # ".br" or ".gz"
            shutil.copy2(made, static / (hashed + suffix))
    for stray in static.glob("**/*"):  # hashed copies of files that are not served
        rel = stray.relative_to(static).as_posix()
        if rel.startswith(NOT_SERVED) and HASHED.search(rel):
            stray.unlink()
    return len(manifest)


def stale(static: Path = STATIC) -> bool:
    """Whether a static file changed (or appeared) since the last build."""
    manifest = static / MANIFEST
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    known = json.loads(manifest.read_text(encoding="utf-8"))
    for path in static.rglob("*"):
        rel = path.relative_to(static).as_posix()
        if not path.is_file() or rel == MANIFEST or rel.startswith(NOT_SERVED):
            continue
        if HASHED.search(rel) or rel.endswith((".gz", ".br")):
            continue
        if rel not in known or path.stat().st_mtime > built:
            return True
    return False


class _quiet:
    """Silence the digester's prints."""

    def __init__(self, on: bool):
        self.on = on

    def __enter__(self):
        if self.on:
            self.saved, sys.stdout = sys.stdout, open(os.devnull, "w")

    def __exit__(self, *exc):
        if self.on:
            sys.stdout.close()
            sys.stdout = self.saved


# ---------------------------------------------------------------- run time


def init_app(app: Flask) -> None:
    """Hashed names in url_for, the import map, WhiteNoise for static/, compressed pages."""
    from flask_compress import Compress
    from whitenoise import WhiteNoise

    app.config.setdefault("STATIC_DIGEST", True)
    static = Path(app.static_folder or STATIC)
    manifest = _manifest(static) if app.config["STATIC_DIGEST"] else {}
    app.extensions["static_digest"] = manifest

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict) -> None:
        # url_for("static", filename=..., hashed=False) names the plain file (import map)
        if endpoint == "static" and values.pop("hashed", True) and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])

    app.jinja_env.globals["import_map"] = import_map
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        max_age=NOT_HASHED_MAX_AGE,
        autorefresh=app.debug,
        immutable_file_test=lambda _path, url: bool(HASHED.search(url)),
        add_headers_function=_static_headers,
    )
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br"])
    Compress(app)


def _manifest(static: Path) -> dict[str, str]:
    try:
        return json.loads((static / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _static_headers(headers, _path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
    if HASHED.search(url):
        headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"


def import_map() -> dict:
    """{"imports": {plain module URL: hashed URL}} for the app's own modules (static/js)."""
    manifest = current_app.extensions.get("static_digest") or {}
    imports = {
        url_for("static", filename=plain, hashed=False): url_for("static", filename=plain)
        for plain in manifest
        if plain.startswith("js/") and plain.endswith(".js")
    }
    return {"imports": imports} if imports else {}


if __name__ == "__main__":
    count = build(quiet=True)
    print(f"static files: {count} hashed and compressed in {STATIC}")


def static_root() -> Path:
    """The app's static folder on disk, for code that reads its files (fonts, scripts)."""
    folder = current_app.static_folder
    if folder is None:
        raise RuntimeError("the app has no static folder")
    return Path(folder)
