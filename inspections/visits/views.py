"""Pages: the inspection list, the phone form (start, continue, amend), the read view with
cancel, photo and signature files, the minutes, and the checklist admin.

The form page only renders; it saves and submits through the JSON API (api.py).
"""

from __future__ import annotations

from types import SimpleNamespace

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from .. import storage
from ..accounts.models import Agency
from ..accounts.permissions import P, requires, role_allows
from ..accounts.services import scope_of
from ..areas.models import Area
from ..audit.services import history
from ..clock import today as local_today
from ..errors import InspectionsError, Invalid
from ..extensions import db
from ..forms import load_form
from ..text import search_pattern
from ..venues.models import Sector, Venue
from ..venues.services import lat_lon
from ..violations import services as violations
from ..violations.models import MEASURES
from . import access, amendments, checklists, files, lifecycle, photos, reading
from .minutes import minutes_pdf
from .models import INSPECTION_STATUSES, ChecklistTemplate, Inspection, InspectionAnswer
from .presence import distance_label
from .readiness import MIN_MEMBERS
from .schemas import InspectionOut

bp = Blueprint("visits", __name__, url_prefix="/inspections")


class ListFilters(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(INSPECTION_STATUSES))
    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    area = fields.String(load_default=None, validate=validate.Length(max=16))
    mine = fields.Boolean(load_default=False)


def _locale() -> str:
    return str(get_locale())


# ---------------------------------------------------------------- list


@bp.get("")
@requires(P.INSPECTIONS_READ)
def index():
    filters, errors = load_form(ListFilters(), request.args)
    filters = filters or {}
    try:
        q = reading.search(current_user, filters)
    except Invalid as exc:
        errors, q = exc.messages(), reading.search(current_user, {})
    page = db.paginate(q, per_page=25, error_out=False)
    drafts = []
    if role_allows(current_user.role, P.INSPECTIONS_WRITE) and not any(filters.values()):
        drafts = reading.summaries(
            list(
                db.session.scalars(
                    reading.search(current_user, {"status": "draft", "mine": True}).limit(10)
                )
            )
        )
    scope = scope_of(current_user)
    districts = []
    if scope.everything or scope.level == "district":
        districts = list(
            db.session.scalars(
                select(Area)
                .where(Area.level == ("district" if scope.everything else "commune"), scope.areas())
                .order_by(Area.code)
            )
        )
    return render_template(
        "visits/index.html",
        page=page,
        rows=reading.summaries(list(page.items)),
        drafts=drafts,
        filters=filters,
        errors=errors,
        args={k: v for k, v in request.args.items() if k != "page"},
        areas=districts,
        statuses=INSPECTION_STATUSES,
    )


# ---------------------------------------------------------------- the form


def _catalogue_for(sector: str) -> list[dict]:
    locale = _locale()
    out = []
    for lv in violations.catalogue(None, sector):
        out.append(
            {
                "code": lv.code,
                "title": lv.title(locale),
                "basis": violations.legal_basis(lv, locale),
                "offenders": lv.offender_types,
                "ranges": {
                    "individual": [lv.fine_individual_min, lv.fine_individual_max],
                    "organisation": [lv.fine_organisation_min, lv.fine_organisation_max],
                },
                "measures": lv.measures,
                "from": lv.valid_from.isoformat(),
                "to": lv.valid_to.isoformat() if lv.valid_to else None,
                "replaced_by": lv.replaced_by,
            }
        )
    return out


def _measure_labels() -> dict:
    return {
        "warning": _("Warning instead of a fine"),
        "suspension": _("Suspension of the activity"),
        "licence_withdrawal": _("Licence withdrawn"),
        "confiscation": _("Confiscation of exhibits"),
        "expulsion": _("Expulsion"),
        "remedy": _("Remedial measures"),
    }


def _venue_point(venue, offline: bool) -> dict:
    """The venue's registered point, so the phone can say how far away it is before the
    server has compared the fixes (offline, or before the first save)."""
    if offline:
        return {}  # the shell's venue comes from the phone's data pack, with its point
    lat, lon = lat_lon(venue)
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def _form(
    venue: Venue | SimpleNamespace,
    inspection: Inspection | None,
    mode: str,
    *,
    offline: bool = False,
):
    """Render the phone form: new (nothing saved yet), edit (a draft) or amend; offline: the
    shell of a sector's form that the phone fills with a cached venue (see form_shell), whose
    venue is a stand-in with the sector only."""
    locale = _locale()
    today = local_today()
    template = (
        inspection.checklist_template
        if inspection
        else checklists.template_for(venue.sector_id, today)
    )
    if template is None:
        raise Invalid(_("There is no checklist for this sector yet."))
    teams = reading.active_teams(current_user, today)
    team = teams[0] if teams else None
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.sort_order)))
    start = None
    if inspection is None:
        members = lifecycle.team_members(team, current_user)
        start = {
            "venue_id": venue.id,
            "team_id": team.id if team else None,
            "members": members,
            "agencies": sorted({m["agency"] for m in members}),
        }
    data = {
        "mode": mode,
        "api": "/api/v1/inspections",
        "venue": {"id": venue.id, "name": venue.name, "sector": venue.sector.code}
        | _venue_point(venue, offline),
        "offline": offline,
        # Through the API's schema, so the page starts from exactly what the API answers.
        "inspection": InspectionOut().dump(inspection) if inspection else None,
        "start": start,
        "teams": [
            {"id": t.id, "name": t.name, "members": lifecycle.team_members(t, current_user)}
            for t in teams
        ],
        "agencies": [
            {"code": a.code, "name": (a.short_vi if locale == "vi" else a.name_en) or a.code}
            for a in agencies
        ],
        "catalogue": _catalogue_for(venue.sector.code),
        "proposes": {i.code: i.proposes for i in template.items},
        "measures": _measure_labels(),
        "limits": {
            "min_members": MIN_MEMBERS,
            "max_upload_mb": current_app.config["MAX_UPLOAD_MB"],
            "offsite_m": current_app.config["OFFSITE_DISTANCE_M"],
        },
        "detail_url": url_for("visits.detail", inspection_id=inspection.id) if inspection else None,
        "user": {"id": current_user.id, "name": current_user.full_name},
        "t": _js_strings(),
    }
    return render_template(
        "visits/form.html",
        venue=venue,
        inspection=inspection,
        template=template,
        groups=checklists.grouped(template, locale),
        data=data,
        mode=mode,
        team=inspection.team if inspection else team,
        measures=MEASURES,
    )


def _js_strings() -> dict:
    """The few words the form's script writes itself."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved %(time)s"),
        "offline": _("Not saved yet – no connection. Kept on this phone; retrying."),
        "failed": _("Not saved: %(message)s"),
        "locating": _("Finding your position…"),
        "gps_denied": _("Location is blocked. Allow it for this site, then tap here."),
        "gps_unavailable": _("No GPS position. Tap to try again."),
        "gps_fix": _("±%(acc)s"),
        "gps_at_venue": _("%(d)s from the venue"),
        "gps_no_distance": _("position recorded"),
        "answered": _("%(n)s/%(total)s answered"),
        "members_short": _("At least %(min)s members are needed (now %(n)s)."),
        "members": _("%(n)s members"),
        "agencies": _("%(n)s agencies"),
        "no_lead": _("Mark who leads the team."),
        "remove": _("Remove"),
        "remove_violation": _("Remove this violation?"),
        "remove_photo": _("Remove this photo?"),
        "added": _("added"),
        "add": _("Add"),
        "no_range": _("No fine range for this offender."),
        "out_of_range": _("Outside the legal range."),
        "only_for": _("Only for: %(who)s"),
        "individual": _("Individual"),
        "organisation": _("Organisation"),
        "uploading": _("Uploading…"),
        "upload_wait": _("Waiting to upload"),
        "upload_failed": _("Upload failed: %(message)s"),
        "photo_unreadable": _("This file cannot be read as a photo."),
        "submitting": _("Submitting…"),
        "submit_blocked": _("Before submitting:"),
        "already_submitted": _("This inspection was already submitted."),
        "reason_needed": _("Say why to submit anyway"),
        "no_results": _("No violation matches."),
        "in_force_on": _("In force on %(day)s for this sector"),
        "signed": _("Signed"),
        "amend_reason": _("Give the reason for the amendment."),
        "amend_saved": _("Amendment saved."),
        "lead": _("Lead"),
        "go": _("Show"),
        "members_label": _("Team members"),
        "key_missing": _("This browser is too old to start an inspection safely."),
        "not_on_phone": _("This venue is not among those kept on this phone."),
        "kept_offline": _("Kept on this phone"),
        "storage_full": _(
            "The phone's storage is full: free some space (photos, apps), then try again."
        ),
        "queue_failed": _("It could not be kept on this phone: %(message)s"),
        "local_missing_items": _("%(n)s checklist items are not answered."),
        "local_not_answered": _("Not answered."),
        "local_lead_sign": _("The team lead has not signed."),
        "local_rep_sign": _(
            "The venue's representative has not signed (or record that they refused)."
        ),
    }


def form_shell(sector: Sector):
    """The form of a sector without a venue: cached by the phone, it starts an inspection of
    any cached venue of that sector with no connection (visits-form.js reads the venue from
    the phone's data pack and keeps everything in the queue until it is sent)."""
    stand_in = SimpleNamespace(
        id=None, name="", address=None, sector=sector, sector_id=sector.id, merged_into_id=None
    )
    return _form(stand_in, None, "new", offline=True)


@bp.get("/new")
@requires(P.INSPECTIONS_WRITE)
def start():
    """One tap from a venue: the form for a new inspection (or the venue picker)."""
    venue_id = request.args.get("venue", type=int)
    if venue_id is None:
        return _pick_venue()
    venue = access.venue_for(current_user, venue_id)
    if not access.can_inspect(current_user, venue):
        if venue.merged_into_id:
            raise Invalid(_("This venue was merged into another record; inspect that one."))
        abort(403)
    draft = reading.open_draft(current_user, venue)
    if draft is not None and not request.args.get("new"):
        flash(_("You already have a draft of this venue; it is open below."), "info")
        return redirect(url_for("visits.edit", inspection_id=draft.id))
    return _form(venue, None, "new")


def _pick_venue():
    query = (request.args.get("q") or "").strip()[:100]
    q = select(Venue).where(
        scope_of(current_user).venues(Venue),
        Venue.merged_into_id.is_(None),
        Venue.status != "closed",
    )
    if query:
        q = q.where(Venue.search_text.like(search_pattern(query)))
    venues = list(db.session.scalars(q.order_by(Venue.name).limit(30)))
    return render_template("visits/pick.html", venues=venues, query=query)


@bp.get("/<int:inspection_id>/edit")
@requires(P.INSPECTIONS_WRITE)
def edit(inspection_id: int):
    inspection = access.get_inspection(inspection_id, current_user)
    if inspection.status != "draft":
        return redirect(url_for("visits.detail", inspection_id=inspection.id))
    access.require_edit(current_user, inspection)
    return _form(inspection.venue, inspection, "edit")


@bp.get("/<int:inspection_id>/amend")
@requires(P.INSPECTIONS_WRITE)
def amend(inspection_id: int):
    inspection = access.get_inspection(inspection_id, current_user)
    if inspection.status != "submitted":
        flash(_("Only a submitted inspection can be amended."), "warning")
        return redirect(url_for("visits.detail", inspection_id=inspection.id))
    access.require_edit(current_user, inspection)
    return _form(inspection.venue, inspection, "amend")


# ---------------------------------------------------------------- reading


def _detail(inspection: Inspection, errors: dict | None = None, status: int = 200):
    locale = _locale()
    doc = reading.AsItStands(inspection)
    template = inspection.checklist_template
    answers = {a.item_id: a for a in doc.checklist}
    superseded: dict[int, list[InspectionAnswer]] = {}
    for a in inspection.answers:
        if a.superseded_by_id is not None:
            superseded.setdefault(a.item_id, []).append(a)
    photos_by_item: dict = {}
    for p in inspection.photos:
        photos_by_item.setdefault(p.item_id, []).append(p)
    old_violations = [v for v in inspection.violation_rows if v.superseded_by_id is not None]
    return render_template(
        "visits/detail.html",
        inspection=inspection,
        doc=doc,
        groups=checklists.grouped(template, locale) if template else [],
        answers=answers,
        superseded=superseded,
        photos_by_item=photos_by_item,
        old_violations=old_violations,
        distance_label=distance_label,
        can_edit=access.can_edit(current_user, inspection),
        events=history("inspection", inspection.id),
        errors=errors or {},
        basis=violations.legal_basis,
        measure_labels=_measure_labels(),
        locale=locale,
    ), status


@bp.get("/<int:inspection_id>")
@requires(P.INSPECTIONS_READ)
def detail(inspection_id: int):
    return _detail(access.get_inspection(inspection_id, current_user))


@bp.post("/<int:inspection_id>/cancel")
@requires(P.INSPECTIONS_WRITE)
def cancel(inspection_id: int):
    inspection = access.get_inspection(inspection_id, current_user)
    try:
        lifecycle.cancel(current_user, inspection, request.form.get("reason", ""))
    except InspectionsError as exc:
        return _detail(inspection, exc.messages(), exc.status)
    flash(_("The inspection is cancelled; it no longer counts."), "success")
    return redirect(url_for("visits.detail", inspection_id=inspection_id))


def _file_response(data: bytes, mimetype: str) -> Response:
    resp = Response(data, mimetype=mimetype)
    resp.headers["Cache-Control"] = "private, max-age=86400"
    resp.headers["Content-Disposition"] = "inline"
    return resp


@bp.get("/<int:inspection_id>/photos/<int:photo_id>")
@requires(P.INSPECTIONS_READ)
def photo(inspection_id: int, photo_id: int):
    """A photo, only for those who may see the inspection (?thumb=1 for a small one)."""
    inspection = access.get_inspection(inspection_id, current_user)
    item = photos.get_photo(inspection, photo_id)
    if request.args.get("thumb"):
        data = files.thumbnail(item.stored_name, item.sha256)
        mimetype = "image/jpeg"
    else:
        data = files.upright(item.stored_name, item.sha256)
        mimetype = item.content_type
    if data is None:
        abort(404)
    return _file_response(data, mimetype)


@bp.get("/<int:inspection_id>/signatures/<role>")
@requires(P.INSPECTIONS_READ)
def signature(inspection_id: int, role: str):
    inspection = access.get_inspection(inspection_id, current_user)
    sig = next((s for s in inspection.signatures if s.role == role and s.stored_name), None)
    # a file without its recorded hash matches none
    data = (
        storage.read_checked(sig.stored_name, sig.sha256 or "") if sig and sig.stored_name else None
    )
    if data is None:
        abort(404)
    return _file_response(data, "image/png")


@bp.get("/<int:inspection_id>/minutes.pdf")
@requires(P.INSPECTIONS_READ)
def minutes(inspection_id: int):
    inspection = access.get_inspection(inspection_id, current_user)
    resp = Response(minutes_pdf(inspection), mimetype="application/pdf")
    name = f"bien-ban-kiem-tra-{inspection.id}-{inspection.inspected_on.isoformat()}.pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


# ---------------------------------------------------------------- checklist admin


MAX_TEMPLATE_BYTES = 512 * 1024


@bp.route("/checklists", methods=["GET", "POST"])
@requires(P.CATALOGUE_MANAGE)
def checklists_admin():
    """Checklist versions per sector; an admin uploads an edited file as a new version."""
    errors, status = {}, 200
    if request.method == "POST":
        upload = request.files.get("file")
        text = request.form.get("text", "")
        name = "pasted.yaml"
        if upload is not None and upload.filename:
            raw = upload.read(MAX_TEMPLATE_BYTES + 1)
            name = upload.filename[:120]
            if len(raw) > MAX_TEMPLATE_BYTES:
                errors = {"file": [_("The file is larger than 512 KB.")]}
            else:
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    errors = {"file": [_("The file must be UTF-8 text (YAML or JSON).")]}
        if not errors and not text.strip():
            errors = {"file": [_("Choose a file or paste the checklist.")]}
        if not errors:
            try:
                template = checklists.import_template(text, name, current_user)
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(
                    _(
                        "Version %(v)s of the %(sector)s checklist is in use for new inspections.",
                        v=template.version,
                        sector=template.sector.name(_locale()),
                    ),
                    "success",
                )
                return redirect(url_for("visits.checklist", template_id=template.id))
        status = 422
    used = (
        select(Inspection.checklist_template_id.label("tid"), func.count().label("n"))
        .group_by(Inspection.checklist_template_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ChecklistTemplate, func.coalesce(used.c.n, 0).label("used"))
        .join(Sector, Sector.id == ChecklistTemplate.sector_id)
        .outerjoin(used, used.c.tid == ChecklistTemplate.id)
        .order_by(Sector.sort_order, ChecklistTemplate.version.desc())
    ).all()
    return render_template(
        "visits/checklists.html", rows=rows, errors=errors, text=request.form.get("text", "")
    ), status


@bp.get("/checklists/<int:template_id>")
@requires(P.CATALOGUE_MANAGE)
def checklist(template_id: int):
    template = db.get_or_404(ChecklistTemplate, template_id)
    if request.args.get("format") == "yaml":
        resp = Response(checklists.as_yaml(template), mimetype="application/x-yaml")
        resp.headers["Content-Disposition"] = (
            f'attachment; filename="{template.sector.code}-v{template.version}.yaml"'
        )
        return resp
    return render_template(
        "visits/checklist.html",
        template=template,
        groups=checklists.grouped(template, _locale()),
        today=local_today(),
    )


# ---------------------------------------------------------------- for the venue page


def _panel(venue: Venue) -> dict:
    """The venue page's inspections panel: the inspections the user may see."""
    return {"rows": reading.venue_inspections(venue, current_user)}


def _start(venue: Venue) -> dict:
    """The venue page's main action: may the user start one, and their open draft if any."""
    can_start = access.can_inspect(current_user, venue)
    draft = reading.open_draft(current_user, venue) if can_start else None
    # a closed venue is not offered a new inspection (a draft begun before still is)
    if venue.status == "closed" and draft is None:
        can_start = False
    return {"can_start": can_start, "draft": draft}


def venue_page_url(venue_id: int) -> str | None:
    """The venue page, once the registry provides one (venues.detail)."""
    if "venues.detail" in current_app.view_functions:
        return url_for("venues.detail", venue_id=venue_id)
    return None


@bp.app_context_processor
def _panel_helpers():
    return {
        "visits_panel": _panel,
        "visits_start": _start,
        "presence_label": presence_label,
        "venue_page_url": venue_page_url,
        "amendment_words": lambda inspection, changes: amendments.change_words(
            inspection, changes, str(get_locale())
        ),
    }


def presence_label(status: str | None) -> str:
    """A presence status in words (for badges)."""
    return {
        "on_site": _("on site"),
        "off_site": _("off-site"),
        "imprecise": _("GPS imprecise"),
        "no_gps": _("no GPS"),
    }.get(status or "", "")
