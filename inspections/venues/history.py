"""A venue's change log in words: "Sector: Karaoke → Massage", "Status: Operating →
Suspended", who did it ("System (command line)" for the command line) and where the change came
from ("Import of danh_sach.xlsx"), read from the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..areas.models import Area
from ..audit.models import AuditEvent
from ..audit.services import actor_name, history, summary_text
from ..core.templating import ACTION_LABELS, STATUS_LABELS
from ..extensions import db
from ..i18n import fmt_date
from .labels import LICENCE_LABELS, field_label
from .models import Sector

# Audit keys that are not the venue's own field names, and the label each is shown with.
KEY_LABELS = {
    "sector_id": "sector",
    "district_id": "district",
    "commune_id": "commune",
}
EXTRA_LABELS = {
    "district": _l("District"),
    "commune": _l("Commune"),
    "label_version": _l("QR label version"),
    "merged_into_id": _l("Merged into"),
    "rows_moved": _l("Inspections moved"),
    "filled": _l("Filled in from the duplicate"),
}
# Shown on a new record only when they say something (a first label is always version 1).
QUIET_ON_CREATE = {"label_version"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Change:
    """One field's change: its label and the old and new values in words."""

    label: str
    old: str | None
    new: str | None


@dataclass
class Entry:
    """One event of the venue's change log."""

    at: datetime
    title: str
    who: str
    source: str | None = None
    changes: list[Change] = field(default_factory=list)


def change_log(venue_id: int, locale: str) -> list[Entry]:
    """The venue's recorded changes, newest first, in words."""
    events = history("venue", venue_id)
    names = _names(events)
    words = _Words(locale)
    return [_entry(e, names, words) for e in events]


def _names(events: list[AuditEvent]) -> dict[str, str]:
    usernames = {e.username for e in events if e.username and not e.username.startswith("cli:")}
    if not usernames:
        return {}
    rows = db.session.execute(
        select(User.username, User.full_name).where(User.username.in_(usernames))
    )
    return {r.username: r.full_name for r in rows}


def _entry(event: AuditEvent, names: dict[str, str], words: _Words) -> Entry:
    created = event.action == "create"
    changes = []
    for key, pair in (event.changes or {}).items():
        if not isinstance(pair, list) or len(pair) != 2:
            pair = [None, pair]
        if created and (key in QUIET_ON_CREATE or pair[1] is None):
            continue
        changes.append(Change(_label(key), words.value(key, pair[0]), words.value(key, pair[1])))
    title = str(ACTION_LABELS.get(event.action, event.action))
    if created:
        title = _("Record created")
    who = actor_name(event.username, names)
    return Entry(event.at, title, who, summary_text(event), changes)


def field_words(key: str) -> str:
    """A venue field of the audit trail in words (its change log's names)."""
    return _label(key)


def _label(key: str) -> str:
    key = KEY_LABELS.get(key, key)
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    return field_label(key)


class _Words:
    """Stored values in words: codes and ids by their names, dates as dd/mm/yyyy."""

    def __init__(self, locale: str):
        self.locale = locale
        self._sectors: dict[int, str] | None = None
        self._areas: dict[int, str] = {}

    def value(self, key: str, value) -> str | None:
        if value is None or value == "" or value == []:
            return None
        if key == "sector_id":
            return self.sectors().get(value, str(value))
        if key in ("district_id", "commune_id"):
            return self.area(value)
        if key == "status":
            return str(STATUS_LABELS.get(value, value))
        if key == "merged_into_id":
            return f"#{value}"
        if key == "licences":
            items = value if isinstance(value, list) else [value]
            return "; ".join(_licence_words(str(v)) for v in items)
        if isinstance(value, dict):
            return ", ".join(_label(k) for k in value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, str) and _ISO_DAY.match(value):
            return fmt_date(date.fromisoformat(value))
        return str(value)

    def sectors(self) -> dict[int, str]:
        if self._sectors is None:
            self._sectors = {s.id: s.name(self.locale) for s in db.session.scalars(select(Sector))}
        return self._sectors

    def area(self, area_id) -> str:
        if area_id not in self._areas:
            name = db.session.scalar(select(Area.name).where(Area.id == area_id))
            self._areas[area_id] = name or str(area_id)
        return self._areas[area_id]


def _licence_words(text: str) -> str:
    """ "fire_safety 0006/GP-2 (…)" as "Fire safety 0006/GP-2 (…)"."""
    kind, _sep, rest = text.partition(" ")
    if kind in LICENCE_LABELS:
        return f"{LICENCE_LABELS[kind]} {rest}".strip()
    return text
