"""The legal catalogue: loading it, what is in force on a day for a sector, fine ranges;
and the violations recorded at inspections.

The catalogue is small (tens of entries): date filters run in SQL, the sector filter (a JSON
list) in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, or_, select

from ..errors import Invalid
from ..extensions import db
from ..i18n import fmt_date, fmt_vnd
from .models import MEASURES, OFFENDER_TYPES, LegalViolation, RecordedViolation
from .schemas import CatalogueFile

CATALOGUE_FILE = "catalogue/violations.yaml"
CATALOGUE_FIELDS = (
    "decree",
    "article",
    "clause",
    "point",
    "title_vi",
    "title_en",
    "offender_types",
    "fine_individual_min",
    "fine_individual_max",
    "fine_organisation_min",
    "fine_organisation_max",
    "sectors",
    "measures",
    "valid_from",
    "valid_to",
    "replaced_by",
    "sources",
)


# ---------------------------------------------------------------- loading


def load_catalogue(path: Path) -> int:
    """Create or update catalogue entries from the YAML file (matched on code); returns
    how many rows changed. Entries are never deleted: recorded violations point at them."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    try:
        data = CatalogueFile().load(raw)
    except ValidationError as exc:
        raise Invalid(
            _("The catalogue file %(name)s is not valid: %(errors)s", name=path.name, errors=exc)
        ) from None
    codes = [e["code"] for e in data["violations"]]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise Invalid(_("Duplicate catalogue codes: %(codes)s", codes=", ".join(duplicates)))
    unknown = sorted(
        {e["replaced_by"] for e in data["violations"] if e["replaced_by"]} - set(codes)
    )
    if unknown:
        raise Invalid(_("replaced_by names unknown codes: %(codes)s", codes=", ".join(unknown)))
    existing = {lv.code: lv for lv in db.session.scalars(select(LegalViolation))}
    changed = 0
    for entry in data["violations"]:
        values = {k: entry[k] for k in CATALOGUE_FIELDS}
        if values["clause"] is not None:
            values["clause"] = str(values["clause"])
        row = existing.get(entry["code"])
        if row is None:
            db.session.add(LegalViolation(code=entry["code"], **values))
            changed += 1
            continue
        dirty = False
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                dirty = True
        changed += dirty
    db.session.flush()
    return changed


# ---------------------------------------------------------------- lookups


def catalogue(on: date | None = None, sector: str | None = None) -> list[LegalViolation]:
    """Entries in force on a day (all when None) that apply to a sector (all when None)."""
    q = select(LegalViolation)
    if on is not None:
        q = q.where(
            LegalViolation.valid_from <= on,
            or_(LegalViolation.valid_to.is_(None), LegalViolation.valid_to >= on),
        )
    rows = db.session.scalars(q.order_by(LegalViolation.decree, LegalViolation.code))
    return [lv for lv in rows if sector is None or sector in (lv.sectors or [])]


def by_codes(codes) -> dict[str, LegalViolation]:
    """Catalogue entries by code (unknown codes are simply absent)."""
    codes = list(set(codes))
    if not codes:
        return {}
    return {
        lv.code: lv
        for lv in db.session.scalars(select(LegalViolation).where(LegalViolation.code.in_(codes)))
    }


def check_applies(lv: LegalViolation | None, code: str, on: date, sector: str) -> str | None:
    """Why a code cannot be recorded at a venue of this sector on this day, or None."""
    if lv is None:
        return _("Unknown violation code %(code)s.", code=code)
    if not lv.in_force_on(on):
        message = _(
            "%(code)s (Decree %(decree)s) is not in force on %(day)s: it applies from "
            "%(start)s to %(end)s.",
            code=code,
            decree=lv.decree,
            day=fmt_date(on),
            start=fmt_date(lv.valid_from),
            end=fmt_date(lv.valid_to) if lv.valid_to else "…",
        )
        if lv.replaced_by and on > (lv.valid_to or on):
            message += " " + _("Use %(new)s instead.", new=lv.replaced_by)
        return message
    if sector not in (lv.sectors or []):
        return _("%(code)s does not apply to venues of this sector.", code=code)
    return None


def fine_problems(
    lv: LegalViolation, offender: str, fine: int | None, measures: list[str]
) -> list[str]:
    """What is wrong with the fine set for this offender (empty when it is legal)."""
    if offender not in (lv.offender_types or []):
        names = ", ".join(offender_label(t) for t in lv.offender_types or [])
        return [_("This violation applies to: %(types)s.", types=names)]
    low, high = lv.fine_range(offender)
    warning_allowed = "warning" in (lv.measures or []) and "warning" in (measures or [])
    if fine is None or (fine == 0 and warning_allowed):
        if warning_allowed:
            return []
        if low is None:
            return []
        return [
            _(
                "Set the fine: between %(low)s and %(high)s.",
                low=fmt_vnd(low),
                high=fmt_vnd(high),
            )
        ]
    # the catalogue gives both ends of a range or neither (schemas.CatalogueEntryIn)
    if low is not None and high is not None and not (low <= fine <= high):
        return [
            _(
                "The fine %(fine)s is outside the legal range for %(who)s: %(low)s – %(high)s.",
                fine=fmt_vnd(fine),
                who=offender_label(offender),
                low=fmt_vnd(low),
                high=fmt_vnd(high),
            )
        ]
    return []


def offender_label(offender: str) -> str:
    """The offender type in words."""
    return {"individual": _("an individual"), "organisation": _("an organisation")}.get(
        offender, offender
    )


def legal_basis(lv: LegalViolation, locale: str = "vi") -> str:
    """ "Điểm a khoản 1 Điều 9 Nghị định 12/2022/NĐ-CP" (or the English form)."""
    if locale == "en":
        parts = [f"Decree {lv.decree}", f"Art. {lv.article}"]
        if lv.clause:
            parts.append(f"cl. {lv.clause}")
        if lv.point:
            parts.append(f"pt. {lv.point}")
        return ", ".join(parts)
    parts = []
    if lv.point:
        parts.append(f"điểm {lv.point}")
    if lv.clause:
        parts.append(f"khoản {lv.clause}")
    parts.append(f"Điều {lv.article}")
    parts.append(f"Nghị định {lv.decree}")
    text = " ".join(parts)
    return text[0].upper() + text[1:]


# ---------------------------------------------------------------- recording


@dataclass
class ViolationEntry:
    """A violation as submitted (already matched to the catalogue), before it is written."""

    legal: LegalViolation
    offender_type: str
    offender_name: str | None
    fine_vnd: int | None
    measures: list[str]
    remedy: str | None
    remedy_deadline: date | None
    item_id: int | None = None
    id: int | None = None  # an existing row, when amending
    problems: dict[str, list[str]] = field(default_factory=dict)

    def values(self) -> dict:
        return {
            "legal_violation_id": self.legal.id,
            "offender_type": self.offender_type,
            "offender_name": self.offender_name,
            "fine_vnd": self.fine_vnd,
            "measures": list(self.measures),
            "remedy": self.remedy,
            "remedy_deadline": self.remedy_deadline,
            "item_id": self.item_id,
        }


def resolve_entries(
    entries: list[dict], on: date, sector: str, item_ids: dict[str, int]
) -> list[ViolationEntry]:
    """Match submitted violations to the catalogue; codes that cannot be recorded here are
    refused at once (422, whatever the status), fine and remedy problems are collected."""
    known = by_codes(e["code"] for e in entries)
    refused: dict[str, list[str]] = {}
    resolved = []
    for i, entry in enumerate(entries):
        lv = known.get(entry["code"])
        why = check_applies(lv, entry["code"], on, sector)
        if why:
            refused[f"violations.{i}.code"] = [why]
            continue
        assert lv is not None  # check_applies refuses a code the catalogue does not know
        item_code = entry.get("item")
        if item_code and item_code not in item_ids:
            refused[f"violations.{i}.item"] = [
                _("Unknown checklist item %(code)s.", code=item_code)
            ]
            continue
        offender = entry.get("offender") or (
            lv.offender_types[0] if lv.offender_types else "individual"
        )
        measures = list(dict.fromkeys(entry.get("measures") or []))
        resolved_entry = ViolationEntry(
            legal=lv,
            offender_type=offender,
            offender_name=(entry.get("offender_name") or "").strip() or None,
            fine_vnd=entry.get("fine_vnd"),
            measures=measures,
            remedy=(entry.get("remedy") or "").strip() or None,
            remedy_deadline=entry.get("remedy_deadline"),
            item_id=item_ids.get(item_code) if item_code else None,
            id=entry.get("id"),
        )
        resolved_entry.problems = entry_problems(resolved_entry, on, i)
        resolved.append(resolved_entry)
    if refused:
        raise Invalid(_("Some violations cannot be recorded here."), details=refused)
    return resolved


def entry_problems(entry: ViolationEntry, on: date, index: int) -> dict[str, list[str]]:
    """Problems that block submitting (the draft keeps them, so nothing typed is lost)."""
    out: dict[str, list[str]] = {}
    prefix = f"violations.{index}"
    fine = fine_problems(entry.legal, entry.offender_type, entry.fine_vnd, entry.measures)
    if fine:
        key = "offender" if entry.offender_type not in entry.legal.offender_types else "fine_vnd"
        out[f"{prefix}.{key}"] = fine
    if entry.remedy and not entry.remedy_deadline:
        out[f"{prefix}.remedy_deadline"] = [_("Give the deadline for the remedy.")]
    if entry.remedy_deadline and not entry.remedy:
        out[f"{prefix}.remedy"] = [_("Say what must be remedied by the deadline.")]
    if entry.remedy_deadline and entry.remedy_deadline < on:
        out[f"{prefix}.remedy_deadline"] = [_("The remedy deadline is before the inspection date.")]
    unknown = [m for m in entry.measures if m not in MEASURES]
    if unknown:
        out[f"{prefix}.measures"] = [_("Unknown measures: %(m)s", m=", ".join(unknown))]
    if entry.offender_type not in OFFENDER_TYPES:
        out[f"{prefix}.offender"] = [_("Choose individual or organisation.")]
    return out


def add_violation(
    inspection,
    entry: ViolationEntry,
    sort_order: int,
    *,
    amendment_id: int | None = None,
    supersedes_id: int | None = None,
) -> RecordedViolation:
    """Record one violation of an inspection: the only place recorded violations are made
    (a draft's, an amendment's, the demo's). The row joins the inspection's rows."""
    row = RecordedViolation(
        venue_id=inspection.venue_id,
        sort_order=sort_order,
        amendment_id=amendment_id,
        supersedes_id=supersedes_id,
        **entry.values(),
    )
    inspection.violation_rows.append(row)
    return row


def replace_draft_violations(inspection, entries: list[ViolationEntry]) -> None:
    """A draft's violations are simply replaced by what the phone sent."""
    inspection.violation_rows = []
    for i, entry in enumerate(entries):
        add_violation(inspection, entry, i)
    db.session.flush()


def current_rows(inspection) -> list[RecordedViolation]:
    """The violations of an inspection as they stand after amendments."""
    return [v for v in inspection.violation_rows if v.superseded_by_id is None]


def counts_by_inspection(inspection_ids: list[int]) -> dict[int, int]:
    """Current violations per inspection, in one GROUP BY."""
    if not inspection_ids:
        return {}
    rows = db.session.execute(
        select(RecordedViolation.inspection_id, func.count().label("n"))
        .where(
            RecordedViolation.inspection_id.in_(inspection_ids),
            RecordedViolation.superseded_by_id.is_(None),
        )
        .group_by(RecordedViolation.inspection_id)
    )
    return {row.inspection_id: row.n for row in rows}
