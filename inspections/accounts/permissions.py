"""Who may do what: roles, permissions and the decorator every route declares.

A route without a declared permission is refused (fail closed) and fails the route-walk test.
"""

from __future__ import annotations

import functools
from enum import StrEnum

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user


class P(StrEnum):
    """Permissions; routes declare one of these with @requires."""

    PUBLIC = "public"  # no login: health check, login page, static files
    AUTHENTICATED = "authenticated"  # any signed-in account: home, own password, logout
    VENUES_READ = "venues:read"
    VENUES_WRITE = "venues:write"
    VENUES_IMPORT = "venues:import"
    INSPECTIONS_READ = "inspections:read"
    INSPECTIONS_WRITE = "inspections:write"
    VIOLATIONS_READ = "violations:read"
    FOLLOWUPS_WRITE = "followups:write"
    FINES_WRITE = "fines:write"
    TIPS_READ = "tips:read"
    TIPS_WRITE = "tips:write"
    COVERAGE_READ = "coverage:read"
    REPORTS_READ = "reports:read"
    REPORTS_SEND = "reports:send"
    REPORT_VALUES_WRITE = "reports:values:write"
    EXPORT = "export"
    TEAMS_MANAGE = "teams:manage"
    PLANS_MANAGE = "plans:manage"
    USERS_MANAGE = "users:manage"
    AREAS_MANAGE = "areas:manage"
    CATALOGUE_MANAGE = "catalogue:manage"
    AUDIT_READ = "audit:read"
    # Inspection rounds (issue 19): coordinators plan them; team members read their own.
    ROUNDS_MANAGE = "rounds:manage"
    ROUNDS_READ = "rounds:read"


ROLES = ("admin", "coordinator", "inspector", "reviewer", "viewer")

_READ_ALL = {P.VENUES_READ, P.COVERAGE_READ}
ROLE_PERMISSIONS: dict[str, frozenset[P]] = {
    "admin": frozenset(P),
    "coordinator": frozenset(
        _READ_ALL
        | {
            P.VENUES_WRITE,
            P.VENUES_IMPORT,
            P.INSPECTIONS_READ,
            P.VIOLATIONS_READ,
            P.FINES_WRITE,
            P.TIPS_READ,
            P.TIPS_WRITE,
            P.EXPORT,
            P.TEAMS_MANAGE,
            P.PLANS_MANAGE,
            P.ROUNDS_MANAGE,
            P.ROUNDS_READ,
            # Reports of their area; figures entered and sent for their own unit only
            # (reports/access.py).
            P.REPORTS_READ,
            P.REPORT_VALUES_WRITE,
            P.REPORTS_SEND,
        }
    ),
    "inspector": frozenset(
        _READ_ALL
        | {
            P.INSPECTIONS_READ,
            P.INSPECTIONS_WRITE,
            P.VIOLATIONS_READ,
            P.TIPS_READ,
            # the rounds of their own teams (rounds/access.py)
            P.ROUNDS_READ,
        }
    ),
    "reviewer": frozenset(
        _READ_ALL
        | {
            P.REPORTS_READ,
            P.INSPECTIONS_READ,
            P.VIOLATIONS_READ,
            P.FOLLOWUPS_WRITE,
            P.FINES_WRITE,
            P.TIPS_READ,
            P.TIPS_WRITE,
            P.EXPORT,
        }
    ),
    # Periodic reports are the office's: inspectors (teams in the field) do not read them.
    "viewer": frozenset(_READ_ALL | {P.REPORTS_READ}),
}
ROLE_PERMISSIONS = {r: ps | {P.PUBLIC, P.AUTHENTICATED} for r, ps in ROLE_PERMISSIONS.items()}


def role_allows(role: str | None, permission: P) -> bool:
    """True when the role grants the permission (PUBLIC is granted to everyone)."""
    if permission == P.PUBLIC:
        return True
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


def can(permission: P) -> bool:
    """For templates and services: may the current user do this?"""
    user = current_user
    return bool(user and user.is_authenticated and role_allows(user.role, permission))


def requires(permission: P):
    """Declare and enforce the permission a view needs."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check(permission)
            return view(*args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorate


def declared_permission(endpoint: str | None) -> P | None:
    """The permission a registered endpoint declared, or None."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return P.PUBLIC
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    perm = getattr(view, "permission", None)
    if perm is None and hasattr(view, "view_class"):  # MethodView: per-method declaration
        method = getattr(view.view_class, request.method.lower(), None)
        perm = getattr(method, "permission", None)
    return perm


def check(permission: P) -> None:
    """Abort with 401 (or a login redirect) or 403 unless the current user has permission."""
    if permission == P.PUBLIC:
        return
    user = current_user
    if not user or not user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return_to = request.full_path if request.method == "GET" else None
        abort(redirect(url_for("accounts.login", next=return_to)))
    if not role_allows(user.role, permission):
        _deny(str(permission))


def _deny(permission: str | None = None):
    """403, recorded once per request in the audit trail (the permission it needed, or a
    province-level account when none is named)."""
    if not g.get("denial_recorded"):
        from ..audit.services import record, said

        where = {"method": request.method, "path": request.path}
        record(
            "denied",
            summary=said(
                "%(method)s %(path)s: needs %(permission)s", permission=permission, **where
            )
            if permission
            else said("%(method)s %(path)s: needs a province-level account", **where),
        )
        g.denial_recorded = True
    abort(403)


def require_province_level() -> None:
    """403 unless the signed-in account sees the whole province: province-wide records (the
    yearly plans) are changed only by province-level coordinators and administrators."""
    from .services import scope_of

    if not scope_of(current_user).everything:
        _deny()


def enforce_declared() -> None:
    """before_request: check the endpoint's permission before anything parses the request;
    refuse endpoints that declare none (fail closed)."""
    if request.endpoint is None:
        return  # 404 / 405 answered by routing
    permission = declared_permission(request.endpoint)
    if permission is None:
        current_app.logger.error("endpoint %s declares no permission", request.endpoint)
        abort(403)
    check(permission)
