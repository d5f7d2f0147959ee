"""Names and helpers every template can use."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import ApiToken
from ..accounts.permissions import P, can
from ..audit.labels import change_rows, object_label, object_options
from ..audit.services import actor_name, summary_text
from ..extensions import db
from .nav import visible_items

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "coordinator": _l("Coordinator"),
    "inspector": _l("Inspector"),
    "reviewer": _l("Reviewer"),
    "viewer": _l("Viewer"),
}
ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "status": _l("Status changed"),
    "amend": _l("Amended"),
    "delete": _l("Deleted"),
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "logout": _l("Signed out"),
    "password": _l("Password changed"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
    "token_rejected": _l("API token rejected"),
    "export": _l("Exported"),
    "import": _l("Imported"),
    "denied": _l("Permission denied"),
    "merge": _l("Merged"),
    "submit": _l("Submitted"),
    "cancel": _l("Cancelled"),
}
STATUS_LABELS = {
    "operating": _l("Operating"),
    "suspended": _l("Suspended"),
    "closed": _l("Closed"),
}


def _agency_options(agencies) -> list[tuple[str, str]]:
    locale = str(get_locale())
    return [(a.code, a.name(locale)) for a in agencies]


def _area_options(areas) -> list[tuple[str, str]]:
    """(code, text) of a home-area list: the province once, as "Whole province"."""
    return [
        (
            a.code,
            str(_l("Whole province"))
            if a.level == "province"
            else ("— " if a.level == "commune" else "") + f"{a.name} ({a.code})",
        )
        for a in areas
    ]


def api_docs_visible() -> bool:
    """The API documentation link is for admins and for people who hold an API token."""
    if not current_user.is_authenticated:
        return False
    if current_user.role == "admin":
        return True
    held = select(ApiToken.id).where(
        ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None)
    )
    return db.session.scalar(held.limit(1)) is not None


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        {
            "nav_items": visible_items,
            "api_docs_visible": api_docs_visible,
            "can": can,
            "P": P,
            "role_label": lambda r: ROLE_LABELS.get(r, r),
            "action_label": lambda a: ACTION_LABELS.get(a, a),
            "status_label": lambda s: STATUS_LABELS.get(s, s),
            "object_label": object_label,
            "object_options": object_options,
            "change_rows": change_rows,
            "actor_name": actor_name,
            "audit_summary": summary_text,
            "role_options": lambda roles: [(r, ROLE_LABELS.get(r, r)) for r in roles],
            "agency_options": _agency_options,
            "area_options": _area_options,
        }
    )
