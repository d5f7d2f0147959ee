"""The coverage map as one standalone HTML file: every script and stylesheet inlined (read
from static/ at export time), no CDN, works offline (tiles excepted, when configured)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import folium
from flask import current_app
from markupsafe import escape

from ..assets import static_root
from .maps import render_parts

_JS_LINK = re.compile(r'<script src="([^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>')
_CSS_URL = re.compile(r"url\((images/[^)]+\.png)\)")


def _static_file(url: str) -> Path:
    static_url = (current_app.static_url_path or "").rstrip("/") + "/"
    if not url.startswith(static_url):
        raise ValueError(f"not a static asset: {url}")
    root = static_root().resolve()
    path = (root / url[len(static_url) :]).resolve()
    if root not in path.parents:
        raise ValueError(f"outside static: {url}")
    return path


def _inline_css(path: Path) -> str:
    css = path.read_text(encoding="utf-8")

    def data_uri(m):
        png = (path.parent / m[1]).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(png).decode() + ")"

    return _CSS_URL.sub(data_uri, css)


def _inline_js(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


def standalone_html(fmap: folium.Map, title: str, intro: str) -> str:
    """A self-contained HTML file of the map (the coverage-map.css styles included)."""
    parts = render_parts(fmap, nonce="")
    header = parts.header.replace(' nonce=""', "")
    header = _JS_LINK.sub(lambda m: f"<script>{_inline_js(_static_file(m[1]))}</script>", header)
    header = _CSS_LINK.sub(lambda m: f"<style>{_inline_css(_static_file(m[1]))}</style>", header)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'{header}\n</head>\n<body class="cov-file">\n'
        f'<div id="cov-head"><strong>{escape(title)}</strong><br><small>{escape(intro)}</small>'
        f'</div>\n<div id="cov-body">{parts.html}</div>\n'
        f"<script>\n{parts.script}\n</script>\n</body>\n</html>\n"
    )
