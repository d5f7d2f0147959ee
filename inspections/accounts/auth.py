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


class RequestAwareSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


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

    @login_manager.request_loader
    def _from_token(req):
        token = _bearer()
        if token is None:
            return None
        user = user_for_token(token)
        if user is None:
            g.token_rejected = True
            return None
        g.via_token = True
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():
        abort(401)

    @app.before_request
    def _authenticate():
        session.permanent = True
        # Touch the user now so a rejected token is known before any view runs.
        if not current_user.is_authenticated and g.get("token_rejected"):
            record("token_rejected", summary=f"{request.method} {request.path}")
            abort(401, _("The API token is invalid, expired or revoked."))
        if request.method in ("GET", "HEAD", "OPTIONS") or g.get("via_token"):
            return
        csrf.protect()
