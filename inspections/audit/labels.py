"""The audit trail in words: what an event is about (its object type) and the fields it
changed, in the reader's language. A type or field not listed is shown as stored."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from ..text import fold

# What an audit event is about (object_type), as the trail shows it; a type not listed is shown
# as stored.
OBJECT_LABELS = {
    "api_token": _l("API token"),
    "area": _l("Area"),
    "area_predecessor": _l("Area predecessor"),
    "checklist_template": _l("Checklist"),
    "coverage": _l("Coverage"),
    "fine_payment": _l("Fine payment"),
    "inspection": _l("Inspection"),
    "legal_violation": _l("Legal violation"),
    "plan": _l("Plan"),
    "recorded_violation": _l("Recorded violation"),
    "report": _l("Report"),
    "report_indicator": _l("Report indicator"),
    "report_value": _l("Report value"),
    "report_value_file": _l("Report value file"),
    "reviewer_note": _l("Reviewer note"),
    "round": _l("Inspection round"),
    "round_outcome": _l("Round outcome"),
    "round_venue": _l("Round venue"),
    "saved_filter": _l("Saved filter"),
    "sent_report": _l("Sent report"),
    "team": _l("Team"),
    "tip": _l("Tip"),
    "user": _l("User"),
    "venue": _l("Venue"),
    "violation_followup": _l("Violation follow-up"),
}
# Field names shared by several records, then those of one record; "<object>_id" fields not
# listed are named by their object (venue_id: "Venue").
FIELD_LABELS = {
    "name": _l("Name"),
    "code": _l("Code"),
    "level": _l("Level"),
    "status": _l("Status"),
    "notes": _l("Notes"),
    "note": _l("Note"),
    "title": _l("Title"),
    "kind": _l("Kind"),
    "source": _l("Source"),
    "summary": _l("Summary"),
    "version": _l("Version"),
    "year": _l("Year"),
    "number": _l("Number"),
    "reason": _l("Reason"),
    "on": _l("Date"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid until"),
    "created_by_id": _l("Created by"),
    "recorded_by_id": _l("Recorded by"),
    "author_id": _l("Author"),
    # areas
    "name_en": _l("English name"),
    "parent_id": _l("Parent area"),
    "unit_type": _l("Unit type"),
    "area_km2": _l("Area (km²)"),
    "boundary_source": _l("Boundary source"),
    "geom": _l("Boundary"),
    "has_boundary": _l("Has a boundary"),
    "point_lat": _l("Point: latitude"),
    "point_lon": _l("Point: longitude"),
    "ref_lat": _l("Reference point: latitude"),
    "ref_lon": _l("Reference point: longitude"),
    "successor_codes": _l("Successor codes"),
    "predecessor_id": _l("Predecessor"),
    "successor_id": _l("Successor"),
    "main_part": _l("Main part"),
    # inspections
    "inspected_on": _l("Inspected on"),
    "inspected_at": _l("Inspected at"),
    "submitted_at": _l("Submitted at"),
    "cancelled_at": _l("Cancelled at"),
    "cancel_reason": _l("Reason for cancelling"),
    "presence": _l("Presence"),
    "presence_reason": _l("Why the position does not prove presence"),
    "representative_name": _l("Venue representative"),
    "client_key": _l("Phone's key"),
    "checklist_template_id": _l("Checklist"),
    "start_latitude": _l("GPS at the start: latitude"),
    "start_longitude": _l("GPS at the start: longitude"),
    "start_accuracy_m": _l("GPS at the start: accuracy (m)"),
    "start_fix_at": _l("GPS at the start: time"),
    # accounts
    "username": _l("Username"),
    "full_name": _l("Full name"),
    "role": _l("Role"),
    "active": _l("Active"),
    "agency_id": _l("Agency"),
    "home_area_id": _l("Home area"),
    "must_change_password": _l("Must change the password"),
    "password_hash": _l("Password"),
    # plans, teams, rounds
    "baseline_on": _l("Phase baseline"),
    "coverage_target_pct": _l("Coverage target (%)"),
    "tips_target_pct": _l("Tips handled target (%)"),
    "issued_on": _l("Issued on"),
    "issuer": _l("Issuer"),
    "place_name": _l("Place"),
    "programme": _l("Programme"),
    "standing_agency_id": _l("Standing agency"),
    "standing_agency_name": _l("Standing agency (name)"),
    "lead_agency_id": _l("Lead agency"),
    "active_from": _l("Active from"),
    "decision_no": _l("Decision number"),
    "decision_on": _l("Decision date"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "unannounced": _l("Unannounced"),
    "recorded_at": _l("Recorded at"),
    "added_at": _l("Added at"),
    "position": _l("Position"),
    # violations, fines, tips
    "amount_vnd": _l("Amount (₫)"),
    "paid_on": _l("Paid on"),
    "receipt_no": _l("Receipt number"),
    "classification": _l("Classification"),
    "closed_on": _l("Closed on"),
    "due_on": _l("Due on"),
    "received_on": _l("Received on"),
    "outcome": _l("Outcome"),
    "verification": _l("Verification"),
    # inside an amended answer or violation
    "answer": _l("Answer"),
    "offender": _l("Offender"),
    "offender_name": _l("Offender's name"),
    "fine_vnd": _l("Fine (₫)"),
    "measures": _l("Measures"),
    "remedy": _l("Remedy"),
    "remedy_deadline": _l("Remedy deadline"),
}


def object_label(object_type: str | None) -> str:
    """What an event is about, in words."""
    return str(OBJECT_LABELS.get(object_type or "", object_type or ""))


def object_options() -> list[tuple[str, str]]:
    """(type, label) of every object type, sorted as Vietnamese reads (Đ after D)."""
    return sorted(((k, str(v)) for k, v in OBJECT_LABELS.items()), key=lambda kv: fold(kv[1]))


def change_label(object_type: str | None, key: str) -> str:
    """A changed field in words: a venue's as its change log names it, else the shared
    names, else its object for an "<object>_id", else as stored."""
    if object_type == "venue":
        from ..venues.history import field_words

        return field_words(key)
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    kind, _sep, code = key.partition(".")
    if kind == "checklist" and code:  # an amended answer
        return str(_l("Checklist item %(code)s", code=code))
    if kind == "violations" and code:  # an amended violation
        return str(_l("Violation %(code)s", code=code))
    if key.endswith("_id") and key[:-3] in OBJECT_LABELS:
        return str(OBJECT_LABELS[key[:-3]])
    return key


# Stored codes shown in words, by field (and, for a status, by the object it belongs to).
VALUE_WORDS = {
    ("*", "level"): {
        "province": _l("province"),
        "district": _l("district"),
        "commune": _l("commune"),
    },
    ("inspection", "status"): {
        "draft": _l("Draft"),
        "submitted": _l("Submitted"),
        "cancelled": _l("Cancelled"),
    },
    ("venue", "status"): {
        "operating": _l("Operating"),
        "suspended": _l("Suspended"),
        "closed": _l("Closed"),
    },
    ("*", "presence"): {
        "on_site": _l("on site"),
        "off_site": _l("off-site"),
        "imprecise": _l("GPS imprecise"),
        "no_gps": _l("no GPS"),
    },
    ("*", "offender"): {"individual": _l("Individual"), "organisation": _l("Organisation")},
    ("*", "answer"): {
        "compliant": _l("Compliant"),
        "not_compliant": _l("Not compliant"),
        "not_applicable": _l("Not applicable"),
    },
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def change_value(object_type: str | None, key: str, value) -> str | None:
    """A changed value in words: codes by their names, days as dd/mm/yyyy, moments in the
    local time, yes/no, numbers without float noise, a record's fields (an amended answer or
    violation) as "Label: value; …". None when there is nothing (shown as ∅)."""
    from ..i18n import fmt_date, fmt_datetime, fmt_vnd

    if value is None or value == "" or value == []:
        return None
    words = VALUE_WORDS.get((object_type or "", key)) or VALUE_WORDS.get(("*", key))
    if words is not None and isinstance(value, str) and value in words:
        return str(words[value])
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, int) and key.endswith("_vnd"):
        return fmt_vnd(value)
    if isinstance(value, float):
        return f"{round(value, 6):g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return fmt_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DAY.match(value):
        return fmt_date(date.fromisoformat(value))
    if isinstance(value, dict):
        shown = (
            (change_label(object_type, k), change_value(object_type, k, v))
            for k, v in value.items()
        )
        return "; ".join(f"{label}: {text}" for label, text in shown if text is not None) or None
    if isinstance(value, list):
        return ", ".join(t for t in (change_value(object_type, key, v) for v in value) if t)
    return str(value)


def change_rows(
    object_type: str | None, changes: dict | None
) -> list[tuple[str, str, str | None, str | None]]:
    """(stored name, label, old, new) of an event's changes, in words ({field: [old, new]};
    a bare value is a new one)."""
    rows = []
    for key, pair in (changes or {}).items():
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        rows.append(
            (
                key,
                change_label(object_type, key),
                change_value(object_type, key, old),
                change_value(object_type, key, new),
            )
        )
    return rows
