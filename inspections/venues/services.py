"""The registry's rules: create, edit, move, lifecycle, licences, merge, labels.

The one write path of a venue: the form, the API, the import and the merge all create and
change venues here. Services take plain arguments (data as loaded by ``schemas.VenueIn``,
the caller's ``Scope`` and user) and raise the project's exceptions; each write service is
one unit of work (``@transactional``): it commits when it succeeds, or leaves nothing behind
when it raises, whatever the caller does next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from flask_babel import gettext as _
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select, update

from ..accounts.services import Scope
from ..areas.services import assign_venue_areas, locate
from ..audit.services import Said, changes_from, record, said
from ..clock import today
from ..errors import Conflict, Invalid, NotFound, OutsideScope
from ..extensions import db
from ..spatial import point
from ..uow import transactional
from .addresses import compose_address, names_unit, written_commune
from .geo import distance_m, format_point
from .models import LICENCE_KINDS, Sector, Venue, VenueEvent, VenueLicence
from .todays_map import set_todays_addresses

# Another capability whose rows point at venues (tips, follow-ups...) registers a function
# (duplicate_id, kept_id) -> rows moved, so a merge moves its rows too.
MERGE_HOOKS: list[Callable[[int, int], int]] = []
# A location change further than this is recorded as a move in the lifecycle history.
MOVE_THRESHOLD_M = 20
# Closer than this the location has not changed (the form's box rounds to 6 decimals).
SAME_PLACE_M = 0.05
STATUS_ACTIONS = {"suspend": "suspended", "reopen": "operating", "close": "closed"}
# The lifecycle action that brings a venue to a status, and the event each action records.
ACTION_TO = {status: action for action, status in STATUS_ACTIONS.items()}
EVENT_OF = {"suspend": "suspended", "reopen": "reopened", "close": "closed"}
ADDRESS_PARTS = ("house_no", "street", "address_commune")
LICENCE_FIELDS = ("kind", "number", "issued_on", "expires_on", "issuer")
_SECTORS = "venues.sector_ids"
EDITABLE = (
    "name",
    "address",
    "house_no",
    "street",
    "address_commune",
    "registration_no",
    "security_cert_no",
    "security_cert_on",
    "owner_name",
    "owner_phone",
    "capacity",
    "opened_on",
    "notes",
)


def lat_lon(venue: Venue) -> tuple[float, float]:
    """The venue's (latitude, longitude)."""
    geom = to_shape(venue.location)
    return geom.y, geom.x


def sector_id(code: str) -> int:
    """The id of the sector with this code, or Invalid (sectors are read once per session)."""
    session = db.session()
    ids = session.info.get(_SECTORS) or {}
    if code not in ids:
        rows = db.session.execute(select(Sector.code, Sector.id))
        ids = session.info[_SECTORS] = {row.code: row.id for row in rows}
    if code not in ids:
        raise Invalid(_("Unknown sector %(code)s.", code=code), field="sector")
    return ids[code]


def get_venue(venue_id: int, scope: Scope) -> Venue:
    """The venue, or NotFound when it does not exist or lies outside the scope."""
    venue = db.session.get(Venue, venue_id)
    message = _("This venue does not exist or is outside your area.")
    if venue is None:
        raise NotFound(message)
    if not scope.allows_venue(venue):
        raise OutsideScope(message, object_type="venue", object_id=venue_id)
    return venue


def written_address(data: dict) -> str | None:
    """The one-line address data gives, else the one its parts compose."""
    return data.get("address") or compose_address(*(data.get(k) for k in ADDRESS_PARTS))


def commune_mismatch(venue: Venue) -> bool | None:
    """True when the address names another commune than the location's, under either map's
    name of the unit (the former commune or today's unit); None: unknown."""
    if venue.commune is None:
        return None
    written = written_commune(venue.address_commune, venue.address)
    today_name = venue.commune_2025.name if venue.commune_2025 is not None else None
    agree = names_unit(written, venue.commune.name, today_name)
    return None if agree is None else not agree


def _locate_into(venue: Venue, latitude: float, longitude: float, scope: Scope) -> None:
    """Set location, district and commune; refuse points outside the province or the scope."""
    where = locate(latitude, longitude)
    today_unit = where.unit if where.unit is not None and where.unit.valid_to is None else None
    probe = Venue(
        district_id=where.district.id,
        commune_id=where.commune.id if where.commune else None,
        commune_2025_id=today_unit.id if today_unit else None,  # kept on flush (areas)
    )
    if not scope.allows_venue(probe):
        raise Invalid(
            _(
                "This location is in %(place)s, outside your area.",
                place=(where.commune.name + ", " if where.commune else "") + where.district.name,
            ),
            field="location",
        )
    venue.location = point(latitude, longitude)
    venue.district_id = where.district.id
    venue.commune_id = where.commune.id if where.commune else None


def check_dates(venue: Venue) -> None:
    """The date rules every entry point shares (form, API, import)."""
    now = today()
    if venue.opened_on and venue.opened_on > now:
        raise Invalid(_("The opening date is in the future."), field="opened_on")
    if venue.security_cert_on and venue.security_cert_on > now:
        raise Invalid(_("The certificate date is in the future."), field="security_cert_on")
    if venue.closed_on:
        if venue.status != "closed":
            raise Invalid(
                _("A closing date is given but the status is not closed."), field="closed_on"
            )
        if venue.closed_on > now:
            raise Invalid(_("The closing date is in the future."), field="closed_on")
        if venue.opened_on and venue.closed_on < venue.opened_on:
            raise Invalid(
                _(
                    "Closed on %(closed)s, before it opened on %(opened)s.",
                    closed=venue.closed_on.strftime("%d/%m/%Y"),
                    opened=venue.opened_on.strftime("%d/%m/%Y"),
                ),
                field="closed_on",
            )
    elif venue.status == "closed":
        raise Invalid(_("A closed venue needs its closing date."), field="closed_on")


def _values(data: dict) -> dict:
    """The editable columns from loaded data, with the address composed from its parts."""
    values = {k: data[k] for k in EDITABLE if k in data}
    parts = [data.get(k) for k in ADDRESS_PARTS]
    if not data.get("address") and any(parts):
        values["address"] = compose_address(*parts)
    return values


def _new_venue(data: dict, scope: Scope, *, locate: bool) -> Venue:
    """A new venue from VenueIn data, by the rules every entry point shares (not yet added);
    without locate its areas are left to assign_areas()."""
    venue = Venue(
        sector_id=sector_id(data["sector"]),
        status=data.get("status") or "operating",
        closed_on=data.get("closed_on"),
        **_values(data),
    )
    if locate:
        _locate_into(venue, data["latitude"], data["longitude"], scope)
    else:
        venue.location = point(data["latitude"], data["longitude"])
    check_dates(venue)
    return venue


@transactional
def create_venue(data: dict, *, scope: Scope, user=None) -> Venue:
    """A new venue from VenueIn data; district and commune follow from its location."""
    venue = _new_venue(data, scope, locate=True)
    db.session.add(venue)
    db.session.flush()
    if data.get("licences"):
        _set_licences(venue, data["licences"])
    set_todays_addresses([venue.id])  # its unit on today's map is placed at the flush
    return venue


def _change(venue: Venue, data: dict, *, scope: Scope, user, reason=None, locate=True) -> None:
    """Apply what data holds to the venue by the rules every entry point shares; reason (an
    import names its file) explains the status change and the move, which is then recorded
    at any distance; without locate a new location's areas are left to assign_areas()."""
    if venue.merged_into_id:
        raise Conflict(
            _("This venue was merged into #%(id)s; change that one.", id=venue.merged_into_id)
        )
    # looked up before anything changes: a query halfway would flush half the change
    new_sector = sector_id(data["sector"]) if "sector" in data else None
    for key, value in _values(data).items():
        setattr(venue, key, value)
    if new_sector is not None:
        venue.sector_id = new_sector
    if "latitude" in data or "longitude" in data:
        old_lat, old_lon = lat_lon(venue)
        lat, lon = data.get("latitude", old_lat), data.get("longitude", old_lon)
        moved = distance_m(old_lat, old_lon, lat, lon)
        if moved > SAME_PLACE_M:
            if locate:
                _locate_into(venue, lat, lon, scope)
            else:
                venue.location = point(lat, lon)
        if moved > MOVE_THRESHOLD_M or (reason and moved > SAME_PLACE_M):
            why = reason or _(
                "Location changed by %(m)s m: %(old)s → %(new)s",
                m=round(moved),
                old=format_point(old_lat, old_lon),
                new=format_point(lat, lon),
            )
            _event(venue, "moved", today(), why, user)
    new_status = data.get("status")
    if new_status and new_status != venue.status:
        action, on = transition(new_status, data.get("closed_on"))
        change_status(venue, action, on, data.get("status_reason") or reason, user=user)
    elif "closed_on" in data and venue.status == "closed":
        venue.closed_on = data["closed_on"]
    elif data.get("closed_on"):
        venue.closed_on = data["closed_on"]  # refused by check_dates below, with the reason
    check_dates(venue)
    if "licences" in data:
        _set_licences(venue, data["licences"])


@transactional
def update_venue(venue: Venue, data: dict, *, scope: Scope, user=None) -> Venue:
    """Change what data holds (PATCH semantics); a new location re-derives the areas and
    keeps the same identity; a new status goes through the lifecycle rules."""
    _change(venue, data, scope=scope, user=user)
    db.session.flush()
    set_todays_addresses([venue.id])
    return venue


@dataclass
class BatchRow:
    """One venue of a batch: its VenueIn data, the venue it changes (None: a new one), and
    one licence to add (kept as it is when the venue has it already)."""

    data: dict
    venue: Venue | None = None
    licence: dict | None = None


class OutsideAreas(Invalid):
    """Venues of a batch located outside the province or the scope: nothing was written."""

    def __init__(self, rows: dict[int, str]):
        super().__init__(_("The location is outside your area."), field="location")
        self.rows = rows  # index in the batch -> why


@transactional
def write_batch(rows: list[BatchRow], *, scope: Scope, user=None, reason: Said | None = None):
    """Create and change many venues by the rules of create_venue and update_venue (the
    import), with one flush, then the areas of every new location in a few statements.

    New venues are set on their rows; their licences are part of the new record (the
    caller's own audit event names where they come from). Raises OutsideAreas naming the
    rows whose location is outside the province or the scope.
    """
    placed: dict[int, Venue] = {}  # row index -> venue, for new locations
    why = reason.translated() if reason else None  # the venues' events, in words
    with changes_from(reason):  # each venue's own history says where its change came from
        for i, row in enumerate(rows):
            if row.venue is None:
                row.venue = _new_venue(row.data, scope, locate=False)
                row.venue.licences = _licence_rows([row.licence] if row.licence else [])
                db.session.add(row.venue)
                placed[i] = row.venue
                continue
            _change(row.venue, row.data, scope=scope, user=user, reason=why, locate=False)
            if "latitude" in row.data:
                placed[i] = row.venue
            if row.licence:
                _add_licence(row.venue, row.licence)
        db.session.flush()
    outside = _assign_areas([venue.id for venue in placed.values()], scope)
    found = {i: outside[venue.id] for i, venue in placed.items() if venue.id in outside}
    if found:
        raise OutsideAreas(found)
    set_todays_addresses([row.venue.id for row in rows if row.venue is not None])


def _assign_areas(venue_ids: list[int], scope: Scope) -> dict[int, str]:
    """District and commune of these venues from their locations, in a few statements;
    returns venue id -> why, for those outside the province or the scope."""
    for chunk in chunks(venue_ids, 900):
        assign_venue_areas(chunk)
    outside: dict[int, str] = {}
    for chunk in chunks(venue_ids, 900):
        for row in db.session.execute(
            select(
                Venue.id,
                func.ST_Y(Venue.location).label("latitude"),
                func.ST_X(Venue.location).label("longitude"),
                Venue.district_id,
                Venue.commune_id,
                Venue.commune_2025_id,
            ).where(Venue.id.in_(chunk))
        ):
            if row.district_id is None:
                try:
                    locate(row.latitude, row.longitude)
                    outside[row.id] = _("The location is outside the province.")
                except Invalid as exc:
                    outside[row.id] = exc.message
            elif not scope.allows_venue(
                SimpleNamespace(
                    district_id=row.district_id,
                    commune_id=row.commune_id,
                    commune_2025_id=row.commune_2025_id,
                )
            ):
                outside[row.id] = _("The location is outside your area.")
    return outside


def chunks(values: list, size: int = 500) -> Iterator[list]:
    """values in lists of at most size (SQL IN lists stay below the databases' limits)."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _licence_key(lic) -> tuple:
    get = lic.get if isinstance(lic, dict) else lambda k: getattr(lic, k)
    return tuple(get(k) for k in LICENCE_FIELDS)


def _licence_dict(lic: VenueLicence) -> dict:
    return {k: getattr(lic, k) for k in LICENCE_FIELDS}


def _licence_rows(licences: list[dict]) -> list[VenueLicence]:
    for lic in licences:
        if lic["kind"] not in LICENCE_KINDS:
            raise Invalid(_("Unknown licence kind %(k)s.", k=lic["kind"]), field="licences")
    return [VenueLicence(**lic) for lic in licences]


def _set_licences(venue: Venue, licences: list[dict]) -> bool:
    """Replace the venue's licences, written to its audit trail (a step of the services
    here, inside their unit of work)."""
    rows = _licence_rows(licences)
    before = sorted(_licence_key(lic) for lic in venue.licences)
    after = sorted(_licence_key(lic) for lic in licences)
    if before == after:
        return False
    old_text = [lic.describe() for lic in venue.licences]
    venue.licences = rows
    db.session.flush()
    record(
        "update",
        venue,
        summary=said("Licences changed"),
        changes={"licences": [old_text or None, [lic.describe() for lic in venue.licences]]},
    )
    return True


def _add_licence(venue: Venue, lic: dict) -> bool:
    """Add one licence unless the venue has it already (same kind and number): the import."""
    for existing in venue.licences:
        if (existing.kind, existing.number) == (lic["kind"], lic["number"]):
            changed = False
            for key in ("issued_on", "expires_on", "issuer"):
                if lic.get(key) and getattr(existing, key) != lic[key]:
                    changed = True
            if not changed:
                return False
            merged = [
                {
                    **_licence_dict(e),
                    **({k: v for k, v in lic.items() if v} if e is existing else {}),
                }
                for e in venue.licences
            ]
            return _set_licences(venue, merged)
    return _set_licences(venue, [*map(_licence_dict, venue.licences), lic])


# ---------------------------------------------------------------- lifecycle


def _event(venue, kind, on, reason=None, user=None, other=None) -> VenueEvent:
    ev = VenueEvent(
        venue_id=venue.id,
        kind=kind,
        on=on,
        reason=(reason or None) and reason[:500],
        other_venue_id=other.id if other else None,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(ev)
    return ev


def check_status_change(venue: Venue, action: str, on: date, reason: str | None) -> None:
    """Raise when the status change is not allowed (shared by the pages, API and import)."""
    if venue.merged_into_id:
        raise Conflict(_("This venue was merged into another one."))
    if action not in STATUS_ACTIONS:
        raise Invalid(_("Unknown action %(a)s.", a=action), field="action")
    allowed = {
        "suspend": ("operating",),
        "close": ("operating", "suspended"),
        "reopen": ("suspended", "closed"),
    }[action]
    if venue.status not in allowed:
        raise Conflict(
            _(
                "A venue that is %(status)s cannot be %(action)s.",
                status=_status_word(venue.status),
                action=_action_word(action),
            ),
            field="action",
        )
    if on > today():
        raise Invalid(_("The date is in the future."), field="on")
    if venue.opened_on and on < venue.opened_on:
        raise Invalid(
            _(
                "The date is before the venue opened (%(d)s).",
                d=venue.opened_on.strftime("%d/%m/%Y"),
            ),
            field="on",
        )
    last = (
        db.session.scalar(
            select(func.max(VenueEvent.on)).where(
                VenueEvent.venue_id == venue.id,
                VenueEvent.kind.in_(tuple(EVENT_OF.values())),
            )
        )
        if venue.id
        else None
    )
    if last and on < last:
        raise Invalid(
            _("The date is before the last status change (%(d)s).", d=last.strftime("%d/%m/%Y")),
            field="on",
        )
    if action in ("suspend", "close") and not reason:
        raise Invalid(_("Give the reason."), field="reason")


def transition(status: str, closed_on: date | None = None) -> tuple[str, date]:
    """The lifecycle action that brings a venue to this status, and its day: the closing
    date when one is given for a closure, else today."""
    action = ACTION_TO[status]
    return action, (closed_on if action == "close" and closed_on else today())


@transactional
def change_status(venue: Venue, action: str, on: date, reason: str | None, *, user=None):
    """Suspend, reopen or close on a date with a reason; closing never deletes anything."""
    check_status_change(venue, action, on, reason)
    venue.status = STATUS_ACTIONS[action]
    venue.closed_on = on if action == "close" else None
    ev = _event(venue, EVENT_OF[action], on, reason, user)
    db.session.flush()
    return ev


def _status_word(status: str) -> str:
    return {"operating": _("operating"), "suspended": _("suspended"), "closed": _("closed")}[status]


def _action_word(action: str) -> str:
    return {"suspend": _("suspended"), "reopen": _("reopened"), "close": _("closed")}[action]


def lifecycle(venue: Venue) -> list[VenueEvent]:
    """The venue's life, newest first."""
    return list(
        db.session.scalars(
            select(VenueEvent)
            .where(VenueEvent.venue_id == venue.id)
            .order_by(VenueEvent.on.desc(), VenueEvent.id.desc())
        )
    )


# ---------------------------------------------------------------- labels


@transactional
def reissue_label(venue: Venue, *, user=None) -> int:
    """A new label version: every label printed before now says it is stale."""
    venue.label_version = (venue.label_version or 1) + 1
    _event(
        venue,
        "label",
        today(),
        _("QR label re-issued (version %(n)s)", n=venue.label_version),
        user,
    )
    db.session.flush()
    return venue.label_version


# ---------------------------------------------------------------- merge


FILL_ON_MERGE = (
    "registration_no",
    "security_cert_no",
    "security_cert_on",
    "owner_name",
    "owner_phone",
    "capacity",
    "opened_on",
    "house_no",
    "street",
    "address_commune",
    "notes",
)


@transactional
def merge_venues(duplicate: Venue, kept: Venue, *, reason: str | None, scope: Scope, user=None):
    """Fold a duplicate into the venue kept: its inspections move, its row stays (merged).

    Both histories stay readable: the duplicate keeps its own audit trail and page, which
    points at the kept venue; blanks of the kept venue are filled from the duplicate.
    """
    from ..visits.models import Inspection

    if duplicate.id == kept.id:
        raise Invalid(_("A venue cannot be merged into itself."), field="kept")
    for v in (duplicate, kept):
        if not scope.allows_venue(v):
            raise NotFound(_("This venue does not exist or is outside your area."))
        if v.merged_into_id:
            raise Conflict(_("Venue #%(id)s is already merged into another one.", id=v.id))
    moved = 0
    for inspection in db.session.scalars(
        select(Inspection).where(Inspection.venue_id == duplicate.id)
    ):
        inspection.venue_id = kept.id
        moved += 1
    for hook in MERGE_HOOKS:
        moved += hook(duplicate.id, kept.id) or 0
    filled = []
    for key in FILL_ON_MERGE:
        if getattr(kept, key) in (None, "") and getattr(duplicate, key) not in (None, ""):
            setattr(kept, key, getattr(duplicate, key))
            filled.append(key)
    have = {(lic.kind, lic.number) for lic in kept.licences}
    extra = [_licence_dict(lic) for lic in duplicate.licences if (lic.kind, lic.number) not in have]
    if extra:
        _set_licences(kept, [*map(_licence_dict, kept.licences), *extra])
    # venues merged into the duplicate earlier now point at the one kept
    db.session.execute(
        update(Venue)
        .where(Venue.merged_into_id == duplicate.id)
        .values(merged_into_id=kept.id)
        .execution_options(synchronize_session=False)
    )
    duplicate.merged_into_id = kept.id
    on = today()
    _event(duplicate, "merged_into", on, reason, user, other=kept)
    _event(kept, "merged_from", on, reason, user, other=duplicate)
    names = {"dup": duplicate.id, "dname": duplicate.name, "kept": kept.id, "kname": kept.name}
    summary = (
        said(
            "#%(dup)s %(dname)s merged into #%(kept)s %(kname)s; %(n)s inspections moved — "
            "%(reason)s",
            n=moved,
            reason=reason,
            **names,
        )
        if reason
        else said(
            "#%(dup)s %(dname)s merged into #%(kept)s %(kname)s; %(n)s inspections moved",
            n=moved,
            **names,
        )
    )
    changes = {"merged_into_id": [None, kept.id], "rows_moved": moved, "filled": filled}
    record("merge", duplicate, summary=summary, changes=changes)
    record("merge", kept, summary=summary, changes=changes)
    db.session.flush()
    return moved
