"""How a request is authenticated: session cookie for pages, bearer token for the API."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, abort, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record
from ..extensions import csrf, login_manager
from .services import load_session_user, user_for_token

# What a session holds before anything is stored in it: no account, no CSRF token.
_BOOKKEEPING = {"_permanent", "_fresh", "_id"}


class RequestAwareSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def save_session(self, app: Flask, session, response) -> None:
        """A request that came without a session cookie and leaves nothing in the session
        but bookkeeping (its lifetime flag, Flask-Login's freshness) sets no cookie.
        Otherwise its answer, arriving after the sign-in page's, would replace that page's
        session (and its CSRF token) with an empty one: a phone back online with an expired
        session fires such requests while the inspector opens the sign-in page, whose form
        then answered 400."""
        if not request.cookies.get(self.get_cookie_name(app)) and not set(session) - _BOOKKEEPING:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return value.strip()


def init_app(app: Flask) -> None:
    """Wire Flask-Login, bearer tokens, CSRF and session lifetime."""
    app.session_interface = RequestAwareSessionInterface()
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(app.config["SESSION_HOURS"]))
    app.config["REMEMBER_COOKIE_DURATION"] = app.config["PERMANENT_SESSION_LIFETIME"]
    app.config.setdefault("SESSION_REFRESH_EACH_REQUEST", True)
    # CSRF is checked below, only for cookie-authenticated requests.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", int(app.config["SESSION_HOURS"]) * 3600)

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)

    @app.before_request
    def _authenticate():
        session.permanent = True
        token = _bearer()
        if token is not None:
            # A bearer token decides, whatever cookie came along; no CSRF for it, since a
            # cross-site form cannot set the Authorization header.
            user = user_for_token(token)
            if user is None:
                record("token_rejected", summary=f"{request.method} {request.path}")
                abort(401, _("The API token is invalid, expired or revoked."))
            g._login_user = user  # Flask-Login's per-request user
            g.via_token = True
            return
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if request.path.startswith("/api/") and not current_user.is_authenticated:
                # Signed out (a phone sending its queue after the session ended): the route's
                # permission answers 401 "sign in again" rather than a CSRF 400; with no
                # account, no API write can happen anyway.
                return
            csrf.protect()
