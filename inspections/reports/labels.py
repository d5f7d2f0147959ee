"""The words of the reports: table titles, column headings, statuses (Vietnamese first)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from .report import Column

TABLE_TITLES = {
    "venues": _l("Venues in scope by sector and unit"),
    "inspections": _l("Inspections held and teams used, by unit"),
    "teams": _l("Inspection teams used"),
    "violations": _l("Violations by decree, article and sector"),
    "fines": _l("Fines decided and paid, by unit"),
    "closures": _l("Suspensions and closures, by unit"),
    "repeat": _l("Repeat offenders"),
    "tips": _l("Tips and complaints, by unit"),
}
# Worksheet names (at most 31 characters in either language).
SHEET_NAMES = {
    "indicators": _l("Indicators"),
    "venues": _l("Venues by sector"),
    "inspections": _l("Inspections by unit"),
    "teams": _l("Teams"),
    "violations": _l("Violations by article"),
    "fines": _l("Fines"),
    "closures": _l("Suspensions, closures"),
    "repeat": _l("Repeat offenders"),
    "tips": _l("Tips"),
}
COLUMN_LABELS = {
    "unit": _l("Unit"),
    "in_scope": _l("Venues in scope"),
    "inspected": _l("Inspected in the window"),
    "coverage_pct": _l("Coverage (%)"),
    "ever_inspected": _l("Inspected at least once"),
    "never_inspected": _l("Never inspected"),
    "inspections": _l("Inspections"),
    "venues": _l("Venues inspected"),
    "teams": _l("Teams"),
    "team": _l("Team"),
    "agency": _l("Lead agency"),
    "legal": _l("Legal basis"),
    "violations": _l("Violations"),
    "fined": _l("Fined"),
    "fines": _l("Fines (VND)"),
    "decided": _l("Fines decided (VND)"),
    "paid": _l("Paid by the window's end (VND)"),
    "unpaid": _l("Not paid (VND)"),
    "suspended": _l("Suspended"),
    "closed": _l("Closed"),
    "venue": _l("Venue"),
    "sector": _l("Sector"),
    "last_on": _l("Last violation"),
    "received": _l("Received"),
    "verified": _l("Verified"),
    "in_time": _l("Handled in time"),
    "overdue": _l("Overdue"),
}
STATUS_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "sent": _l("Sent"),
    "late": _l("Late"),
}
LEVEL_LABELS = {
    "province": _l("the province"),
    "district": _l("each district"),
    "commune": _l("each commune"),
}
# Rows of venues (tips, violations) of the area that no unit of the listed level holds.
UNPLACED = _l("Not placed in a unit")
NO_TEAM = _l("Without a team")
TOTAL = _l("Total")


def both(text) -> tuple[str, str]:
    """The app's own words in Vietnamese and English (for cells a stored report keeps)."""
    with force_locale("vi"):
        vi = str(text)
    with force_locale("en"):
        en = str(text)
    return vi, en


def table_title(key: str) -> str:
    """The title of an annex table."""
    return str(TABLE_TITLES.get(key, key))


def column_label(column: Column, locale: str) -> str:
    """A column's heading: its own words for data-derived columns (a sector), else by key."""
    own = column.label_en if locale == "en" else column.label_vi
    if own:
        return own
    return str(COLUMN_LABELS.get(column.key, column.key))


def status_label(status: str) -> str:
    """The words for a report's status."""
    return str(STATUS_LABELS.get(status, status))


def level_label(level: str) -> str:
    """Who enters a reported indicator: "the province", "each district"."""
    return str(LEVEL_LABELS.get(level, level))
