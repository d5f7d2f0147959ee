"""What a phone transfers for the main pages: a first visit (the page and everything it loads)
and a repeat visit (what the browser's cache does not spare), compressed as served.

    .venv/bin/python -m inspections.assets          # the hashed, compressed static files
    .venv/bin/flask --app inspections demo          # the demo database (make run does both)
    .venv/bin/python bench/weight.py [--user admin]

Runs the app in process (Flask's test client, with ``Accept-Encoding: br, gzip`` as a browser
sends) on INSPECTIONS_DATABASE_URL (default: the demo database of make run). Counted per
response: the body as transferred and the headers. A page loads its stylesheets, scripts,
icons, the ES modules they import (through the page's import map) and the GeoJSON its maps
fetch. On a repeat visit an asset whose Cache-Control lets the browser keep it costs nothing;
one that must be revalidated costs its headers (a 304). Targets: first visit < 200 KB,
repeat visit < 30 KB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_TARGET, REPEAT_TARGET = 200 * 1024, 30 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"#?]+)')
MAP_DATA = re.compile(r'data-(?:boundaries|communes|venues|areas)="([^"]+)"')  # what maps fetch
IMPORT_MAP = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.S)
JS_IMPORT = re.compile(r"""(?:import|from)\s*['"](\.{1,2}/[^'"]+)['"]""")


def _header_bytes(resp) -> int:
    return len(f"HTTP/1.1 {resp.status}\r\n") + sum(
        len(k) + len(v) + 4 for k, v in resp.headers.items()
    )


def _cached(resp) -> str:
    """What a browser does with this answer on the next visit: "kept" (reused without
    asking), "revalidated" (a 304 when unchanged) or "fetched" (downloaded again)."""
    cc = resp.headers.get("Cache-Control", "")
    m = re.search(r"max-age=(\d+)", cc)
    if "immutable" in cc or (m is not None and int(m[1]) >= 60 and "no-" not in cc):
        return "kept"
    if "no-store" not in cc and ("ETag" in resp.headers or "Last-Modified" in resp.headers):
        return "revalidated"
    return "fetched"


class Visit:
    """The responses of one page load (the page, then what it loads)."""

    def __init__(self, client):
        self.client = client
        self.seen: dict[str, tuple[int, int, str]] = {}  # url -> (body, headers, cached)

    def get(self, url: str) -> bytes:
        resp = self.client.get(url, headers={"Accept-Encoding": "br, gzip"})
        body = resp.get_data()  # as transferred: the test client does not decompress
        self.seen[url] = (len(body), _header_bytes(resp), _cached(resp))
        raw = body
        encoding = resp.headers.get("Content-Encoding")
        if encoding == "br":
            import brotli

            raw = brotli.decompress(body)
        elif encoding == "gzip":
            import gzip

            raw = gzip.decompress(body)
        resp.close()
        return raw

    def page(self, path: str) -> None:
        html = self.get(path).decode("utf-8", "replace")
        imports = {}
        if found := IMPORT_MAP.search(html):
            imports = json.loads(found[1]).get("imports", {})
        for url in dict.fromkeys(ASSET.findall(html) + MAP_DATA.findall(html)):
            self._asset(url.replace("&amp;", "&"), imports)

    def _asset(self, url: str, imports: dict) -> None:
        if url in self.seen:
            return
        body = self.get(url)
        if url.endswith(".js") and b"import" in body:
            # a module's own imports, resolved against its plain URL, then the import map
            plain = next((k for k, v in imports.items() if v == url), url)
            base = plain.rsplit("/", 1)[0]
            for rel in JS_IMPORT.findall(body.decode("utf-8", "replace")):
                target = os.path.normpath(f"{base}/{rel}")
                self._asset(imports.get(target, target), imports)

    def first_bytes(self) -> int:
        return sum(body + head for body, head, _c in self.seen.values())

    def repeat_bytes(self, page: str) -> int:
        """The page again, a 304 for each asset to revalidate, what is not kept again."""
        total = 0
        for url, (body, head, cached) in self.seen.items():
            if url == page or cached == "fetched":
                total += body + head
            elif cached == "revalidated":
                total += head
        return total


def _pages(app) -> dict[str, str]:
    """The pages measured, with ids from the database."""
    from sqlalchemy import select

    from inspections.extensions import db
    from inspections.violations.models import RecordedViolation

    with app.app_context():
        row = db.session.execute(
            select(RecordedViolation.venue_id, RecordedViolation.inspection_id)
            .where(RecordedViolation.in_register.is_(True))
            .order_by(RecordedViolation.id)
            .limit(1)
        ).first()
    if row is None:
        sys.exit("no violations in this database: run `flask --app inspections demo` first")
    return {
        "home": "/",
        "venue": f"/venues/{row.venue_id}",
        "inspection (new)": f"/inspections/new?venue={row.venue_id}",
        "inspection (record)": f"/inspections/{row.inspection_id}",
        "coverage": "/coverage",
        "register": "/violations",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", default="admin", help="the account whose pages are weighed")
    parser.add_argument("--locale", default="vi")
    args = parser.parse_args()
    os.environ.setdefault(
        "INSPECTIONS_DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'inspections.db'}"
    )
    os.environ.setdefault("INSPECTIONS_SECRET_KEY", "bench-weight-" + "x" * 32)
    from sqlalchemy import select

    from inspections import create_app
    from inspections.accounts.models import User
    from inspections.extensions import db

    app = create_app()
    if not app.extensions.get("static_digest"):
        print("note: no static build (python -m inspections.assets): plain, uncompressed files")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == args.user))
        if user is None:
            sys.exit(f"no account {args.user!r} in {os.environ['INSPECTIONS_DATABASE_URL']}")
        session_id = user.get_id()
    pages = _pages(app)
    print(f"{'page':22} {'first visit':>12} {'repeat visit':>13}  requests")
    worst_first = worst_repeat = 0
    for name, path in pages.items():
        client = app.test_client()
        client.set_cookie("lang", args.locale)
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_id, True
        visit = Visit(client)
        visit.page(path)
        first, repeat = visit.first_bytes(), visit.repeat_bytes(path)
        worst_first, worst_repeat = max(worst_first, first), max(worst_repeat, repeat)
        print(f"{name:22} {first / 1024:9.1f} KB {repeat / 1024:10.1f} KB  {len(visit.seen):>8}")
    ok = worst_first < FIRST_TARGET and worst_repeat < REPEAT_TARGET
    print(
        f"targets: first < {FIRST_TARGET // 1024} KB, repeat < {REPEAT_TARGET // 1024} KB: "
        + ("met" if ok else "NOT met")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
