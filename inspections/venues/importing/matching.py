"""Matching the rows of a list to the registry, and deciding what each row does.

A later row repeating an earlier row's number, or its name and address within
MATCH_RADIUS_M, is a duplicate within the file. A row matches an existing venue by its
registration number, else its certificate number (with the same date: such numbers restart
every year), else the same name and address within MATCH_RADIUS_M; a number of a merged
duplicate leads to the venue kept. Each row then creates, updates, leaves unchanged, or is
rejected by the registry's own rules (``services.check_dates``, ``check_status_change``).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import selectinload

from ...accounts.services import Scope
from ...errors import InspectionsError, Invalid
from ...extensions import db
from ..geo import distance_m
from ..models import Venue, name_key
from ..phones import PhoneError, normalise_phone
from ..services import (
    EDITABLE,
    check_dates,
    check_status_change,
    chunks,
    transition,
    written_address,
)
from .columns import header_key
from .rows import Planned, RowResult

MATCH_RADIUS_M = 50


def _keys(p: Planned) -> dict:
    d = p.data
    return {
        "registration_no": (d.get("registration_no") or "").strip().upper() or None,
        "security_cert_no": (d.get("security_cert_no") or "").strip().upper() or None,
        "name": name_key(d.get("name")),
        "address": header_key(written_address(d)),
    }


def _same_place(a: dict, b: dict) -> bool:
    if "latitude" not in a or "latitude" not in b:
        return False
    return (
        distance_m(a["latitude"], a["longitude"], b["latitude"], b["longitude"]) <= MATCH_RADIUS_M
    )


def _file_key(p: Planned, key: str):
    """A number as the file repeats it; a certificate number with its date, since such
    numbers restart every year."""
    if key == "security_cert_no" and p.keys[key]:
        return (p.keys[key], p.data.get("security_cert_on"))
    return p.keys[key]


def reject_in_file_duplicates(planned: list[Planned]) -> tuple[list[Planned], list[RowResult]]:
    """Later rows repeating an earlier row's number, or its name and address within 50 m."""
    seen: dict[tuple, Planned] = {}
    by_name: dict[tuple, list[Planned]] = {}
    labels = (
        ("registration_no", _("same registration number")),
        ("security_cert_no", _("same certificate number")),
    )
    keep, rejected = [], []
    for p in planned:
        p.keys = _keys(p)
        first, why = None, ""
        for key, label in labels:
            value = _file_key(p, key)
            if value and (key, value) in seen:
                first, why = seen[(key, value)], label
                break
        if first is None:
            for other in by_name.get((p.keys["name"], p.keys["address"]), []):
                if _same_place(p.data, other.data):
                    first, why = other, _("same name and address")
                    break
        if first is not None:
            p.result.action = "reject"
            p.result.reason = _(
                "Duplicate of row %(n)s in this file (%(why)s).", n=first.result.row, why=why
            )
            rejected.append(p.result)
            continue
        for key in ("registration_no", "security_cert_no"):
            if p.keys[key]:
                seen[(key, _file_key(p, key))] = p
        by_name.setdefault((p.keys["name"], p.keys["address"]), []).append(p)
        keep.append(p)
    return keep, rejected


def _kept(venue: Venue) -> Venue:
    seen = set()
    while venue.merged_into_id and venue.id not in seen:
        seen.add(venue.id)
        kept = venue.merged_into
        assert kept is not None  # merged_into_id is a foreign key
        venue = kept
    return venue


def _with_place(q: Select[Venue]) -> Sequence[Row[Venue, float, float]]:
    return db.session.execute(
        q.add_columns(
            func.ST_Y(Venue.location).label("latitude"),
            func.ST_X(Venue.location).label("longitude"),
        ).options(selectinload(Venue.licences))
    ).all()


def match(planned: list[Planned], scope: Scope) -> None:
    """Find the existing venue of each row with a few batched queries; rows matching several
    venues are rejected."""
    places: dict[int, tuple[float, float]] = {}
    for key, column in (
        ("registration_no", Venue.registration_no),
        ("security_cert_no", Venue.security_cert_no),
    ):
        wanted = {p.keys[key] for p in planned if p.venue is None and p.keys[key]}
        spelled = sorted(
            wanted | {p.data[key].strip() for p in planned if p.venue is None and p.keys[key]}
        )
        found: dict[str, list[Venue]] = {}
        for chunk in chunks(spelled):
            for row in _with_place(select(Venue).where(column.in_(chunk), scope.venues(Venue))):
                places[row.Venue.id] = (row.latitude, row.longitude)
                found.setdefault((getattr(row.Venue, key) or "").strip().upper(), []).append(
                    row.Venue
                )
        kept_ids = [v.merged_into_id for vs in found.values() for v in vs if v.merged_into_id]
        if kept_ids:  # a number of a merged duplicate leads to the venue kept
            for chunk in chunks(sorted(set(kept_ids))):
                for row in _with_place(select(Venue).where(Venue.id.in_(chunk))):
                    places[row.Venue.id] = (row.latitude, row.longitude)
        for p in planned:
            if p.venue is not None or not p.keys[key] or p.keys[key] not in found:
                continue
            candidates = found[p.keys[key]]
            if key == "security_cert_no" and p.data.get("security_cert_on"):
                # certificate numbers restart every year: a different date is another paper
                day = p.data["security_cert_on"]
                candidates = [v for v in candidates if v.security_cert_on in (None, day)]
                if not candidates:
                    continue
            venues = {_kept(v).id: _kept(v) for v in candidates}
            if len(venues) > 1:
                p.result.action = "reject"
                p.result.reason = _(
                    "Several venues share this number (%(ids)s): merge them on the duplicates "
                    "page first.",
                    ids=", ".join(f"#{i}" for i in sorted(venues)),
                )
            else:
                p.venue = next(iter(venues.values()))
    open_rows = [p for p in planned if p.venue is None and p.result.action != "reject"]
    names = sorted({p.keys["name"] for p in open_rows if p.keys["name"]})
    by_name: dict[str, list[Row[Venue, float, float]]] = {}
    for chunk in chunks(names):
        for row in _with_place(
            select(Venue).where(
                Venue.name_key.in_(chunk), Venue.merged_into_id.is_(None), scope.venues(Venue)
            )
        ):
            by_name.setdefault(row.Venue.name_key, []).append(row)
    for p in open_rows:
        if "latitude" not in p.data:
            continue
        for row in by_name.get(p.keys["name"], []):
            near = distance_m(row.latitude, row.longitude, p.data["latitude"], p.data["longitude"])
            if header_key(row.Venue.address) == p.keys["address"] and near <= MATCH_RADIUS_M:
                p.venue, places[row.Venue.id] = row.Venue, (row.latitude, row.longitude)
                break
    for p in planned:
        if p.venue is not None:
            p.where = places.get(p.venue.id)


def _same_phone(stored: str | None, new: str) -> bool:
    """A number stored before numbers had one form is the same when it reads the same."""
    try:
        return normalise_phone(stored) == new
    except PhoneError:
        return False


def diff(venue: Venue, data: dict, lat: float, lon: float) -> dict:
    """The fields the row changes; blank cells never erase what the registry knows."""
    changes = {}
    for key in EDITABLE:
        if key in data and data[key] not in (None, "") and getattr(venue, key) != data[key]:
            if key == "owner_phone" and _same_phone(venue.owner_phone, data[key]):
                continue
            changes[key] = data[key]
    if data.get("sector") and venue.sector.code != data["sector"]:
        changes["sector"] = data["sector"]
    if "latitude" in data and distance_m(lat, lon, data["latitude"], data["longitude"]) > 1:
        changes["location"] = (data["latitude"], data["longitude"])
    if data.get("status") and data["status"] != venue.status:
        changes["status"] = data["status"]
    if data.get("closed_on") and data["closed_on"] != venue.closed_on:
        changes["closed_on"] = data["closed_on"]
    return changes


def decide(plans: list[Planned], source: str) -> None:
    """create / update / unchanged for each row, or reject it for a date or status rule."""
    for p in plans:
        d = p.data
        if p.venue is None:
            if "sector" not in d:
                p.result.action, p.result.reason = "reject", _("A new venue needs its sector.")
                continue
            if "latitude" not in d:
                p.result.action = "reject"
                p.result.reason = _("A new venue needs its location (latitude and longitude).")
                continue
            probe = SimpleNamespace(
                opened_on=d.get("opened_on"),
                closed_on=d.get("closed_on"),
                security_cert_on=d.get("security_cert_on"),
                status=d.get("status") or "operating",
            )
            try:
                # a probe: the rules read only these attributes, though typed for a Venue
                check_dates(probe)  # type: ignore[arg-type]
            except Invalid as exc:
                p.result.action, p.result.reason = "reject", exc.message
                continue
            p.result.action = "create"
            continue
        venue = p.venue
        assert p.where is not None  # match() reads the place of every venue it matches
        p.changes = diff(venue, d, *p.where)
        p.result.venue_id = venue.id
        if p.result.name != venue.name:
            p.result.name = f"{p.result.name} → #{venue.id} {venue.name}"
        values = {
            k: getattr(venue, k) for k in ("opened_on", "closed_on", "security_cert_on", "status")
        }
        values.update({k: v for k, v in p.changes.items() if k in values})
        if values["status"] != "closed":
            values["closed_on"] = None
        try:
            check_dates(SimpleNamespace(**values))  # type: ignore[arg-type]  # as above
            if "status" in p.changes:
                action, on = transition(p.changes["status"], p.changes.get("closed_on"))
                probe = SimpleNamespace(
                    id=venue.id,
                    merged_into_id=None,
                    status=venue.status,
                    opened_on=values["opened_on"],
                )
                check_status_change(probe, action, on, source)  # type: ignore[arg-type]
        except InspectionsError as exc:  # Invalid dates, Conflict for a status change
            p.result.action, p.result.reason = "reject", exc.message
            continue
        lic_new = p.licence and not any(
            (lic.kind, lic.number) == (p.licence["kind"], p.licence["number"])
            and all(
                not p.licence.get(k) or getattr(lic, k) == p.licence[k]
                for k in ("issued_on", "expires_on")
            )
            for lic in venue.licences
        )
        if p.changes or lic_new:
            p.result.action = "update"
            p.result.changes = sorted(p.changes) + (["licence"] if lic_new else [])
        else:
            p.result.action = "unchanged"
