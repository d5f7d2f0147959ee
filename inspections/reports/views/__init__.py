"""Report pages, one blueprint: the calendar and a window's report (pages), the figures a
unit enters with their evidence (entry), a plan's indicators (plans)."""

from __future__ import annotations

from flask import Blueprint

from .. import labels

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_global(labels.status_label, "report_status_label")
bp.add_app_template_global(labels.level_label, "report_level_label")

# The pages register their routes on bp when imported.
from . import entry, pages, plans  # noqa: E402,F401
