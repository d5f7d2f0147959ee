"""The audit trail in words: what an event is about (its object type) and the fields it
changed, in the reader's language. A type or field not listed is shown as stored."""

from __future__ import annotations

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
    if key.endswith("_id") and key[:-3] in OBJECT_LABELS:
        return str(OBJECT_LABELS[key[:-3]])
    return key
