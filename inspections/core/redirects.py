"""Where a redirect may go when the target comes from the user (``next``, the referrer).

Only a path on this site is accepted: "/venues?q=x", never "//evil.example", "/\\evil.example",
"https://evil.example" or a path hiding one behind a tab or newline (browsers drop those
characters, and Werkzeug drops them when it builds the Location header, so "/\\t/evil.example/"
would become "//evil.example/").
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_TARGET = 2000


def _has_unsafe_char(text: str) -> bool:
    """Whitespace, control or format characters (tab, newline, zero-width…) or a backslash."""
    return any(
        ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        for ch in text
    )


def _has_control_char(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _is_site_path(target: str) -> bool:
    if not target or len(target) > MAX_TARGET or _has_unsafe_char(target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    # Nor once decoded ("/%2F/evil.example", "/%5Cevil.example"), in case anything decodes it;
    # an encoded space ("/a%20b") is harmless.
    path = unquote(parts.path)
    return not (path.startswith("//") or "\\" in path or _has_control_char(path))


def safe_target(target: str | None, default: str, *, origin: str | None = None) -> str:
    """target when it is a path on this site, else default.

    origin ("http://host") also accepts full URLs of this site (a referrer), reduced to their path.
    """
    target = target or ""
    if origin and target.startswith(origin.rstrip("/") + "/"):
        target = target[len(origin.rstrip("/")) :]
    return target if _is_site_path(target) else default
