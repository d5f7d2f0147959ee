"""What still blocks submitting a draft, field by field (the phone shows it as it saves)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..violations import services as violations
from .amendments import current_answers
from .models import Inspection
from .presence import presence_message, presence_of

MIN_MEMBERS = 3  # interagency teams (Circular 05/2006/TTLT) have at least three members
MIN_REASON = 5


def problems(inspection: Inspection) -> dict[str, list[str]]:
    """Everything that blocks submitting, by field; empty when it can be submitted."""
    out: dict[str, list[str]] = {}

    def add(key, message):
        out.setdefault(key, []).append(message)

    members = inspection.members
    if len(members) < MIN_MEMBERS:
        add(
            "members",
            _(
                "An interagency team needs at least %(min)s members (now %(n)s).",
                min=MIN_MEMBERS,
                n=len(members),
            ),
        )
    if members and not any(m.is_lead for m in members):
        add("members", _("Mark who leads the team."))
    answered = {a.item.code for a in current_answers(inspection) if a.answer}
    items = inspection.checklist_template.items if inspection.checklist_template else []
    missing = [i.code for i in items if i.code not in answered]
    if missing:
        add(
            "checklist",
            _(
                "%(n)s of %(total)s checklist items are not answered.",
                n=len(missing),
                total=len(items),
            ),
        )
        for code in missing:
            add(f"checklist.{code}", _("Not answered."))
    for i, row in enumerate(violations.current_rows(inspection)):
        entry = violations.ViolationEntry(
            legal=row.legal,
            offender_type=row.offender_type,
            offender_name=row.offender_name,
            fine_vnd=row.fine_vnd,
            measures=row.measures or [],
            remedy=row.remedy,
            remedy_deadline=row.remedy_deadline,
            item_id=row.item_id,
        )
        for key, messages in violations.entry_problems(entry, inspection.inspected_on, i).items():
            out.setdefault(key, []).extend(messages)
        why = violations.check_applies(
            row.legal, row.legal.code, inspection.inspected_on, inspection.venue.sector.code
        )
        if why:
            add(f"violations.{i}.code", why)
    signatures = {s.role: s for s in inspection.signatures}
    lead = signatures.get("lead")
    if lead is None or not lead.stored_name:
        add("signatures.lead", _("The team lead has not signed."))
    rep = signatures.get("representative")
    if rep is None or not (rep.stored_name or rep.refused):
        add(
            "signatures.representative",
            _("The venue's representative has not signed (or record that they refused)."),
        )
    elif rep.refused and not rep.refusal_reason:
        add("signatures.representative", _("Say how the representative refused to sign."))
    presence = presence_of(inspection)
    message = presence_message(presence)
    if message and len(inspection.presence_reason or "") < MIN_REASON:
        add("presence_reason", message)
    return out
