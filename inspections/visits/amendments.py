"""Amendments: a submitted inspection is corrected by new rows that supersede the old ones
(the original stays visible), and its current values are the original with every amendment
applied in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.labels import VALUE_WORDS
from ..audit.services import record
from ..errors import Conflict, Invalid
from ..extensions import db
from ..i18n import fmt_date, fmt_vnd
from ..uow import transactional
from ..violations import followup
from ..violations import services as violations
from ..violations.models import RecordedViolation
from .access import require_edit
from .inputs import clean, item_ids
from .models import Inspection, InspectionAmendment, InspectionAnswer

# Fields of a submitted inspection that an amendment may correct besides answers/violations.
AMENDABLE_SCALARS = ("representative_name", "representative_role", "notes")


def current_answers(inspection: Inspection) -> list[InspectionAnswer]:
    """The answers as they stand after amendments."""
    return [a for a in inspection.answers if a.superseded_by_id is None]


def effective_scalars(inspection: Inspection) -> dict:
    """The amendable fields with every amendment applied in order."""
    values = {name: getattr(inspection, name) for name in AMENDABLE_SCALARS}
    for amendment in inspection.amendments:
        for name in AMENDABLE_SCALARS:
            if name in (amendment.changes or {}):
                values[name] = amendment.changes[name][1]
    return values


def _violation_view(row: RecordedViolation | violations.ViolationEntry) -> dict:
    """What an amendment records of a violation (old and new value side by side)."""
    legal = row.legal
    deadline = row.remedy_deadline
    return {
        "code": legal.code,
        "offender": row.offender_type,
        "offender_name": row.offender_name,
        "fine_vnd": row.fine_vnd,
        "measures": list(row.measures or []),
        "remedy": row.remedy,
        "remedy_deadline": deadline.isoformat() if deadline else None,
    }


@transactional
def amend(user, inspection: Inspection, data: dict) -> InspectionAmendment:
    """Correct a submitted inspection: new rows supersede old ones, the original stays."""
    require_edit(user, inspection)
    if inspection.status != "submitted":
        raise Conflict(
            _("Only a submitted inspection can be amended; a draft is simply edited."),
            field="status",
        )
    amendment = InspectionAmendment(
        inspection_id=inspection.id, reason=data["reason"].strip(), created_by_id=user.id
    )
    db.session.add(amendment)
    db.session.flush()
    changes: dict = {}
    if "checklist" in data:
        _amend_answers(inspection, amendment, data["checklist"] or [], changes)
    if "violations" in data:
        _amend_violations(inspection, amendment, data["violations"] or [], changes)
    current = effective_scalars(inspection)
    given = {}
    if "representative" in data:
        rep = data["representative"] or {}
        given["representative_name"] = clean(rep.get("name"))
        given["representative_role"] = clean(rep.get("role"))
    if "notes" in data:
        given["notes"] = clean(data["notes"])
    for name, value in given.items():
        if current[name] != value:
            changes[name] = [current[name], value]
    if not changes:
        raise Invalid(_("Nothing was changed."), field="reason")
    amendment.changes = changes
    db.session.flush()
    followup.sync_register([inspection.id])
    db.session.expire(inspection, ["answers", "violation_rows", "amendments"])
    record("amend", inspection, summary=amendment.reason, changes=changes)
    return amendment


def _amend_answers(inspection, amendment, entries, changes) -> None:
    ids = item_ids(inspection)
    by_item = {a.item_id: a for a in current_answers(inspection)}
    for i, entry in enumerate(entries):
        code = entry["item"]
        if code not in ids:
            raise Invalid(
                _("Unknown checklist item %(code)s.", code=code), field=f"checklist.{i}.item"
            )
        old = by_item.get(ids[code])
        new_answer, new_note = entry.get("answer"), clean(entry.get("note"))
        if old is not None and (old.answer, old.note) == (new_answer, new_note):
            continue
        if old is None and not new_answer and not new_note:
            continue
        if not new_answer:
            raise Invalid(_("A submitted answer cannot be removed."), field=f"checklist.{i}.answer")
        if old is not None:
            old.superseded_by_id = amendment.id
        db.session.add(
            InspectionAnswer(
                inspection_id=inspection.id,
                item_id=ids[code],
                answer=new_answer,
                note=new_note,
                amendment_id=amendment.id,
            )
        )
        changes[f"checklist.{code}"] = [
            {"answer": old.answer, "note": old.note} if old else None,
            {"answer": new_answer, "note": new_note},
        ]


def _amend_violations(inspection, amendment, entries, changes) -> None:
    resolved = violations.resolve_entries(
        entries, inspection.inspected_on, inspection.venue.sector.code, item_ids(inspection)
    )
    blockers = {}
    for i, entry in enumerate(resolved):
        blockers.update(violations.entry_problems(entry, inspection.inspected_on, i))
    if blockers:
        raise Invalid(_("Some violations are not valid."), details=blockers)
    current = {v.id: v for v in violations.current_rows(inspection)}
    kept = set()
    order = max((v.sort_order for v in inspection.violation_rows), default=0) + 1
    for i, entry in enumerate(resolved):
        old = current.get(entry.id) if entry.id else None
        if entry.id and old is None:
            raise Invalid(
                _("This violation is not part of the inspection."), field=f"violations.{i}.id"
            )
        if old is not None:
            kept.add(old.id)
            if _violation_view(old) == _violation_view(entry):
                continue
            old.superseded_by_id = amendment.id
        violations.add_violation(
            inspection,
            entry,
            old.sort_order if old else order + i,
            amendment_id=amendment.id,
            supersedes_id=old.id if old else None,
        )
        changes[f"violations.{entry.legal.code}"] = [
            _violation_view(old) if old else None,
            _violation_view(entry),
        ]
    for vid, old in current.items():
        if vid not in kept:
            old.superseded_by_id = amendment.id
            changes[f"violations.{old.legal.code}"] = [_violation_view(old), None]
    db.session.flush()


# ---------------------------------------------------------------- an amendment in words

SCALAR_LABELS = {
    "representative_name": _l("Venue representative"),
    "representative_role": _l("Representative's role"),
    "notes": _l("Notes"),
}
ANSWER_WORDS = VALUE_WORDS[("*", "answer")]
OFFENDER_WORDS = VALUE_WORDS[("*", "offender")]


@dataclass
class ChangeWords:
    """One change of an amendment as people read it: what changed, before and after (None:
    there was none, or it was withdrawn)."""

    label: str
    old: str | None
    new: str | None


def change_words(inspection: Inspection, changes: dict | None, locale: str) -> list[ChangeWords]:
    """An amendment's changes in words, for the inspection page and the minutes: checklist
    items by their text, violations by their title and legal basis, values as sentences
    (never the stored codes and dictionaries)."""
    changes = changes or {}
    template = inspection.checklist_template
    items = {i.code: i for i in template.items} if template is not None else {}
    codes = [k.split(".", 1)[1] for k in changes if k.startswith("violations.")]
    legal = violations.by_codes(codes)
    out = []
    for key, pair in changes.items():
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        kind, _sep, code = key.partition(".")
        if kind == "checklist":
            item = items.get(code)
            label = (item.text_en if locale == "en" else item.text_vi) if item else code
            out.append(ChangeWords(label, _answer_words(old), _answer_words(new)))
        elif kind == "violations":
            lv = legal.get(code)
            label = f"{lv.title(locale)} ({violations.legal_basis(lv, locale)})" if lv else code
            out.append(ChangeWords(label, _violation_words(old), _violation_words(new)))
        else:
            text = SCALAR_LABELS.get(key)
            out.append(
                ChangeWords(str(text) if text else key, _plain_words(old), _plain_words(new))
            )
    return out


def _plain_words(value) -> str | None:
    return None if value in (None, "") else str(value)


def _answer_words(value) -> str | None:
    if not isinstance(value, dict):
        return _plain_words(value)
    answer = str(value.get("answer") or "")
    text = str(ANSWER_WORDS.get(answer, answer))
    return f"{text} – {value['note']}" if value.get("note") else text


def _violation_words(value) -> str | None:
    if not isinstance(value, dict):
        return _plain_words(value)
    offender = str(value.get("offender") or "")
    parts = [str(OFFENDER_WORDS.get(offender, offender))]
    if value.get("offender_name"):
        parts[0] += f" {value['offender_name']}"
    fine = value.get("fine_vnd")
    parts.append(_("fine %(amount)s", amount=fmt_vnd(fine)) if fine else _("no fine"))
    if value.get("remedy"):
        deadline = value.get("remedy_deadline")
        parts.append(
            _(
                "remedy: %(what)s by %(day)s",
                what=value["remedy"],
                day=fmt_date(date.fromisoformat(deadline)),
            )
            if deadline
            else _("remedy: %(what)s", what=value["remedy"])
        )
    return "; ".join(p for p in parts if p)
