"""The words the registry's pages show for its codes: licence kinds, lifecycle events, venue
fields (import reports, errors) and the reasons two venues may be one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LICENCE_LABELS = {
    "karaoke_dance": _l("Karaoke / dance-hall permit"),
    "fire_safety": _l("Fire safety"),
    "food_safety": _l("Food safety"),
    "alcohol": _l("Alcohol retail"),
    "lodging": _l("Lodging permit"),
    "other": _l("Other licence"),
}
EVENT_LABELS = {
    "suspended": _l("Suspended"),
    "reopened": _l("Reopened"),
    "closed": _l("Closed"),
    "moved": _l("Location changed"),
    "merged_into": _l("Merged into"),
    "merged_from": _l("Took over the duplicate"),
    "label": _l("QR label re-issued"),
}
FIELD_LABELS = {
    "name": _l("Name"),
    "sector": _l("Sector"),
    "address": _l("Address"),
    "house_no": _l("House no."),
    "street": _l("Street"),
    "address_commune": _l("Commune (written)"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "coordinates": _l("Coordinates"),
    "location": _l("Location"),
    "registration_no": _l("Business registration number"),
    "security_cert_no": _l("Security certificate no."),
    "security_cert_on": _l("Security certificate date"),
    "owner_name": _l("Owner or manager"),
    "owner_phone": _l("Phone"),
    "capacity": _l("Rooms / beds / chairs"),
    "status": _l("Status"),
    "opened_on": _l("Opened on"),
    "closed_on": _l("Closed on"),
    "notes": _l("Notes"),
    "licence": _l("Licence"),
    "licence_kind": _l("Licence kind"),
    "licence_no": _l("Licence number"),
    "licence_issued_on": _l("Licence issued on"),
    "licence_expires_on": _l("Licence expires on"),
}
DUP_REASONS = {
    "registration": _l("same registration number"),
    "certificate": _l("same certificate number"),
    "licence": _l("same licence number"),
    "name": _l("similar name within 50 m"),
}


def licence_label(kind: str) -> str:
    """The name of a licence kind."""
    return str(LICENCE_LABELS.get(kind, kind))


def event_label(kind: str) -> str:
    """The name of a lifecycle event."""
    return str(EVENT_LABELS.get(kind, kind))


def field_label(name: str) -> str:
    """The name of a venue field (import reports)."""
    return str(FIELD_LABELS.get(name, name))


def dup_reason(reason: str) -> str:
    """Why two venues may be one."""
    return str(DUP_REASONS.get(reason, reason))
