"""Pages: violations recorded at submitted inspections (a first register), the catalogue."""

from __future__ import annotations

import os

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..accounts.models import AGENCY_CODES, Agency
from ..accounts.permissions import ROLES, P, can, requires
from ..accounts.services import scope_of
from ..areas.models import Area
from ..areas.schemas import MapDay
from ..audit.services import record, said
from ..clock import today
from ..errors import InspectionsError, Invalid
from ..extensions import db
from ..forms import load_form
from ..pagination import Page
from ..text import fold
from ..venues.models import SECTOR_CODES, Sector, Venue
from ..venues.services import get_venue
from ..visits import files
from ..visits.models import Inspection
from . import followup, register, repeat, services, timeline
from .models import FOLLOWUP_KINDS, NOTE_MAX, RecordedViolation

bp = Blueprint("violations", __name__, url_prefix="/violations")


class CatalogueFilters(Schema):
    on = fields.Date(load_default=None)
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTOR_CODES))


class FollowupForm(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(FOLLOWUP_KINDS),
        error_messages={"required": _l("Choose what happened.")},
    )
    on = fields.Date(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=NOTE_MAX))
    inspection_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class PaymentForm(Schema):
    paid_on = fields.Date(required=True)
    receipt_no = fields.String(required=True, validate=validate.Length(min=1, max=60))
    amount_vnd = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000_000_000))


class NoteForm(Schema):
    # the length rule (NOTE_MAX) is the service's, so the message names the limit
    body = fields.String(required=True, validate=validate.Length(max=100_000))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), load_default=list)
    agencies = fields.List(fields.String(validate=validate.OneOf(AGENCY_CODES)), load_default=list)


class RepeatFilters(Schema):
    months = fields.Integer(load_default=None, validate=validate.Range(min=1, max=120))
    area = fields.String(load_default=None, validate=validate.Length(max=20))
    as_of = MapDay()
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTOR_CODES))


PER_PAGE = 30


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        return 1


def _options() -> dict:
    locale = str(get_locale())
    return {
        "sectors": list(db.session.scalars(select(Sector).order_by(Sector.sort_order))),
        "agencies": list(db.session.scalars(select(Agency).order_by(Agency.sort_order))),
        "offences": _offences(locale),
        "decrees": sorted({lv.decree for lv in services.catalogue()}),
        "districts": list(
            db.session.scalars(
                select(Area)
                .where(Area.level == "district", scope_of(current_user).areas(Area))
                .order_by(Area.name)
            )
        ),
        # today's communes on the former province's land (the code names them by default)
        "communes": sorted(
            db.session.scalars(
                select(Area).where(
                    Area.level == "commune",
                    Area.valid_to.is_(None),
                    Area.predecessor_links.any(),
                    scope_of(current_user).areas(Area),
                )
            ),
            key=lambda a: fold(a.name),
        ),
        "basis": services.legal_basis,
        "locale": locale,
    }


def _offences(locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue's offences by decree, each named with its code after the name."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for lv in services.catalogue():
        groups.setdefault(lv.decree, []).append((lv.code, f"{lv.title(locale)} ({lv.code})"))
    return list(groups.items())


@bp.get("")
@requires(P.VIOLATIONS_READ)
def index():
    filters, errors = load_form(register.RegisterQuery(), request.args)
    args = {k: v for k, v in request.args.items() if k != "page" and v.strip()}  # what is set
    page_no = _page_number()
    rows, totals = [], {"count": 0, "fines_vnd": 0}
    status = 200
    if filters is not None:
        try:
            totals = register.totals(current_user, filters)
            id_list = register.ids(current_user, filters, (page_no - 1) * PER_PAGE, PER_PAGE)
            rows = register.load(id_list)
        except InspectionsError as exc:
            errors = exc.messages()
    if errors:
        status = 422
    today_ = today()
    counts = repeat.repeat_counts(
        [r.venue_id for r in rows], repeat.window_start(today_, repeat.default_months())
    )
    presets = register.presets(today_)
    return render_template(
        "violations/index.html",
        page=Page(rows, page_no, PER_PAGE, totals["count"]),
        rows=rows,
        errors=errors,
        args=args,
        count=totals["count"],
        total=totals["fines_vnd"],
        repeat=counts,
        status_of=followup.status_of,
        today=today_,
        presets=presets,
        preset_on=next(
            (
                p.key
                for p in presets
                if args.get("start") == p.start.isoformat() and args.get("end") == p.end.isoformat()
            ),
            None,
        ),
        undated_args={k: v for k, v in args.items() if k not in ("start", "end")},
        **_options(),
    ), status


@bp.get("/export")
@requires(P.EXPORT)
def export():
    fmt = request.args.get("format", "xlsx")
    if fmt not in EXPORT_TYPES:
        abort(404)
    filters, errors = load_form(register.RegisterQuery(), request.args)
    if errors:
        raise Invalid(_("Some filters are not valid."), details=errors)
    body, n = register.export(current_user, filters, fmt, str(get_locale()))
    described = ", ".join(
        f"{k}={v}"
        for k, v in sorted(request.args.items())
        if k not in ("format", "page") and v.strip()
    )
    record(
        "export",
        object_type="recorded_violation",
        summary=said("%(fmt)s: %(n)s violations (%(filters)s)", fmt=fmt, n=n, filters=described)
        if described
        else said("%(fmt)s: %(n)s violations (all)", fmt=fmt, n=n),
    )
    return _download(body, EXPORT_TYPES[fmt], register.export_filename(fmt))


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    resp = Response(body, content_type=mimetype)  # CSV names its charset itself
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _detail(violation, errors=None, values=None, status=200, form=None):
    locale = str(get_locale())
    venue = db.session.get(Venue, violation.venue_id)
    later = (
        list(
            db.session.scalars(
                select(Inspection)
                .where(
                    Inspection.venue_id == venue.id,
                    Inspection.status == "submitted",
                    Inspection.inspected_on >= violation.inspected_on,
                    Inspection.id != violation.inspection_id,
                )
                .order_by(Inspection.inspected_on.desc())
                .limit(20)
            )
        )
        if violation.inspected_on
        else []
    )
    return render_template(
        "violations/detail.html",
        v=violation,
        venue=venue,
        title=violation.legal.title(locale),
        basis=services.legal_basis(violation.legal, locale),
        status=followup.status_of(violation),
        followups=followup.followups_of(violation),
        payments=followup.payments_of(violation),
        paid=followup.paid_total(violation),
        notes=followup.notes_for(current_user, violation_id=violation.id),
        later=later,
        errors=errors or {},
        values=values or {},
        form=form,
        today=today(),
        roles=ROLES,
        agency_codes=AGENCY_CODES,
        kinds=FOLLOWUP_KINDS,
        note_max=NOTE_MAX,
    ), status


@bp.get("/<int:violation_id>")
@requires(P.VIOLATIONS_READ)
def detail(violation_id: int):
    return _detail(followup.get_violation(violation_id, current_user))


def _evidence() -> list[bytes]:
    out = []
    for f in request.files.getlist("file"):
        if f and f.filename:
            f.stream.seek(0, os.SEEK_END)
            size = f.stream.tell()
            f.stream.seek(0)
            files.check_size(size)
            out.append(f.read())
    return out


def _record_on_violation(violation, form, action, done: str, anchor: str):
    """Validate a form posted on the violation page, run the action, answer like a form:
    back to the page on success, the page with the messages (422 or the refusal's status)."""
    data, errors = load_form(form, request.form)
    status = 422
    if not errors:
        try:
            action(data)
        except InspectionsError as exc:
            errors, status = exc.messages(), exc.status
        else:
            flash(done, "success")
            return redirect(url_for(".detail", violation_id=violation.id))
    return _detail(violation, errors, request.form, status, anchor)


@bp.post("/<int:violation_id>/followups")
@requires(P.FOLLOWUPS_WRITE)
def add_followup(violation_id: int):
    violation = followup.get_violation(violation_id, current_user)
    return _record_on_violation(
        violation,
        FollowupForm(),
        lambda data: followup.add_followup(current_user, violation, evidence=_evidence(), **data),
        _("Follow-up recorded."),
        "followup",
    )


@bp.post("/<int:violation_id>/payments")
@requires(P.FINES_WRITE)
def add_payment(violation_id: int):
    violation = followup.get_violation(violation_id, current_user)
    return _record_on_violation(
        violation,
        PaymentForm(),
        lambda data: followup.add_payment(current_user, violation, **data),
        _("Payment recorded."),
        "payment",
    )


@bp.post("/<int:violation_id>/notes")
@requires(P.FOLLOWUPS_WRITE)
def add_violation_note(violation_id: int):
    violation = followup.get_violation(violation_id, current_user)
    venue = db.session.get(Venue, violation.venue_id)
    assert venue is not None  # venue_id is a foreign key
    return _record_on_violation(
        violation,
        NoteForm(),
        lambda data: followup.add_note(current_user, venue, violation=violation, **data),
        _("Note added."),
        "note",
    )


@bp.post("/venue/<int:venue_id>/notes")
@requires(P.FOLLOWUPS_WRITE)
def add_venue_note(venue_id: int):
    venue = get_venue(venue_id, scope_of(current_user))
    data, errors = load_form(NoteForm(), request.form)
    if data is not None:
        try:
            followup.add_note(current_user, venue, **data)
        except InspectionsError as exc:
            errors = exc.messages()
    if errors:
        for messages in errors.values():
            for message in messages if isinstance(messages, list) else [messages]:
                flash(str(message), "danger")
        return redirect(url_for("venues.detail", venue_id=venue.id) + "#timeline"), 303
    flash(_("Note added."), "success")
    return redirect(url_for("venues.detail", venue_id=venue.id) + "#timeline")


@bp.get("/evidence/<int:file_id>")
@requires(P.VIOLATIONS_READ)
def evidence(file_id: int):
    item = followup.get_file(file_id, current_user)
    if request.args.get("thumb"):
        data, mimetype = files.thumbnail(item.stored_name, item.sha256), "image/jpeg"
    else:
        data, mimetype = files.upright(item.stored_name, item.sha256), item.content_type
    if data is None:
        abort(404)
    resp = Response(data, mimetype=mimetype)
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp


@bp.get("/overdue")
@requires(P.VIOLATIONS_READ)
def overdue():
    today_ = today()
    by_commune = followup.overdue_by_commune(current_user, today_)
    ids = [row.area_id for row in by_commune if row.area_id]
    found = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))}
    areas = sorted(
        (
            {
                "name": found[row.area_id].name
                if row.area_id in found
                else _("outside every area"),
                "code": found[row.area_id].code if row.area_id in found else None,
                "n": row.n,
            }
            for row in by_commune
        ),
        key=lambda a: (-a["n"], a["name"]),
    )
    args = {"remedy": "overdue", "sort": "oldest"}
    if request.args.get("area"):
        args["area"] = request.args["area"]
    filters, errors = load_form(register.RegisterQuery(), args)
    try:
        id_list = register.ids(current_user, filters, 0, 200) if filters else []
    except InspectionsError as exc:
        id_list, errors = [], exc.messages()
    return render_template(
        "violations/overdue.html",
        status_of=followup.status_of,
        areas=areas,
        total=sum(a["n"] for a in areas),
        rows=register.load(id_list),
        args=args,
        errors=errors,
        today=today_,
        **_options(),
    ), 422 if errors else 200


@bp.get("/repeat")
@requires(P.VIOLATIONS_READ)
def repeat_offenders():
    filters, errors = load_form(RepeatFilters(), request.args)
    filters = filters or {}
    months = filters.get("months") or repeat.default_months()
    today_ = today()
    start = repeat.window_start(today_, months)
    page_no = _page_number()
    rows, total = [], 0
    if not errors:
        try:
            where = register.venue_clauses(
                current_user, filters.get("area"), filters.get("sector"), filters.get("as_of")
            )
            rows, total = repeat.offenders_page(start, where, page_no, PER_PAGE)
        except InspectionsError as exc:
            errors = exc.messages()
    venues = {
        v.id: v
        for v in db.session.scalars(select(Venue).where(Venue.id.in_([r.venue_id for r in rows])))
    }
    return render_template(
        "violations/repeat.html",
        rows=[(venues[r.venue_id], r) for r in rows if r.venue_id in venues],
        page=Page(rows, page_no, PER_PAGE, total),
        months=months,
        start=start,
        args={k: v for k, v in request.args.items() if k != "page"},
        errors=errors,
        **_options(),
    ), 422 if errors else 200


@bp.get("/venue/<int:venue_id>/timeline")
@requires(P.VIOLATIONS_READ)
def venue_timeline(venue_id: int):
    venue = get_venue(venue_id, scope_of(current_user))
    entries, more = timeline.timeline(
        venue, current_user, str(get_locale()), limit=timeline.FULL_LIMIT
    )
    return render_template("violations/timeline.html", venue=venue, entries=entries, more=more)


@bp.get("/catalogue")
@requires(P.VIOLATIONS_READ)
def catalogue():
    filters, errors = load_form(CatalogueFilters(), request.args)
    filters = filters or {}
    entries = services.catalogue(filters.get("on"), filters.get("sector"))
    return render_template(
        "violations/catalogue.html",
        entries=entries,
        filters=filters,
        errors=errors,
        sectors=list(db.session.scalars(select(Sector).order_by(Sector.sort_order))),
        basis=services.legal_basis,
        locale=str(get_locale()),
        today=today(),
    )


def venue_violations(venue) -> list[dict]:
    """The venue's current violations from submitted inspections, newest first (for the
    venue page panel)."""
    if not (can(P.VIOLATIONS_READ) and scope_of(current_user).allows_venue(venue)):
        return []
    rows = db.session.execute(
        select(RecordedViolation, Inspection)
        .join(Inspection, Inspection.id == RecordedViolation.inspection_id)
        .where(
            RecordedViolation.venue_id == venue.id,
            RecordedViolation.superseded_by_id.is_(None),
            Inspection.status == "submitted",
        )
        .order_by(Inspection.inspected_on.desc(), RecordedViolation.sort_order)
        .limit(100)
    ).all()
    locale, on = str(get_locale()), today()
    return [
        {
            "violation": row.RecordedViolation,
            "inspection": row.Inspection,
            "title": row.RecordedViolation.legal.title(locale),
            "basis": services.legal_basis(row.RecordedViolation.legal, locale),
            "remedy_status": followup.status_of(row.RecordedViolation, on),
        }
        for row in rows
    ]


def venue_history(venue) -> dict:
    """What the venue page's violations panel shows besides the current violations: the
    repeat-offender flag and the timeline (empty without the permission or outside the area)."""
    if not (can(P.VIOLATIONS_READ) and scope_of(current_user).allows_venue(venue)):
        return {"allowed": False, "repeat": None, "entries": [], "more": False}
    today_ = today()
    months = repeat.default_months()
    counts = repeat.repeat_counts([venue.id], repeat.window_start(today_, months))
    entries, more = timeline.timeline(venue, current_user, str(get_locale()))
    return {
        "allowed": True,
        "repeat": counts.get(venue.id),
        "months": months,
        "entries": entries,
        "more": more,
        "roles": ROLES,
        "agency_codes": AGENCY_CODES,
        "note_max": NOTE_MAX,
    }


FOLLOWUP_LABELS = {
    "remedied": _l("Remedied"),
    "escalated": _l("Escalated"),
    "reinspected": _l("Re-inspected"),
    "reopened": _l("Remedy open again"),
}


def agency_label(code: str) -> str:
    """An agency's name by code (the few agencies read once per request)."""
    names = g.get("agency_names")
    if names is None:
        locale = str(get_locale())
        names = g.agency_names = {
            a.code: a.name(locale) for a in db.session.scalars(select(Agency))
        }
    return names.get(code, code)


@bp.app_context_processor
def _panel_helpers():
    return {
        "venue_violations": venue_violations,
        "venue_history": venue_history,
        "followup_label": lambda k: FOLLOWUP_LABELS.get(k, k),
        "agency_label": agency_label,
        "repeat_lookup": repeat_lookup,
    }


def repeat_lookup(rows) -> dict:
    """{venue id: (count, last day)} of the repeat offenders among a list page's rows."""
    if not can(P.VIOLATIONS_READ):
        return {}
    start = repeat.window_start(today(), repeat.default_months())
    return repeat.repeat_counts([r.venue.id for r in rows], start)
