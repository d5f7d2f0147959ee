"""How the inspection services read what the phone sends: trimmed text, item codes as ids."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from .models import ChecklistTemplate, Inspection


def clean(text: str | None) -> str | None:
    """Text without surrounding blanks; None when nothing is left."""
    return (text or "").strip() or None


def item_ids(inspection: Inspection) -> dict[str, int]:
    """{item code: item id} of the inspection's checklist version. The items are loaded as
    objects in one query and stay attached to the inspection (the session keeps objects only
    while something refers to them): the answers' items and the checklist read after the write
    come from the session instead of one query per answer."""
    if inspection.checklist_template_id is None:
        return {}
    template = db.session.get(ChecklistTemplate, inspection.checklist_template_id)
    if template is None:
        return {}
    if "checklist_template" in inspect(inspection).unloaded:
        set_committed_value(inspection, "checklist_template", template)
    return {item.code: item.id for item in template.items}
