"""Registry pages: list, near me, venue page, forms, lifecycle, labels, import, export,
duplicates, and the QR entry point /q/<token>."""

from __future__ import annotations

import os

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import load_only
from werkzeug.exceptions import RequestEntityTooLarge

from .. import clock, spreadsheets
from ..accounts.permissions import P, requires
from ..accounts.services import scope_of
from ..areas.models import Area
from ..audit.services import history, record
from ..errors import InspectionsError, NotFound
from ..extensions import db
from ..forms import form_dict
from ..visits.models import Inspection
from . import duplicates as dup
from . import exporting, qr, queries, services, stash
from .cli import register_commands
from .geo import format_point
from .importing.columns import COLUMNS
from .importing.files import FileRejected, read_table
from .importing.write import ImportReport, rejected_rows, run_import
from .models import LICENCE_KINDS, Sector, Venue
from .schemas import LifecycleForm, VenueForm, VenueQuery

bp = Blueprint("venues", __name__, cli_group="venues")
register_commands(bp.cli)
PER_PAGE = 25
NEAR_LIMIT = 30
MAX_LABELS = 500

LICENCE_FIELDS = ("kind", "number", "issued_on", "expires_on", "issuer")


# ---------------------------------------------------------------- words the pages show

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


@bp.app_template_global()
def licence_label(kind: str) -> str:
    """The name of a licence kind."""
    return str(LICENCE_LABELS.get(kind, kind))


@bp.app_template_global()
def event_label(kind: str) -> str:
    """The name of a lifecycle event."""
    return str(EVENT_LABELS.get(kind, kind))


@bp.app_template_global()
@bp.app_template_filter("field_label")
def field_label(name: str) -> str:
    """The name of a venue field (import reports)."""
    return str(FIELD_LABELS.get(name, name))


@bp.app_template_global()
def local_today():
    """Today in the province (templates compare licence expiries with it)."""
    return clock.today()


@bp.app_template_global()
def dup_reason(reason: str) -> str:
    """Why two venues may be one."""
    return str(DUP_REASONS.get(reason, reason))


# ---------------------------------------------------------------- helpers


def _scope():
    return scope_of(current_user)


def _filters() -> tuple[dict, dict, dict]:
    """(loaded filters, errors, raw values for the form) from the query string."""
    raw = {k: v for k, v in request.args.items() if v.strip() and k != "page"}
    try:
        args = VenueQuery().load(request.args)
        errors = {}
    except ValidationError as exc:
        errors = exc.messages
        cleaned = request.args.copy()
        for key in errors:
            cleaned.poplist(key)
        args = VenueQuery().load(cleaned)
    return args, errors, raw


def _choices() -> dict:
    """Sectors and the areas inside the user's scope, for filters and forms."""
    scope = _scope()
    sectors = list(db.session.scalars(select(Sector).order_by(Sector.sort_order)))
    areas = list(
        db.session.scalars(
            select(Area)
            .options(load_only(Area.id, Area.code, Area.name, Area.level, Area.parent_id))
            .where(Area.level.in_(("district", "commune")), scope.areas(Area))
            .order_by(Area.code)
        )
    )
    tops = [a for a in areas if a.level == "district"] or areas
    groups = [(d, [a for a in areas if a.parent_id == d.id]) for d in tops]
    return {"sectors": sectors, "area_groups": groups, "licence_kinds": LICENCE_KINDS}


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _map_config() -> dict:
    return {
        "tiles": current_app.config.get("TILE_URL") or "",
        "attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
        "boundaries": url_for("areas_api.boundaries", level="district"),
        "communes": url_for("areas_api.boundaries", level="commune"),
    }


# ---------------------------------------------------------------- list and near me


@bp.get("/venues")
@requires(P.VENUES_READ)
def index():
    args, errors, raw = _filters()
    page_no = max(1, request.args.get("page", 1, type=int) or 1)
    try:
        page = queries.page_of(args, _scope(), clock.today(), page_no, PER_PAGE)
    except NotFound as exc:
        errors = {**errors, "area": [exc.message]}
        args.pop("area", None)
        raw.pop("area", None)
        page = queries.page_of(args, _scope(), clock.today(), page_no, PER_PAGE)
    since, until = queries.period(args, clock.today())
    return render_template(
        "venues/index.html",
        page=page,
        args=args,
        raw=raw,
        errors=errors,
        period=(since, until),
        query_string=request.query_string.decode(),
        **_choices(),
    ), (422 if errors else 200)


@bp.get("/venues/near")
@requires(P.VENUES_READ)
def near():
    errors, rows, here = {}, [], None
    raw = {k: v for k, v in request.args.items() if v.strip()}
    text = raw.get("at") or (f"{raw['lat']}, {raw['lon']}" if "lat" in raw and "lon" in raw else "")
    if text:
        try:
            args = VenueQuery().load(
                {
                    "near": text,
                    **({"sector": raw["sector"]} if raw.get("sector") else {}),
                    "status": "open",
                }
            )
        except ValidationError as exc:
            errors = {"at": exc.messages.get("near", exc.messages.get("sector", ["?"]))}
        else:
            here = args["near"]
            rows = queries.first(args, _scope(), clock.today(), NEAR_LIMIT)
    accuracy = request.args.get("acc", type=float)
    return render_template(
        "venues/near.html",
        rows=rows,
        venues_json=[[r.latitude, r.longitude, r.venue.name] for r in rows],
        here=here,
        here_text=format_point(*here) if here else raw.get("at", ""),
        accuracy=accuracy,
        errors=errors,
        sector=raw.get("sector", ""),
        sectors=list(db.session.scalars(select(Sector).order_by(Sector.sort_order))),
        map_config=_map_config(),
    ), (422 if errors else 200)


# ---------------------------------------------------------------- the venue page


@bp.get("/venues/<int:venue_id>")
@requires(P.VENUES_READ)
def detail(venue_id: int):
    venue = services.get_venue(venue_id, _scope())
    lat, lon = services.lat_lon(venue)
    merged_from = list(
        db.session.scalars(select(Venue).where(Venue.merged_into_id == venue.id).order_by(Venue.id))
    )
    # the nearest other venues give the small map landmarks, with or without a base map
    neighbours = [
        [r.latitude, r.longitude, r.venue.name]
        for r in queries.first({"near": (lat, lon)}, _scope(), clock.today(), 16)
        if r.venue.id != venue.id and (r.distance_m or 0) < 1500
    ]
    return render_template(
        "venues/detail.html",
        venue=venue,
        lat=lat,
        lon=lon,
        last_inspected_on=venue.last_submitted_on,
        mismatch=services.commune_mismatch(venue),
        merged_from=merged_from,
        neighbours=neighbours,
        events=history("venue", venue.id),
        lifecycle=services.lifecycle(venue),
        today=clock.today(),
        map_config=_map_config(),
    )


@bp.get("/q/<token>")
@requires(P.VENUES_READ)
def by_qr(token: str):
    """What a scanned label opens: the venue page, or why the label is not to be trusted."""
    try:
        venue = qr.venue_from_token(token)
    except qr.LabelStale as exc:
        record("denied", exc.venue, summary=f"stale QR label: {exc.message}"[:500])
        target = exc.target if exc.target and _scope().allows_venue(exc.target) else None
        return render_template(
            "venues/label_problem.html", kind="stale", message=exc.message, target=target
        ), 410
    except qr.LabelInvalid as exc:
        record("denied", summary=f"invalid QR label {token[:60]!r}")
        return render_template(
            "venues/label_problem.html", kind="invalid", message=exc.message, target=None
        ), 404
    services.get_venue(venue.id, _scope())  # outside the user's area: 404 like the page
    if venue.status == "closed":
        flash(
            _(
                "This venue is recorded as closed since %(d)s. If it is operating, record it.",
                d=venue.closed_on.strftime("%d/%m/%Y") if venue.closed_on else "?",
            ),
            "warning",
        )
    return redirect(url_for("venues.detail", venue_id=venue.id, scanned=1))


@bp.get("/venues/<int:venue_id>/qr.png")
@requires(P.VENUES_READ)
def qr_png(venue_id: int):
    venue = services.get_venue(venue_id, _scope())
    url = url_for("venues.by_qr", token=qr.venue_token(venue.id), _external=True)
    resp = Response(qr.qr_png(url, 8), mimetype="image/png")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# ---------------------------------------------------------------- create and edit


def _form_values(venue: Venue | None) -> dict:
    if venue is None:
        return {"status": "operating"}
    lat, lon = services.lat_lon(venue)
    values = {k: getattr(venue, k) for k in services.EDITABLE}
    values.update(
        sector=venue.sector.code,
        coordinates=format_point(lat, lon),
        security_cert_on=venue.security_cert_on.strftime("%d/%m/%Y")
        if venue.security_cert_on
        else "",
        opened_on=venue.opened_on.strftime("%d/%m/%Y") if venue.opened_on else "",
    )
    values["licences"] = [
        {
            "kind": lic.kind,
            "number": lic.number,
            "issued_on": lic.issued_on.strftime("%d/%m/%Y") if lic.issued_on else "",
            "expires_on": lic.expires_on.strftime("%d/%m/%Y") if lic.expires_on else "",
            "issuer": lic.issuer or "",
        }
        for lic in venue.licences
    ]
    return values


def _read_form() -> tuple[dict | None, dict, dict]:
    """(data, errors, values to re-show) from the posted venue form."""
    form = request.form
    schema = VenueForm()
    raw = form_dict(schema, form)
    lists = {f: form.getlist(f"licence_{f}") for f in LICENCE_FIELDS}
    licences = []
    for i in range(max((len(v) for v in lists.values()), default=0)):
        row = {f: (lists[f][i] if i < len(lists[f]) else "").strip() for f in LICENCE_FIELDS}
        if row["number"] or row["issued_on"] or row["expires_on"]:
            licences.append(row)
    raw["licences"] = licences
    raw.pop("status", None)  # status changes go through the lifecycle forms
    values = {**form.to_dict(), "licences": licences}
    try:
        return schema.load(raw), {}, values
    except ValidationError as exc:
        return None, exc.messages, values


@bp.route("/venues/new", methods=["GET", "POST"])
@requires(P.VENUES_WRITE)
def new():
    errors, values, status = {}, _form_values(None), 200
    if request.method == "POST":
        data, errors, values = _read_form()
        if data:
            try:
                venue = services.create_venue(data, scope=_scope(), user=current_user)
            except InspectionsError as exc:
                errors = _field_errors(exc)
            else:
                flash(_("Venue %(name)s registered.", name=venue.name), "success")
                return redirect(url_for("venues.detail", venue_id=venue.id))
        status = 422
    return render_template(
        "venues/form.html",
        venue=None,
        values=values,
        errors=errors,
        map_config=_map_config(),
        **_choices(),
    ), status


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@requires(P.VENUES_WRITE)
def edit(venue_id: int):
    venue = services.get_venue(venue_id, _scope())
    if venue.merged_into_id:
        flash(_("This record was merged; edit the venue it was merged into."), "warning")
        return redirect(url_for("venues.detail", venue_id=venue.merged_into_id))
    errors, values, status = {}, _form_values(venue), 200
    if request.method == "POST":
        data, errors, values = _read_form()
        if data:
            data.setdefault("licences", [])
            for key in services.EDITABLE:
                data.setdefault(key, None)  # an emptied box clears the field
            built = services.compose_address(venue.house_no, venue.street, venue.address_commune)
            if data["address"] and data["address"] == built:
                data["address"] = None  # it was built from the parts: build it again
            data["name"] = data["name"] or venue.name
            try:
                services.update_venue(venue, data, scope=_scope(), user=current_user)
            except InspectionsError as exc:
                errors = _field_errors(exc)
                venue = services.get_venue(venue_id, _scope())
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for("venues.detail", venue_id=venue.id))
        status = 422
    return render_template(
        "venues/form.html",
        venue=venue,
        values=values,
        errors=errors,
        map_config=_map_config(),
        **_choices(),
    ), status


def _field_errors(exc: InspectionsError) -> dict:
    messages = exc.messages()
    if "location" in messages:  # the form's box is called coordinates
        messages["coordinates"] = messages.pop("location")
    return messages


# ---------------------------------------------------------------- lifecycle and labels


@bp.post("/venues/<int:venue_id>/lifecycle")
@requires(P.VENUES_WRITE)
def lifecycle(venue_id: int):
    venue = services.get_venue(venue_id, _scope())
    try:
        data = LifecycleForm().load(form_dict(LifecycleForm(), request.form))
        services.change_status(
            venue, data["action"], data["on"], data.get("reason"), user=current_user
        )
    except ValidationError as exc:
        flash(_messages(exc.messages), "danger")
        return redirect(url_for("venues.detail", venue_id=venue_id, _anchor="status"))
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("venues.detail", venue_id=venue_id, _anchor="status"))
    flash(_("Status changed."), "success")
    return redirect(url_for("venues.detail", venue_id=venue_id))


def _messages(messages: dict) -> str:
    labels = {"action": _("Action"), "on": _("Date"), "reason": _("Reason")}
    return "; ".join(
        f"{labels.get(k, k)}: {' '.join(map(str, v if isinstance(v, list) else [v]))}"
        for k, v in messages.items()
    )


@bp.post("/venues/<int:venue_id>/label")
@requires(P.VENUES_WRITE)
def reissue_label(venue_id: int):
    venue = services.get_venue(venue_id, _scope())
    if venue.merged_into_id:
        abort(409)
    version = services.reissue_label(venue, user=current_user)
    flash(
        _(
            "A new label (version %(n)s) was issued; earlier labels now say they are stale.",
            n=version,
        ),
        "success",
    )
    return redirect(url_for("venues.detail", venue_id=venue.id, _anchor="label"))


def _label_selection() -> tuple[list, dict, dict]:
    args, errors, raw = _filters()
    ids = list(
        db.session.scalars(queries.id_select(args, _scope(), clock.today()).limit(MAX_LABELS + 1))
    )
    return ids, raw, errors


def _labels_for(ids: list[int]) -> list[qr.Label]:
    from flask_babel import get_locale

    locale = str(get_locale())
    venues = {v.id: v for v in db.session.scalars(select(Venue).where(Venue.id.in_(ids)))}
    out = []
    for vid in ids:
        v = venues[vid]
        out.append(
            qr.Label(
                url=url_for("venues.by_qr", token=qr.venue_token(v.id), _external=True),
                name=v.name,
                sector=v.sector.name(locale),
                address=v.address or "",
                footer=_("#%(id)s · scan to open the venue's record", id=v.id),
            )
        )
    return out


@bp.get("/venues/labels")
@requires(P.VENUES_WRITE)
def labels():
    ids, raw, _errors = _label_selection()
    return render_template(
        "venues/labels.html",
        count=len(ids[:MAX_LABELS]),
        too_many=len(ids) > MAX_LABELS,
        limit=MAX_LABELS,
        pages=qr.page_count(len(ids[:MAX_LABELS])),
        query_string=request.query_string.decode(),
        raw=raw,
    )


@bp.get("/venues/labels.pdf")
@requires(P.VENUES_WRITE)
def labels_pdf():
    ids, _raw, _errors = _label_selection()
    if not ids:
        abort(404)
    ids = ids[:MAX_LABELS]
    body = qr.label_sheet_pdf(_labels_for(ids), title=_("QR labels"))
    record("export", object_type="venue", summary=f"QR labels PDF: {len(ids)} venues")
    return _download(body, "application/pdf", f"qr-labels-{clock.now():%Y%m%d}.pdf")


@bp.get("/venues/labels.png")
@requires(P.VENUES_WRITE)
def labels_png():
    ids, _raw, _errors = _label_selection()
    if not ids:
        abort(404)
    ids = ids[:MAX_LABELS]
    sheet = max(1, request.args.get("sheet", 1, type=int) or 1)
    if sheet > qr.page_count(len(ids)):
        abort(404)
    if request.args.get("preview"):  # the page's own preview: shown, not downloaded
        body = qr.label_sheet_png(_labels_for(ids), page=sheet, dpi=90)
        resp = Response(body, mimetype="image/png")
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    body = qr.label_sheet_png(_labels_for(ids), page=sheet)
    record("export", object_type="venue", summary=f"QR labels PNG page {sheet}: {len(ids)} venues")
    return _download(body, "image/png", f"qr-labels-{clock.now():%Y%m%d}-{sheet}.png")


# ---------------------------------------------------------------- export

EXPORTS = {
    "xlsx": (
        exporting.as_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (exporting.as_csv, "text/csv; charset=utf-8"),
    "geojson": (exporting.as_geojson, "application/geo+json"),
}


@bp.get("/venues/export.<fmt>")
@requires(P.EXPORT)
def export(fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    args, errors, raw = _filters()
    if errors:
        abort(422)
    make, mimetype = EXPORTS[fmt]
    body, n = make(args, _scope(), clock.today())
    described = ", ".join(f"{k}={v}" for k, v in sorted(raw.items())) or "all"
    record("export", object_type="venue", summary=f"{fmt}: {n} venues ({described})"[:500])
    return _download(body, mimetype, f"venues-{clock.now():%Y%m%d-%H%M}.{fmt}")


# ---------------------------------------------------------------- import


class _TooLarge(FileRejected):
    status = 413


def _read_upload(file) -> bytes:
    """The uploaded bytes, refusing (413) a file over the limit without reading it."""
    stream = file.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    limit = _max_import_bytes()
    if size > limit:
        raise _TooLarge(_too_large_message(size), field="file")
    return stream.read()


def _too_large_message(size: int) -> str:
    return _(
        "The file is %(size)s MB; the limit is %(limit)s MB. Split the list into "
        "several files or remove unused sheets and columns.",
        size=format(size / 1048576, ".1f"),
        limit=current_app.config["MAX_UPLOAD_MB"],
    )


def _max_import_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    """An upload over the limit is refused before it is read: say so on the import page."""
    if request.endpoint == "venues.import_venues":
        # the body was refused before it was read; its declared length is the file's size
        message = _too_large_message(request.content_length or _max_import_bytes())
        return _import_page({"file": [message]}, None, None), 413
    return Response(_("The file or request is too large."), 413, mimetype="text/plain")


def _import_page(errors, report, upload):
    return render_template(
        "venues/import.html",
        errors=errors,
        report=report,
        upload=upload,
        columns=COLUMNS,
        max_mb=current_app.config["MAX_UPLOAD_MB"],
    )


@bp.route("/venues/import", methods=["GET", "POST"])
@requires(P.VENUES_IMPORT)
def import_venues():
    """Upload → dry run report; the real run is a second click on the same file."""
    errors, report, upload, status = {}, None, None, 200
    if request.method == "POST":
        file = request.files.get("file")
        if file is None or not file.filename:
            errors, status = {"file": [_("Choose an XLSX or CSV file.")]}, 422
        else:
            try:
                data = _read_upload(file)
                table = read_table(data, file.filename, _max_import_bytes())
                report = run_import(table, scope=_scope(), user=current_user, dry_run=True)
            except InspectionsError as exc:
                errors, status = exc.messages(), exc.status if exc.status == 413 else 422
            else:
                upload = stash.keep(data, file.filename, current_user.id)
                meta = {"filename": file.filename, "user_id": current_user.id}
                stash.note(upload, {**meta, "report": report.to_dict()})
    return _import_page(errors, report, upload), status


@bp.post("/venues/import/<upload>")
@requires(P.VENUES_IMPORT)
def import_run(upload: str):
    data, meta = stash.load(upload, current_user.id)
    try:
        table = read_table(data, meta["filename"], _max_import_bytes())
        report = run_import(table, scope=_scope(), user=current_user, dry_run=False)
    except InspectionsError as exc:
        return _import_page(exc.messages(), None, None), 422
    stash.note(upload, {**meta, "report": report.to_dict(), "done": True})
    flash(
        _(
            "Import done: %(c)s created, %(u)s updated, %(n)s unchanged, %(r)s rejected.",
            c=report.created,
            u=report.updated,
            n=report.unchanged,
            r=len(report.rejected),
        ),
        "success" if not report.rejected else "warning",
    )
    return _import_page({}, report, upload)


@bp.get("/venues/import/<upload>/rejected.<fmt>")
@requires(P.VENUES_IMPORT)
def import_rejected(upload: str, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    data, meta = stash.load(upload, current_user.id)
    if "report" not in meta:
        abort(404)
    table = read_table(data, meta["filename"], _max_import_bytes())
    report = ImportReport.from_dict(dict(meta["report"]))
    headers, rows = rejected_rows(table, report)
    name = spreadsheets.safe_filename(meta["filename"], f"-rejected.{fmt}")
    if fmt == "xlsx":
        return _download(
            spreadsheets.write_xlsx(headers, rows, "rejected"),
            EXPORTS["xlsx"][1],
            name,
        )
    return _download(spreadsheets.write_csv(headers, rows), "text/csv; charset=utf-8", name)


# ---------------------------------------------------------------- duplicates


@bp.get("/venues/duplicates")
@requires(P.VENUES_WRITE)
def duplicates():
    pairs = dup.find_pairs(_scope())
    counts = dict(
        db.session.execute(
            select(Inspection.venue_id, func.count())
            .where(Inspection.venue_id.in_({v.id for p in pairs for v in (p.a, p.b)} or {0}))
            .group_by(Inspection.venue_id)
        ).all()
    )
    return render_template("venues/duplicates.html", pairs=pairs, inspections=counts)


def _pair_from_form() -> tuple[Venue, Venue]:
    try:
        keep_id = int(request.form.get("keep", ""))
        other_id = int(request.form.get("other", ""))
    except ValueError:
        raise NotFound(_("Choose the two venues.")) from None
    scope = _scope()
    return services.get_venue(keep_id, scope), services.get_venue(other_id, scope)


@bp.post("/venues/duplicates/merge")
@requires(P.VENUES_WRITE)
def merge():
    try:
        kept, other = _pair_from_form()
        reason = (request.form.get("reason") or "").strip()[:500] or None
        moved = services.merge_venues(other, kept, reason=reason, scope=_scope(), user=current_user)
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("venues.duplicates"))
    flash(
        _(
            "#%(a)s was merged into #%(b)s (%(n)s inspections moved).",
            a=other.id,
            b=kept.id,
            n=moved,
        ),
        "success",
    )
    return redirect(url_for("venues.duplicates"))


@bp.post("/venues/duplicates/dismiss")
@requires(P.VENUES_WRITE)
def dismiss():
    try:
        a, b = _pair_from_form()
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("venues.duplicates"))
    dup.dismiss(a, b, user=current_user)
    flash(_("Marked as two different venues."), "info")
    return redirect(url_for("venues.duplicates"))
