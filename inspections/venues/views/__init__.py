"""Registry pages, one blueprint: list and near me (browse), the venue page (detail), forms
and lifecycle (editing), QR labels (qr_labels), import (imports), possible duplicates and
merging (duplicates), exports (exports). The words they show are in ``venues.labels``."""

from __future__ import annotations

from typing import cast

from flask import Blueprint
from flask.cli import AppGroup

from ... import clock
from .. import labels
from ..cli import register_commands

bp = Blueprint("venues", __name__, cli_group="venues")
register_commands(cast(AppGroup, bp.cli))  # Flask types Blueprint.cli as click.Group
bp.add_app_template_global(labels.licence_label)
bp.add_app_template_global(labels.event_label)
bp.add_app_template_global(labels.field_label)
bp.add_app_template_filter(labels.field_label)
bp.add_app_template_global(labels.dup_reason)


@bp.app_template_global()
def local_today():
    """Today in the province (templates compare licence expiries with it)."""
    return clock.today()


# The pages register their routes on bp when imported.
from . import browse, detail, duplicates, editing, exports, imports, qr_labels  # noqa: E402,F401
