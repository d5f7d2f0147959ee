"""Inspections on site: who may do what, the draft → submitted → amended/cancelled lifecycle,
GPS proof of presence, and the document the phone, the pages, the API and the minutes share.

Every rule lives here once; the pages and the API call these functions.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Agency, Team, TeamMember, User
from ..accounts.permissions import P, role_allows
from ..accounts.services import scope_of, teams_of
from ..areas.models import Area
from ..areas.services import check_coordinates
from ..audit.services import record
from ..clock import local_day
from ..dbtypes import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import fmt_date, fmt_datetime
from ..spatial import distance_m, point_expr
from ..venues.models import Venue
from ..violations import followup
from ..violations import services as violations
from ..violations.models import RecordedViolation
from . import files
from .checklists import template_for
from .models import (
    ChecklistItem,
    Inspection,
    InspectionAmendment,
    InspectionAnswer,
    InspectionMember,
    InspectionPhoto,
    InspectionSignature,
    inspection_agency,
)

MIN_MEMBERS = 3  # interagency teams (Circular 05/2006/TTLT) have at least three members
CLOCK_SKEW = timedelta(minutes=10)  # a phone clock a little ahead is not "the future"
# A phone clock further ahead than this is not believed, even when the phone says so.
MAX_PHONE_CLOCK_AHEAD = timedelta(hours=36)
MIN_REASON = 5
# Fields of a submitted inspection that an amendment may correct besides answers/violations.
AMENDABLE_SCALARS = ("representative_name", "representative_role", "notes")


# ---------------------------------------------------------------- time


def check_time(venue: Venue, at: datetime) -> None:
    """Refuse an inspection time in the future, before the venue opened or after it closed.

    A phone whose clock is ahead (it says so with X-Client-Time, see api.py) recorded its own
    time: that time is kept as recorded, and "the future" is judged by the phone's clock, up
    to MAX_PHONE_CLOCK_AHEAD; the server's own stamps (created_at, submitted_at) order events.
    """
    ahead = min(g.get("phone_clock_ahead", timedelta(0)), MAX_PHONE_CLOCK_AHEAD)
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


# ---------------------------------------------------------------- who may do what


def _is_admin(user) -> bool:
    return getattr(user, "role", None) == "admin"


def visible_clause(user):
    """WHERE clause (with Venue joined) keeping the inspections a user may see."""
    return scope_of(user).venues(Venue)


def get_inspection(inspection_id: int, user, *, for_update: bool = False) -> Inspection:
    """An inspection the user may see; outside their area it does not exist for them."""
    q = (
        select(Inspection)
        .join(Venue, Venue.id == Inspection.venue_id)
        .where(Inspection.id == inspection_id, visible_clause(user))
    )
    if for_update:
        q = q.with_for_update(of=Inspection)
    found = db.session.scalar(q)
    if found is None:
        raise NotFound(_("This inspection does not exist or is outside your area."))
    return found


def venue_for(user, venue_id: int) -> Venue:
    """A venue the user may see (404 outside their area)."""
    venue = db.session.get(Venue, venue_id)
    if venue is None or not scope_of(user).allows_venue(venue):
        raise NotFound(_("This venue does not exist or is outside your area."), field="venue_id")
    return venue


def can_inspect(user, venue: Venue) -> bool:
    """May this user start an inspection of this venue?"""
    return (
        role_allows(getattr(user, "role", None), P.INSPECTIONS_WRITE)
        and scope_of(user).allows_venue(venue)
        and venue.merged_into_id is None
    )


def can_edit(user, inspection: Inspection) -> bool:
    """Members of the inspection (its team, its creator, listed members) and admins."""
    if not role_allows(getattr(user, "role", None), P.INSPECTIONS_WRITE):
        return False
    if not scope_of(user).allows_venue(inspection.venue):
        return False
    if _is_admin(user) or inspection.created_by_id == user.id:
        return True
    if any(m.user_id == user.id for m in inspection.members):
        return True
    return inspection.team_id is not None and bool(
        db.session.scalar(
            select(TeamMember.user_id).where(
                TeamMember.team_id == inspection.team_id, TeamMember.user_id == user.id
            )
        )
    )


def require_edit(user, inspection: Inspection) -> None:
    """Refuse users who may see but not change an inspection."""
    if not can_edit(user, inspection):
        raise Forbidden(_("Only the members of the inspection's team can change it."))


# ---------------------------------------------------------------- lifecycle


def create(user, data: dict, client_key: str | None = None) -> Inspection:
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
    check_time(venue, data["inspected_at"])
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
        checklist_template_id=template.id,
    )
    db.session.add(inspection)
    db.session.flush()
    sections = dict(data)
    if "members" not in sections:
        sections["members"] = None  # = from the team, or the user alone
    _apply(user, inspection, sections)
    if data.get("status") == "submitted":
        submit(user, inspection, data.get("location"), data.get("presence_reason"))
    return inspection


# PUT replaces these sections when they are left out; location and signatures are evidence
# and only ever replaced by new values.
PUT_DEFAULTS = {
    "team_id": None,
    "members": [],
    "agencies": [],
    "checklist": [],
    "violations": [],
    "representative": None,
    "notes": None,
    "presence_reason": None,
}


def update_draft(user, inspection: Inspection, data: dict, *, replace: bool = False) -> Inspection:
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
    _apply(user, inspection, data)
    if data.get("status") == "submitted":
        submit(user, inspection, data.get("location"), data.get("presence_reason"))
    return inspection


def _apply(user, inspection: Inspection, data: dict) -> None:
    if "inspected_at" in data and data["inspected_at"] != inspection.inspected_at:
        check_time(inspection.venue, data["inspected_at"])
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
            _item_ids(inspection),
        )
        violations.replace_draft_violations(inspection, entries)
    if "representative" in data:
        rep = data["representative"] or {}
        inspection.representative_name = _clean(rep.get("name"))
        inspection.representative_role = _clean(rep.get("role"))
    if "notes" in data:
        inspection.notes = _clean(data["notes"])
    if "presence_reason" in data:
        inspection.presence_reason = _clean(data["presence_reason"])
    if "signatures" in data:
        _set_signatures(inspection, data["signatures"] or [])
    db.session.flush()


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _set_team(user, inspection: Inspection, team_id: int | None) -> None:
    if team_id is None:
        inspection.team_id = None
        return
    team = db.session.get(Team, team_id)
    if team is None:
        raise Invalid(_("Unknown team."), field="team_id")
    member_ids = {m.user_id for m in team.memberships}
    if not _is_admin(user) and user.id not in member_ids:
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
        person = users.get(member.get("user_id")) if member.get("user_id") else None
        if member.get("user_id") and person is None:
            raise Invalid(_("Unknown account."), field=f"members.{i}.user_id")
        name = _clean(member.get("name")) or (person.full_name if person else None)
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


def _item_ids(inspection: Inspection) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(ChecklistItem.code, ChecklistItem.id).where(
                ChecklistItem.template_id == inspection.checklist_template_id
            )
        ).all()
    )


def _set_answers(inspection: Inspection, entries: list[dict]) -> None:
    ids = _item_ids(inspection)
    latest: dict[str, dict] = {}
    for i, entry in enumerate(entries):
        if entry["item"] not in ids:
            raise Invalid(
                _("Unknown checklist item %(code)s.", code=entry["item"]),
                field=f"checklist.{i}.item",
            )
        latest[entry["item"]] = entry
    inspection.answers = [
        InspectionAnswer(item_id=ids[code], answer=e.get("answer"), note=_clean(e.get("note")))
        for code, e in latest.items()
        if e.get("answer") or _clean(e.get("note"))
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
            sha, stored = files.store(inspection.id, raw, "png")
        if current is None:
            current = InspectionSignature(role=role)
            inspection.signatures.append(current)
        current.signer_name = _clean(entry.get("name"))
        current.refused = bool(entry.get("refused")) and not image
        current.refusal_reason = _clean(entry.get("refusal_reason")) if current.refused else None
        if current.sha256 != sha:
            current.signed_at = utcnow()
        current.sha256, current.stored_name = sha, stored


# ---------------------------------------------------------------- GPS proof


def set_fix(inspection: Inspection, which: str, loc: dict) -> None:
    """Record a GPS fix and its distance to the venue, measured by the database."""
    check_coordinates(loc["latitude"], loc["longitude"])
    dist = db.session.scalar(
        select(distance_m(Venue.location, point_expr(loc["latitude"], loc["longitude"]))).where(
            Venue.id == inspection.venue_id
        )
    )
    setattr(inspection, f"{which}_latitude", loc["latitude"])
    setattr(inspection, f"{which}_longitude", loc["longitude"])
    setattr(inspection, f"{which}_accuracy_m", loc["accuracy_m"])
    setattr(inspection, f"{which}_fix_at", loc.get("captured_at") or utcnow())
    setattr(inspection, f"{which}_distance_m", float(dist) if dist is not None else None)


@dataclass
class Presence:
    """Where the GPS fixes put the team relative to the venue."""

    status: str  # on_site | off_site | imprecise | no_gps
    distance_m: float | None = None
    accuracy_m: float | None = None
    limit_m: float = 200


def presence_of(inspection: Inspection) -> Presence:
    """On site when either fix (start or submit), allowing for its accuracy, lies within
    OFFSITE_DISTANCE_M of the venue; a fix too imprecise to tell proves nothing."""
    limit = float(current_app.config["OFFSITE_DISTANCE_M"])
    max_accuracy = float(current_app.config["GPS_MAX_ACCURACY_M"])
    fixes = [
        (getattr(inspection, f"{w}_distance_m"), getattr(inspection, f"{w}_accuracy_m"))
        for w in ("start", "submit")
        if getattr(inspection, f"{w}_distance_m") is not None
    ]
    if not fixes:
        return Presence("no_gps", limit_m=limit)
    precise = [(d, a) for d, a in fixes if (a or 0) <= max_accuracy]
    if not precise:
        d, a = min(fixes, key=lambda f: f[1] or 0)
        return Presence("imprecise", d, a, limit)
    d, a = min(precise, key=lambda f: f[0] - (f[1] or 0))
    return Presence("on_site" if d - (a or 0) <= limit else "off_site", d, a, limit)


def presence_message(p: Presence) -> str | None:
    """What the inspector must explain, or None when the fix proves presence."""
    if p.status == "on_site":
        return None
    if p.status == "off_site":
        return _(
            "The GPS position is %(d)s from the venue's registered location (more than "
            "%(limit)s m). Say why to submit it as off-site.",
            d=distance_label(p.distance_m),
            limit=int(p.limit_m),
        )
    if p.status == "imprecise":
        return _(
            "The GPS position is too imprecise (±%(acc)s) to prove presence. Wait for a "
            "better fix outdoors, or say why.",
            acc=distance_label(p.accuracy_m),
        )
    return _("No GPS position was captured. Allow location access and retry, or say why.")


def distance_label(metres: float | None) -> str:
    """ "35 m" or "1,3 km"."""
    if metres is None:
        return "?"
    if metres < 1000:
        return f"{round(metres):d} m"
    return f"{metres / 1000:.1f} km"


# ---------------------------------------------------------------- readiness and submit


def problems(inspection: Inspection) -> dict[str, list[str]]:
    """Everything that blocks submitting, by field; empty when it can be submitted."""
    out: dict[str, list[str]] = {}

    def add(key, message):
        out.setdefault(key, []).append(message)

    members = inspection.members
    if len(members) < MIN_MEMBERS:
        add(
            "members",
            _(
                "An interagency team needs at least %(min)s members (now %(n)s).",
                min=MIN_MEMBERS,
                n=len(members),
            ),
        )
    if members and not any(m.is_lead for m in members):
        add("members", _("Mark who leads the team."))
    answered = {a.item.code for a in current_answers(inspection) if a.answer}
    items = inspection.checklist_template.items if inspection.checklist_template else []
    missing = [i.code for i in items if i.code not in answered]
    if missing:
        add(
            "checklist",
            _(
                "%(n)s of %(total)s checklist items are not answered.",
                n=len(missing),
                total=len(items),
            ),
        )
        for code in missing:
            add(f"checklist.{code}", _("Not answered."))
    for i, row in enumerate(violations.current_rows(inspection)):
        entry = violations.ViolationEntry(
            legal=row.legal,
            offender_type=row.offender_type,
            offender_name=row.offender_name,
            fine_vnd=row.fine_vnd,
            measures=row.measures or [],
            remedy=row.remedy,
            remedy_deadline=row.remedy_deadline,
            item_id=row.item_id,
        )
        for key, messages in violations.entry_problems(entry, inspection.inspected_on, i).items():
            out.setdefault(key, []).extend(messages)
        why = violations.check_applies(
            row.legal, row.legal.code, inspection.inspected_on, inspection.venue.sector.code
        )
        if why:
            add(f"violations.{i}.code", why)
    signatures = {s.role: s for s in inspection.signatures}
    lead = signatures.get("lead")
    if lead is None or not lead.stored_name:
        add("signatures.lead", _("The team lead has not signed."))
    rep = signatures.get("representative")
    if rep is None or not (rep.stored_name or rep.refused):
        add(
            "signatures.representative",
            _("The venue's representative has not signed (or record that they refused)."),
        )
    elif rep.refused and not rep.refusal_reason:
        add("signatures.representative", _("Say how the representative refused to sign."))
    presence = presence_of(inspection)
    message = presence_message(presence)
    if message and len(inspection.presence_reason or "") < MIN_REASON:
        add("presence_reason", message)
    return out


def submit(user, inspection: Inspection, location: dict | None, reason: str | None) -> Inspection:
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
        inspection.presence_reason = _clean(reason)
    check_time(inspection.venue, inspection.inspected_at)
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
        summary=f"{inspection.venue.name} {inspection.inspected_on.isoformat()} "
        f"({presence.status}, {distance_label(presence.distance_m)})",
    )
    return inspection


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


# ---------------------------------------------------------------- amendments


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
        given["representative_name"] = _clean(rep.get("name"))
        given["representative_role"] = _clean(rep.get("role"))
    if "notes" in data:
        given["notes"] = _clean(data["notes"])
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
    ids = _item_ids(inspection)
    by_item = {a.item_id: a for a in current_answers(inspection)}
    for i, entry in enumerate(entries):
        code = entry["item"]
        if code not in ids:
            raise Invalid(
                _("Unknown checklist item %(code)s.", code=code), field=f"checklist.{i}.item"
            )
        old = by_item.get(ids[code])
        new_answer, new_note = entry.get("answer"), _clean(entry.get("note"))
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
        entries, inspection.inspected_on, inspection.venue.sector.code, _item_ids(inspection)
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
        row = RecordedViolation(
            inspection_id=inspection.id,
            venue_id=inspection.venue_id,
            sort_order=old.sort_order if old else order + i,
            amendment_id=amendment.id,
            supersedes_id=old.id if old else None,
            **entry.values(),
        )
        db.session.add(row)
        changes[f"violations.{entry.legal.code}"] = [
            _violation_view(old) if old else None,
            _violation_view(entry),
        ]
    for vid, old in current.items():
        if vid not in kept:
            old.superseded_by_id = amendment.id
            changes[f"violations.{old.legal.code}"] = [_violation_view(old), None]
    db.session.flush()


# ---------------------------------------------------------------- photos


def add_photo(
    user,
    inspection: Inspection,
    data: bytes,
    *,
    item_code: str | None = None,
    caption: str | None = None,
    client_key: str | None = None,
) -> tuple[InspectionPhoto, bool]:
    """Keep a photo of the visit; returns (photo, created). The same photo twice is kept
    once. Photos added after submitting are allowed and dated (shown as added later)."""
    require_edit(user, inspection)
    if inspection.status == "cancelled":
        raise Conflict(_("This inspection is cancelled."), field="status")
    files.check_size(len(data))
    if not data:
        raise Invalid(_("Choose a photo."), field="file")
    if client_key:
        client_key = client_key[:64]
        found = db.session.scalar(
            select(InspectionPhoto).where(
                InspectionPhoto.inspection_id == inspection.id,
                InspectionPhoto.client_key == client_key,
            )
        )
        if found is not None:
            return found, False
    item_id = None
    if item_code:
        item_id = _item_ids(inspection).get(item_code)
        if item_id is None:
            raise Invalid(_("Unknown checklist item %(code)s.", code=item_code), field="item")
    fmt, width, height = files.sniff(data)
    content_type, ext = files.FORMATS[fmt]
    sha, stored = files.store(inspection.id, data, ext)
    same = db.session.scalar(
        select(InspectionPhoto).where(
            InspectionPhoto.inspection_id == inspection.id, InspectionPhoto.sha256 == sha
        )
    )
    if same is not None:
        return same, False
    photo = InspectionPhoto(
        inspection_id=inspection.id,
        item_id=item_id,
        client_key=client_key,
        sha256=sha,
        content_type=content_type,
        size_bytes=len(data),
        width=width,
        height=height,
        stored_name=stored,
        caption=_clean(caption),
        uploaded_by_id=user.id,
    )
    db.session.add(photo)
    db.session.flush()
    return photo, True


def get_photo(inspection: Inspection, photo_id: int) -> InspectionPhoto:
    """A photo of this inspection (404 otherwise)."""
    photo = db.session.get(InspectionPhoto, photo_id)
    if photo is None or photo.inspection_id != inspection.id:
        raise NotFound(_("No such photo."))
    return photo


def delete_photo(user, inspection: Inspection, photo: InspectionPhoto) -> None:
    """Remove a photo from a draft (a submitted inspection keeps its evidence)."""
    require_edit(user, inspection)
    if inspection.status != "draft":
        raise Conflict(_("Photos of a submitted inspection cannot be removed."), field="status")
    name = photo.stored_name
    db.session.delete(photo)
    db.session.flush()
    still_used = db.session.scalar(
        select(func.count()).select_from(InspectionPhoto).where(InspectionPhoto.stored_name == name)
    )
    if not still_used:
        files.delete_after_commit(db.session(), name)


# ---------------------------------------------------------------- reading


def status_label(status: str) -> str:
    """An inspection status in words."""
    return {
        "draft": _("draft"),
        "submitted": _("submitted"),
        "cancelled": _("cancelled"),
    }.get(status, status)


def _fix(inspection: Inspection, which: str) -> dict | None:
    lat = getattr(inspection, f"{which}_latitude")
    if lat is None:
        return None
    return {
        "latitude": lat,
        "longitude": getattr(inspection, f"{which}_longitude"),
        "accuracy_m": getattr(inspection, f"{which}_accuracy_m"),
        "captured_at": getattr(inspection, f"{which}_fix_at"),
        "distance_m": getattr(inspection, f"{which}_distance_m"),
    }


def document(inspection: Inspection, locale: str = "vi", user=None) -> dict:
    """The inspection as one document (current values): API answers, the phone's state."""
    venue = inspection.venue
    template = inspection.checklist_template
    item_codes = {i.id: i.code for i in (template.items if template else [])}
    scalars = effective_scalars(inspection)
    presence = presence_of(inspection)
    viols = []
    for row in violations.current_rows(inspection):
        low, high = row.legal.fine_range(row.offender_type)
        viols.append(
            {
                "id": row.id,
                "code": row.legal.code,
                "decree": row.legal.decree,
                "article": row.legal.article,
                "clause": row.legal.clause,
                "point": row.legal.point,
                "legal_basis": violations.legal_basis(row.legal, locale),
                "title": row.legal.title(locale),
                "offender": row.offender_type,
                "offender_name": row.offender_name,
                "fine_vnd": row.fine_vnd,
                "fine_min": low,
                "fine_max": high,
                "measures": list(row.measures or []),
                "remedy": row.remedy,
                "remedy_deadline": row.remedy_deadline,
                "item": item_codes.get(row.item_id),
                "amended": row.amendment_id is not None,
            }
        )
    base = f"/inspections/{inspection.id}"
    return {
        "id": inspection.id,
        "client_key": inspection.client_key,
        "status": inspection.status,
        "venue": {
            "id": venue.id,
            "name": venue.name,
            "address": venue.address,
            "sector": venue.sector.code,
        },
        "inspected_at": inspection.inspected_at,
        "inspected_on": inspection.inspected_on,
        "submitted_at": inspection.submitted_at,
        "team": {"id": inspection.team.id, "name": inspection.team.name}
        if inspection.team
        else None,
        "members": [
            {"user_id": m.user_id, "name": m.full_name, "agency": m.agency.code, "lead": m.is_lead}
            for m in inspection.members
        ],
        "agencies": [a.code for a in inspection.agencies],
        "checklist_template": {
            "id": template.id,
            "sector": template.sector.code,
            "version": template.version,
        }
        if template
        else {},
        "checklist": [
            {
                "item": a.item.code,
                "answer": a.answer,
                "note": a.note,
                "amended": a.amendment_id is not None,
            }
            for a in sorted(current_answers(inspection), key=lambda a: a.item.sort_order)
        ],
        "violations": viols,
        "location": _fix(inspection, "start"),
        "submit_location": _fix(inspection, "submit"),
        "presence": inspection.presence if inspection.status != "draft" else presence.status,
        "presence_reason": inspection.presence_reason,
        "distance_m": presence.distance_m,
        "representative": {
            "name": scalars["representative_name"],
            "role": scalars["representative_role"],
        },
        "notes": scalars["notes"],
        "signatures": [
            {
                "role": s.role,
                "name": s.signer_name,
                "refused": s.refused,
                "refusal_reason": s.refusal_reason,
                "signed_at": s.signed_at,
                "sha256": s.sha256,
                "image_url": f"{base}/signatures/{s.role}" if s.stored_name else None,
            }
            for s in inspection.signatures
        ],
        "photos": [
            {
                "id": p.id,
                "item": item_codes.get(p.item_id),
                "caption": p.caption,
                "sha256": p.sha256,
                "content_type": p.content_type,
                "size_bytes": p.size_bytes,
                "width": p.width,
                "height": p.height,
                "created_at": p.created_at,
                "url": f"{base}/photos/{p.id}",
                "thumbnail_url": f"{base}/photos/{p.id}?thumb=1",
            }
            for p in inspection.photos
        ],
        "amendments": [
            {
                "id": a.id,
                "reason": a.reason,
                "changes": a.changes,
                "by": a.created_by.full_name if a.created_by else None,
                "at": a.created_at,
            }
            for a in inspection.amendments
        ],
        "cancelled_at": inspection.cancelled_at,
        "cancel_reason": inspection.cancel_reason,
        "problems": problems(inspection) if inspection.status == "draft" else {},
        "created_by": inspection.created_by.full_name if inspection.created_by else None,
        "updated_at": inspection.updated_at,
        "links": {
            "self": f"/api/v1/inspections/{inspection.id}",
            "page": base,
            "minutes": f"{base}/minutes.pdf",
        },
    }


def search(user, filters: dict):
    """SELECT of the inspections a user may see, filtered, newest first."""
    q = (
        select(Inspection)
        .join(Venue, Venue.id == Inspection.venue_id)
        .where(visible_clause(user))
        .options(selectinload(Inspection.team), selectinload(Inspection.venue))
    )
    if filters.get("venue"):
        q = q.where(Inspection.venue_id == filters["venue"])
    if filters.get("area"):
        area = db.session.scalar(
            select(Area).where(Area.code == filters["area"]).order_by(Area.valid_from.desc())
        )
        if area is None:
            raise Invalid(_("Unknown area %(code)s.", code=filters["area"]), field="area")
        col = Venue.commune_id if area.level == "commune" else Venue.district_id
        if area.level != "province":
            q = q.where(col == area.id)
    if filters.get("start"):
        q = q.where(Inspection.inspected_on >= filters["start"])
    if filters.get("end"):
        q = q.where(Inspection.inspected_on <= filters["end"])
    if filters.get("status"):
        q = q.where(Inspection.status == filters["status"])
    if filters.get("team"):
        q = q.where(Inspection.team_id == filters["team"])
    if filters.get("client_key"):
        q = q.where(Inspection.client_key == filters["client_key"])
    if filters.get("agency"):
        q = q.where(
            exists()
            .where(inspection_agency.c.inspection_id == Inspection.id)
            .where(
                inspection_agency.c.agency_id
                == select(Agency.id).where(Agency.code == filters["agency"]).scalar_subquery()
            )
        )
    if filters.get("q"):
        from ..text import like_pattern

        q = q.where(Venue.search_text.like(like_pattern(filters["q"]), escape="\\"))
    if filters.get("mine"):
        q = q.where(
            or_(
                Inspection.created_by_id == user.id,
                exists().where(
                    and_(
                        InspectionMember.inspection_id == Inspection.id,
                        InspectionMember.user_id == user.id,
                    )
                ),
            )
        )
    return q.order_by(Inspection.inspected_at.desc(), Inspection.id.desc())


def summaries(inspections: list[Inspection]) -> list[dict]:
    """List rows with their current violation counts (one GROUP BY, no N+1)."""
    counts = violations.counts_by_inspection([i.id for i in inspections])
    return [
        {
            "id": i.id,
            "status": i.status,
            "venue_id": i.venue_id,
            "venue_name": i.venue.name,
            "inspected_at": i.inspected_at,
            "inspected_on": i.inspected_on,
            "team": i.team.name if i.team else None,
            "violations": counts.get(i.id, 0),
            "presence": i.presence,
            "client_key": i.client_key,
            "inspection": i,
        }
        for i in inspections
    ]


def venue_inspections(venue: Venue, user, limit: int = 50) -> list[dict]:
    """A venue's inspections, newest first, for its page."""
    if not scope_of(user).allows_venue(venue):
        return []
    rows = list(db.session.scalars(search(user, {"venue": venue.id}).limit(limit)))
    return summaries(rows)


def open_draft(user, venue: Venue) -> Inspection | None:
    """The user's own recent draft of this venue, so "Start" twice does not make two."""
    return db.session.scalar(
        select(Inspection)
        .where(
            Inspection.venue_id == venue.id,
            Inspection.status == "draft",
            Inspection.created_by_id == user.id,
            Inspection.created_at >= utcnow() - timedelta(hours=24),
        )
        .order_by(Inspection.created_at.desc())
        .limit(1)
    )


def active_teams(user, on: date) -> list[Team]:
    """Teams the user can inspect for on a day."""
    return teams_of(user, on)
