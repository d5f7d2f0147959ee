"""Pages every user sees: home, health check, language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.permissions import P, requires
from ..i18n import LOCALE_COOKIE, LOCALES
from ..uow import unit
from . import services
from .redirects import safe_target

bp = Blueprint("core", __name__)


@bp.get("/")
@requires(P.AUTHENTICATED)
def home():
    return render_template("core/home.html", summary=services.home_summary(current_user))


@bp.get("/healthz")
@requires(P.PUBLIC)
def healthz():
    """Liveness and database check for load balancers and monitoring."""
    try:
        with unit() as session:
            session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except SQLAlchemyError:
        current_app.logger.exception("health check failed")
        return (
            jsonify(
                status="error",
                database="unreachable",
                message=_("The database cannot be reached."),
            ),
            503,
            {"Retry-After": "30", "Cache-Control": "no-store"},
        )


@bp.get("/language/<code>")
@requires(P.PUBLIC)
def language(code: str):
    """Switch the interface language (kept in a cookie for a year)."""
    home = url_for("core.home")
    target = safe_target(request.args.get("next"), "") or safe_target(
        request.referrer, home, origin=request.host_url
    )
    resp = redirect(target)
    if code in LOCALES:
        resp.set_cookie(
            LOCALE_COOKIE,
            code,
            max_age=365 * 86400,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return resp
