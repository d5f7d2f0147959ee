"""Versioned checklist templates: loading the seed files, admin uploads, which version to use.

A template version is immutable once an inspection used it; a changed file must carry a new
version number (the seed refuses otherwise), and an admin upload always creates a new version.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import yaml
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from ..errors import Invalid
from ..extensions import db
from ..uow import transactional
from ..venues.models import Sector
from ..violations.services import by_codes
from .models import ChecklistItem, ChecklistTemplate, Inspection
from .schemas import ChecklistFile

ITEM_FIELDS = ("code", "group_vi", "group_en", "text_vi", "text_en", "basis", "proposes")


def content_hash(data: dict) -> str:
    """SHA-256 of what a version says (titles, start date, items), not of its number."""
    canonical = {
        "title_vi": data["title_vi"],
        "title_en": data["title_en"],
        "valid_from": data["valid_from"].isoformat(),
        "items": [{k: item.get(k) for k in ITEM_FIELDS} for item in data["items"]],
    }
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def parse(raw_text: str, name: str) -> dict:
    """A checklist file (YAML or JSON text) validated by its schema, with readable errors."""
    try:
        raw = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise Invalid(
            _("%(name)s is not valid YAML%(where)s.", name=name, where=where), field="file"
        ) from None
    if not isinstance(raw, dict):
        raise Invalid(_("%(name)s must describe one checklist.", name=name), field="file")
    try:
        data = ChecklistFile().load(raw)
    except ValidationError as exc:
        raise Invalid(
            _("%(name)s is not a valid checklist: %(errors)s", name=name, errors=exc.messages),
            field="file",
        ) from None
    codes = [i["code"] for i in data["items"]]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise Invalid(
            _("Item codes used twice in %(name)s: %(codes)s", name=name, codes=", ".join(dupes)),
            field="file",
        )
    proposed = {c for i in data["items"] for c in i["proposes"]}
    known = by_codes(proposed)
    unknown = sorted(proposed - set(known))
    if unknown:
        raise Invalid(
            _(
                "%(name)s proposes violation codes that are not in the catalogue: %(codes)s",
                name=name,
                codes=", ".join(unknown),
            ),
            field="file",
        )
    wrong_sector = sorted(c for c in proposed if data["sector"] not in known[c].sectors)
    if wrong_sector:
        raise Invalid(
            _(
                "%(name)s proposes violations that do not apply to this sector: %(codes)s",
                name=name,
                codes=", ".join(wrong_sector),
            ),
            field="file",
        )
    return data


def _sector(code: str) -> Sector:
    sector = db.session.scalar(select(Sector).where(Sector.code == code))
    if sector is None:
        raise Invalid(_("Unknown sector %(code)s.", code=code), field="file")
    return sector


def _items(data: dict) -> list[ChecklistItem]:
    return [
        ChecklistItem(sort_order=i, **{k: item.get(k) for k in ITEM_FIELDS})
        for i, item in enumerate(data["items"])
    ]


def _in_use(template: ChecklistTemplate) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Inspection)
            .where(Inspection.checklist_template_id == template.id)
        )
    )


def load_checklists(folder: Path) -> int:
    """Seed step: one template version per file; returns how many versions changed."""
    changed = 0
    for path in sorted(folder.glob("*.yaml")):
        data = parse(path.read_text(encoding="utf-8"), f"checklists/{path.name}")
        sector = _sector(data["sector"])
        digest = content_hash(data)
        row = db.session.scalar(
            select(ChecklistTemplate).where(
                ChecklistTemplate.sector_id == sector.id,
                ChecklistTemplate.version == data["version"],
            )
        )
        if row is not None and row.content_hash == digest:
            continue
        if row is not None:
            if _in_use(row):
                raise Invalid(
                    _(
                        "checklists/%(file)s changed but keeps version %(v)s, which inspections "
                        "already use: give it a new version number.",
                        file=path.name,
                        v=data["version"],
                    )
                )
            # Not used yet: correct it in place.
            for item in list(row.items):
                db.session.delete(item)
            db.session.flush()
            row.items = _items(data)
            row.title_vi, row.title_en = data["title_vi"], data["title_en"]
            row.valid_from, row.content_hash = data["valid_from"], digest
        else:
            db.session.add(
                ChecklistTemplate(
                    sector_id=sector.id,
                    version=data["version"],
                    title_vi=data["title_vi"],
                    title_en=data["title_en"],
                    valid_from=data["valid_from"],
                    source=f"seed:checklists/{path.name}",
                    content_hash=digest,
                    items=_items(data),
                )
            )
        changed += 1
    db.session.flush()
    return changed


@transactional
def import_template(raw_text: str, name: str, user) -> ChecklistTemplate:
    """An admin upload: always a new version (the next number) of the file's sector."""
    data = parse(raw_text, name)
    sector = _sector(data["sector"])
    latest = latest_version(sector.id)
    if latest is not None and latest.content_hash == content_hash(data):
        raise Invalid(
            _("Nothing changed compared with version %(v)s.", v=latest.version), field="file"
        )
    template = ChecklistTemplate(
        sector_id=sector.id,
        version=(latest.version + 1) if latest else 1,
        title_vi=data["title_vi"],
        title_en=data["title_en"],
        valid_from=data["valid_from"],
        source=f"upload:{name}"[:200],
        content_hash=content_hash(data),
        created_by_id=user.id if user else None,
        items=_items(data),
    )
    db.session.add(template)
    db.session.flush()
    return template


def latest_version(sector_id: int) -> ChecklistTemplate | None:
    """The highest version of a sector's checklist."""
    return db.session.scalar(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.sector_id == sector_id)
        .order_by(ChecklistTemplate.version.desc())
        .limit(1)
    )


def template_for(sector_id: int, on: date) -> ChecklistTemplate | None:
    """The version a new inspection on that day uses: the newest already valid then."""
    q = select(ChecklistTemplate).where(ChecklistTemplate.sector_id == sector_id)
    found = db.session.scalar(
        q.where(ChecklistTemplate.valid_from <= on)
        .order_by(ChecklistTemplate.version.desc())
        .limit(1)
    )
    return found or db.session.scalar(q.order_by(ChecklistTemplate.version).limit(1))


def as_yaml(template: ChecklistTemplate) -> str:
    """The version as an editable file (what an admin downloads, edits and uploads)."""
    data = {
        "sector": template.sector.code,
        "version": template.version,
        "valid_from": template.valid_from,
        "title_vi": template.title_vi,
        "title_en": template.title_en,
        "items": [
            {k: getattr(item, k) if k != "proposes" else list(item.proposes) for k in ITEM_FIELDS}
            for item in template.items
        ],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def grouped(template: ChecklistTemplate, locale: str) -> list[tuple[str, list[ChecklistItem]]]:
    """Items by group, in template order."""
    groups: dict[str, list[ChecklistItem]] = {}
    for item in template.items:
        groups.setdefault(item.group(locale), []).append(item)
    return list(groups.items())
