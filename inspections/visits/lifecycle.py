"""The draft → submitted → cancelled lifecycle: start, save the phone's state, submit, cancel.

The form, the API and the phone's offline queue (which replays through the API) all write
inspections through these functions.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from .. import storage
from ..accounts.models import Agency, Team, User
from ..audit.services import record, said
from ..clock import local_day
from ..dbtypes import utcnow
from ..errors import Conflict, Forbidden, Invalid
from ..extensions import db
from ..i18n import fmt_date, fmt_datetime
from ..uow import transactional
from ..venues.models import Venue
from ..violations import followup
from ..violations import services as violations
from . import files
from .access import can_inspect, is_admin, require_edit, venue_for
from .checklists import template_for
from .inputs import clean, item_ids
from .models import Inspection, InspectionAnswer, InspectionMember, InspectionSignature
from .presence import distance_label, presence_of, set_fix
from .readiness import MIN_REASON, problems
from .reading import status_label

CLOCK_SKEW = timedelta(minutes=10)  # a phone clock a little ahead is not "the future"
# A phone clock further ahead than this is not believed, even when the phone says so.
MAX_PHONE_CLOCK_AHEAD = timedelta(hours=36)
NO_OFFSET = timedelta(0)


def check_time(venue: Venue, at: datetime, phone_ahead: timedelta = NO_OFFSET) -> None:
    """Refuse an inspection time in the future, before the venue opened or after it closed.

    A phone whose clock is ahead (it says so with X-Client-Time, see api.py) recorded its own
    time: that time is kept as recorded, and "the future" is judged by the phone's clock
    (``phone_ahead``), up to MAX_PHONE_CLOCK_AHEAD; the server's own stamps (created_at,
    submitted_at) order events.
    """
    ahead = min(phone_ahead, MAX_PHONE_CLOCK_AHEAD)
    if at > utcnow() + CLOCK_SKEW + ahead:
        raise Invalid(
            _(
                "The inspection time %(at)s is in the future. Check the phone's date and time.",
                at=fmt_datetime(at),
            ),
            field="inspected_at",
        )
    day = local_day(at)
    if venue.opened_on and day < venue.opened_on:
        raise Invalid(
            _(
                "The venue opened on %(opened)s; an inspection on %(day)s is before that.",
                opened=fmt_date(venue.opened_on),
                day=fmt_date(day),
            ),
            field="inspected_at",
        )
    if venue.status == "closed" and venue.closed_on and day > venue.closed_on:
        raise Conflict(
            _(
                "The venue was closed on %(closed)s; an inspection on %(day)s cannot be recorded.",
                closed=fmt_date(venue.closed_on),
                day=fmt_date(day),
            ),
            field="venue_id",
        )


@transactional
def create(
    user,
    data: dict,
    client_key: str | None = None,
    *,
    phone_ahead: timedelta = NO_OFFSET,
) -> Inspection:
    """Start an inspection (a draft, or submitted at once when data["status"] says so)."""
    venue = venue_for(user, data["venue_id"])
    if not can_inspect(user, venue):
        if venue.merged_into_id:
            raise Invalid(
                _("This venue was merged into another record; inspect that one."),
                field="venue_id",
            )
        raise Forbidden(_("You may not inspect this venue."))
    if client_key:
        client_key = client_key[:64]
        taken = db.session.scalar(
            select(Inspection.id).where(
                Inspection.created_by_id == user.id, Inspection.client_key == client_key
            )
        )
        if taken:
            raise Conflict(
                _("An inspection was already started with this key (no. %(id)s).", id=taken),
                field="Idempotency-Key",
            )
    check_time(venue, data["inspected_at"], phone_ahead)
    day = local_day(data["inspected_at"])
    template = template_for(venue.sector_id, day)
    if template is None:
        raise Invalid(_("There is no checklist for this sector yet."), field="venue_id")
    inspection = Inspection(
        venue=venue,
        venue_id=venue.id,
        status="draft",
        inspected_at=data["inspected_at"],
        inspected_on=day,
        created_by_id=user.id,
        client_key=client_key,
        checklist_template=template,
        # A new inspection has nothing yet: its collections start empty here instead of
        # being read back from the database after the first flush (one query each).
        members=[],
        agencies=[],
        answers=[],
        violation_rows=[],
        photos=[],
        signatures=[],
        amendments=[],
    )
    db.session.add(inspection)
    db.session.flush()
    sections = dict(data)
    if "members" not in sections:
        sections["members"] = None  # = from the team, or the user alone
    _apply(user, inspection, sections, phone_ahead)
    _submit_if_asked(user, inspection, data, phone_ahead)
    return inspection


# PUT replaces these sections when they are left out; location and signatures are evidence
# and only ever replaced by new values.
PUT_DEFAULTS: dict[str, Any] = {
    "team_id": None,
    "members": [],
    "agencies": [],
    "checklist": [],
    "violations": [],
    "representative": None,
    "notes": None,
    "presence_reason": None,
}


@transactional
def update_draft(
    user,
    inspection: Inspection,
    data: dict,
    *,
    replace: bool = False,
    phone_ahead: timedelta = NO_OFFSET,
) -> Inspection:
    """Save the phone's current state of a draft (PATCH: given sections; PUT: all)."""
    require_edit(user, inspection)
    if inspection.status != "draft":
        raise Conflict(
            _(
                "This inspection is %(status)s and can no longer be edited; amend it instead.",
                status=status_label(inspection.status),
            ),
            field="status",
        )
    if "venue_id" in data and data["venue_id"] != inspection.venue_id:
        raise Invalid(_("An inspection cannot move to another venue."), field="venue_id")
    if replace:
        data = {**PUT_DEFAULTS, **data}
    _apply(user, inspection, data, phone_ahead)
    _submit_if_asked(user, inspection, data, phone_ahead)
    return inspection


def _submit_if_asked(user, inspection: Inspection, data: dict, phone_ahead: timedelta) -> None:
    """Start or save and submit in one call (data["status"] == "submitted")."""
    if data.get("status") == "submitted":
        submit(
            user,
            inspection,
            data.get("location"),
            data.get("presence_reason"),
            phone_ahead=phone_ahead,
        )


def _apply(user, inspection: Inspection, data: dict, phone_ahead: timedelta) -> None:
    if "inspected_at" in data and data["inspected_at"] != inspection.inspected_at:
        check_time(inspection.venue, data["inspected_at"], phone_ahead)
        inspection.inspected_at = data["inspected_at"]
        inspection.inspected_on = local_day(data["inspected_at"])
    if "team_id" in data:
        _set_team(user, inspection, data["team_id"])
    if "members" in data:
        _set_members(user, inspection, data["members"])
    if "agencies" in data or "members" in data:
        _set_agencies(inspection, data.get("agencies"))
    if data.get("location") is not None:
        set_fix(inspection, "start", data["location"])
    if "checklist" in data:
        _set_answers(inspection, data["checklist"] or [])
    if "violations" in data:
        entries = violations.resolve_entries(
            data["violations"] or [],
            inspection.inspected_on,
            inspection.venue.sector.code,
            item_ids(inspection),
        )
        violations.replace_draft_violations(inspection, entries)
    if "representative" in data:
        rep = data["representative"] or {}
        inspection.representative_name = clean(rep.get("name"))
        inspection.representative_role = clean(rep.get("role"))
    if "notes" in data:
        inspection.notes = clean(data["notes"])
    if "presence_reason" in data:
        inspection.presence_reason = clean(data["presence_reason"])
    if "signatures" in data:
        _set_signatures(inspection, data["signatures"] or [])
    db.session.flush()


def _set_team(user, inspection: Inspection, team_id: int | None) -> None:
    if team_id is None:
        inspection.team_id = None
        return
    team = db.session.get(Team, team_id)
    if team is None:
        raise Invalid(_("Unknown team."), field="team_id")
    member_ids = {m.user_id for m in team.memberships}
    if not is_admin(user) and user.id not in member_ids:
        raise Invalid(
            _("You are not a member of the team %(name)s.", name=team.name), field="team_id"
        )
    if not team.active_on(inspection.inspected_on):
        raise Invalid(
            _(
                "The team %(name)s is not active on %(day)s.",
                name=team.name,
                day=fmt_date(inspection.inspected_on),
            ),
            field="team_id",
        )
    if team.areas:
        venue = inspection.venue
        covered = {a.id for a in team.areas}
        if not covered & {venue.district_id, venue.commune_id}:
            raise Invalid(
                _(
                    "The team %(name)s covers %(areas)s; this venue is elsewhere.",
                    name=team.name,
                    areas=", ".join(a.name for a in team.areas),
                ),
                field="team_id",
            )
    inspection.team_id = team.id
    inspection.team = team


def team_members(team: Team | None, user) -> list[dict]:
    """The members a new inspection starts with: the team's, or the user alone."""
    if team is None:
        return [
            {"user_id": user.id, "name": user.full_name, "agency": user.agency.code, "lead": True}
        ]
    rows = sorted(team.memberships, key=lambda m: (not m.is_lead, m.user.full_name))
    return [
        {
            "user_id": m.user_id,
            "name": m.user.full_name,
            "agency": m.user.agency.code,
            "lead": m.is_lead,
        }
        for m in rows
        if m.user.active
    ]


def _set_members(user, inspection: Inspection, members: list[dict] | None) -> None:
    if members is None:
        members = team_members(inspection.team, user)
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    user_ids = [m["user_id"] for m in members if m.get("user_id")]
    users = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    rows, seen = [], set()
    for i, member in enumerate(members):
        person = users.get(member["user_id"]) if member.get("user_id") else None
        if member.get("user_id") and person is None:
            raise Invalid(_("Unknown account."), field=f"members.{i}.user_id")
        name = clean(member.get("name")) or (person.full_name if person else None)
        if not name:
            raise Invalid(_("Give the member's name."), field=f"members.{i}.name")
        code = member.get("agency") or (person.agency.code if person else None)
        if code not in agencies:
            raise Invalid(_("Choose the member's agency."), field=f"members.{i}.agency")
        identity = ("u", person.id) if person else ("n", name.casefold())
        if identity in seen:
            continue
        seen.add(identity)
        rows.append(
            InspectionMember(
                user_id=person.id if person else None,
                full_name=name,
                agency_id=agencies[code].id,
                agency=agencies[code],
                is_lead=bool(member.get("lead")),
                sort_order=i,
            )
        )
    if sum(r.is_lead for r in rows) > 1:
        raise Invalid(_("Only one member can lead the team."), field="members")
    inspection.members = rows


def _set_agencies(inspection: Inspection, extra: list[str] | None) -> None:
    codes = {m.agency.code for m in inspection.members} | set(extra or [])
    inspection.agencies = list(
        db.session.scalars(select(Agency).where(Agency.code.in_(codes)).order_by(Agency.sort_order))
    )


def _set_answers(inspection: Inspection, entries: list[dict]) -> None:
    ids = item_ids(inspection)
    latest: dict[str, dict] = {}
    for i, entry in enumerate(entries):
        if entry["item"] not in ids:
            raise Invalid(
                _("Unknown checklist item %(code)s.", code=entry["item"]),
                field=f"checklist.{i}.item",
            )
        latest[entry["item"]] = entry
    inspection.answers = [
        InspectionAnswer(item_id=ids[code], answer=e.get("answer"), note=clean(e.get("note")))
        for code, e in latest.items()
        if e.get("answer") or clean(e.get("note"))
    ]


def _decode_png(data_url: str, field: str) -> bytes:
    head, _sep, payload = data_url.partition(",")
    if not head.startswith("data:image/png;base64"):
        raise Invalid(_("A signature must be a PNG image."), field=field)
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(_("A signature must be a PNG image."), field=field) from None
    files.sniff(raw, allowed=("PNG",))
    return raw


def _set_signatures(inspection: Inspection, entries: list[dict]) -> None:
    by_role = {s.role: s for s in inspection.signatures}
    for i, entry in enumerate(entries):
        role = entry["role"]
        current = by_role.get(role)
        image = entry.get("image")
        if not image and not entry.get("refused"):
            if current is not None:
                inspection.signatures.remove(current)
            continue
        sha, stored = None, None
        if image:
            raw = _decode_png(image, f"signatures.{i}.image")
            sha, stored = storage.save(raw, "png", owner_id=inspection.id)
        if current is None:
            current = InspectionSignature(role=role)
            inspection.signatures.append(current)
        current.signer_name = clean(entry.get("name"))
        current.refused = bool(entry.get("refused")) and not image
        current.refusal_reason = clean(entry.get("refusal_reason")) if current.refused else None
        if current.sha256 != sha:
            current.signed_at = utcnow()
        current.sha256, current.stored_name = sha, stored


@transactional
def submit(
    user,
    inspection: Inspection,
    location: dict | None,
    reason: str | None,
    *,
    phone_ahead: timedelta = NO_OFFSET,
) -> Inspection:
    """Lock a draft: it then counts for coverage and can only be amended or cancelled."""
    require_edit(user, inspection)
    if inspection.status != "draft":
        raise Conflict(
            _(
                "This inspection is already %(status)s.",
                status=status_label(inspection.status),
            ),
            field="status",
        )
    if location:
        set_fix(inspection, "submit", location)
    if reason is not None:
        inspection.presence_reason = clean(reason)
    check_time(inspection.venue, inspection.inspected_at, phone_ahead)
    db.session.flush()
    found = problems(inspection)
    if found:
        raise Invalid(_("The inspection cannot be submitted yet."), details=found)
    presence = presence_of(inspection)
    inspection.presence = presence.status
    if presence.status == "on_site":
        inspection.presence_reason = None
    inspection.status = "submitted"
    inspection.submitted_at = utcnow()
    db.session.flush()
    followup.sync_register([inspection.id])
    record(
        "submit",
        inspection,
        summary=said(
            "%(venue)s %(day)s (%(presence)s, %(distance)s)",
            venue=inspection.venue.name,
            day=inspection.inspected_on,
            presence=presence.status,
            distance=distance_label(presence.distance_m),
        ),
    )
    return inspection


@transactional
def cancel(user, inspection: Inspection, reason: str) -> Inspection:
    """Cancel a draft or a submitted inspection, with the reason; it then counts nowhere."""
    require_edit(user, inspection)
    if inspection.status == "cancelled":
        raise Conflict(_("This inspection is already cancelled."), field="status")
    if len((reason or "").strip()) < MIN_REASON:
        raise Invalid(_("Give the reason for cancelling."), field="reason")
    inspection.status = "cancelled"
    inspection.cancelled_at = utcnow()
    inspection.cancelled_by_id = user.id
    inspection.cancel_reason = reason.strip()
    db.session.flush()
    followup.sync_register([inspection.id])
    record("cancel", inspection, summary=reason.strip())
    return inspection
