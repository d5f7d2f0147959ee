"""How the inspection services read what the phone sends: trimmed text, item codes as ids."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import ChecklistItem, Inspection


def clean(text: str | None) -> str | None:
    """Text without surrounding blanks; None when nothing is left."""
    return (text or "").strip() or None


def item_ids(inspection: Inspection) -> dict[str, int]:
    """{item code: item id} of the inspection's checklist version."""
    rows = db.session.execute(
        select(ChecklistItem.code, ChecklistItem.id).where(
            ChecklistItem.template_id == inspection.checklist_template_id
        )
    )
    return {row.code: row.id for row in rows}
