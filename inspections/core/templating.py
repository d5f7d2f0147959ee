"""Names and helpers every template can use."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import ApiToken
from ..accounts.permissions import P, can
from ..audit.services import summary_text
from ..extensions import db
from ..text import fold
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
# What an audit event is about (object_type), as the trail shows it; a type not listed is shown
# as stored.
OBJECT_LABELS = {
    "api_token": _l("API token"),
    "area": _l("Area"),
    "area_predecessor": _l("Area predecessor"),
    "checklist_template": _l("Checklist"),
    "coverage": _l("Coverage"),
    "fine_payment": _l("Fine payment"),
    "inspection": _l("Inspection"),
    "legal_violation": _l("Legal violation"),
    "plan": _l("Plan"),
    "recorded_violation": _l("Recorded violation"),
    "report": _l("Report"),
    "report_indicator": _l("Report indicator"),
    "report_value": _l("Report value"),
    "report_value_file": _l("Report value file"),
    "reviewer_note": _l("Reviewer note"),
    "round": _l("Inspection round"),
    "round_outcome": _l("Round outcome"),
    "round_venue": _l("Round venue"),
    "saved_filter": _l("Saved filter"),
    "sent_report": _l("Sent report"),
    "team": _l("Team"),
    "tip": _l("Tip"),
    "user": _l("User"),
    "venue": _l("Venue"),
    "violation_followup": _l("Violation follow-up"),
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
            "object_label": lambda t: OBJECT_LABELS.get(t, t),
            "object_options": lambda: sorted(
                ((k, str(v)) for k, v in OBJECT_LABELS.items()), key=lambda kv: fold(kv[1])
            ),
            "audit_summary": summary_text,
            "role_options": lambda roles: [(r, ROLE_LABELS.get(r, r)) for r in roles],
            "agency_options": _agency_options,
            "area_options": _area_options,
        }
    )
