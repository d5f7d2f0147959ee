"""How long a browser or a cache may keep an answer: one rule for the whole app.

- Static files (assets.py, WhiteNoise): hashed names a year, immutable; others a few minutes.
- Pages of a signed-in account and the login page: ``no-store`` (personal data: no copy in
  any cache, shared or the browser's).
- JSON under ``/api/``: ``no-store``, unless the view answered through ``revalidated``: then
  ``private, no-cache`` with a strong ETag (a hash of the content). The browser alone keeps
  a copy, asks again on every use (If-None-Match) and gets a 304 without a body while the
  content is unchanged; a shared cache never keeps it. Flask-Compress suffixes the ETag with
  the encoding (``"…:br"``) and answers the 304 of a compressed answer itself.

``apply`` runs on every answer (``create_app``'s after_request); a view sets a Cache-Control
of its own only for a file it serves (a download, a photo).
"""

from __future__ import annotations

import hashlib

from flask import Response, request

REVALIDATED = "private, no-cache"
NOT_KEPT = "no-store"


def revalidated(body: bytes, mimetype: str, etag: str | None = None) -> Response:
    """The answer with its ETag (default: a hash of the body), kept privately and revalidated;
    a 304 without a body when the request's If-None-Match names the same content."""
    resp = Response(body, mimetype=mimetype)
    resp.set_etag(etag or hashlib.sha256(body).hexdigest()[:32])
    resp.headers["Cache-Control"] = REVALIDATED
    # another account on the same browser sends the same URL: its own content, its own ETag
    resp.headers["Vary"] = "Cookie, Authorization, Accept-Language"
    resp.make_conditional(request)  # in place: the same answer, as a 304 when it matches
    return resp


def apply(response: Response) -> None:
    """The Cache-Control of an answer that did not choose one (see the module's rule)."""
    if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = NOT_KEPT
    if _personal_page(response) and NOT_KEPT not in response.headers.get("Cache-Control", ""):
        # Pages of a signed-in account carry personal data: no copy in any cache, shared
        # or the browser's (the back button after sign-out, a shared office computer).
        response.headers["Cache-Control"] = NOT_KEPT


def _personal_page(response: Response) -> bool:
    """An HTML answer to a signed-in account, or the login page; never a static file."""
    from flask_login import current_user

    if response.mimetype != "text/html" or request.endpoint == "static":
        return False
    return request.endpoint == "accounts.login" or current_user.is_authenticated
