"""The legal catalogue as JSON: what the phone offers when recording a violation."""

from __future__ import annotations

from flask import Response, g
from flask_babel import get_locale
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..accounts.permissions import P, requires
from ..apidoc import Blueprint
from ..areas.schemas import MapDay
from ..audit.services import record, said
from ..clock import today
from ..extensions import db
from ..venues.models import Venue
from . import register, repeat, services
from .schemas import CatalogueQuery, LegalViolationOut

blp = Blueprint(
    "violation_types_api",
    __name__,
    url_prefix="/api/v1/violation-types",
    description="The legal catalogue: decree, article, clause, point, fine ranges, validity",
)


@blp.route("")
@blp.arguments(CatalogueQuery, location="query")
@blp.response(200, LegalViolationOut(many=True))
@requires(P.VIOLATIONS_READ)
def list_violation_types(args):
    """Catalogue entries, optionally only those in force on a day for a sector."""
    return services.catalogue(args.get("on"), args.get("sector"))


# ---------------------------------------------------------------- the register

register_blp = Blueprint(
    "violations_api",
    __name__,
    url_prefix="/api/v1/violations",
    description="The violation register: current violations of submitted inspections, "
    "filtered, totalled, exported; repeat offenders",
)


class RegisterRowOut(Schema):
    id = fields.Integer()
    inspected_on = fields.Date()
    inspection_id = fields.Integer()
    venue_id = fields.Integer()
    venue_name = fields.String()
    commune = fields.String(
        allow_none=True, metadata={"description": "the venue's commune on today's map"}
    )
    district = fields.String(
        allow_none=True, metadata={"description": "the venue's former district (before 1/7/2025)"}
    )
    sector = fields.String()
    code = fields.String()
    decree = fields.String()
    article = fields.Integer()
    clause = fields.String(allow_none=True)
    point = fields.String(allow_none=True)
    title = fields.String()
    legal_basis = fields.String()
    offender_type = fields.String()
    offender_name = fields.String(allow_none=True)
    fine_vnd = fields.Integer(allow_none=True)
    remedy = fields.String(allow_none=True)
    remedy_deadline = fields.Date(allow_none=True)
    remedy_status = fields.String(
        allow_none=True, metadata={"description": "open, overdue, remedied, escalated"}
    )
    remedied_on = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)


class TotalsOut(Schema):
    count = fields.Integer()
    fines_vnd = fields.Integer()


class ExportQuery(register.RegisterQuery):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))


class RepeatQuery(Schema):
    months = fields.Integer(load_default=None, validate=validate.Range(min=1, max=120))
    area = fields.String(load_default=None, validate=validate.Length(max=20))
    as_of = MapDay()


class RepeatOut(Schema):
    venue_id = fields.Integer()
    venue_name = fields.String()
    count = fields.Integer()
    last_on = fields.Date()
    fines_vnd = fields.Integer()


@register_blp.route("")
@register_blp.arguments(register.RegisterQuery, location="query")
@register_blp.response(200, RegisterRowOut(many=True))
@register_blp.paginate()
@requires(P.VIOLATIONS_READ)
def list_violations(args, pagination_parameters):
    """One page of the register; the totals of the whole filtered set are in the
    X-Pagination header (total) and X-Total-Fines-VND."""
    on = today()
    totals = register.totals(current_user, args, on)
    pagination_parameters.item_count = totals["count"]
    g.total_fines = totals["fines_vnd"]
    page, size = pagination_parameters.page, pagination_parameters.page_size
    rows = register.load(register.ids(current_user, args, (page - 1) * size, size, on))
    locale = str(get_locale())
    return [register.serialise(r, locale, on) for r in rows]


@register_blp.after_app_request
def _total_fines(response):
    if g.get("total_fines") is not None:
        response.headers["X-Total-Fines-VND"] = str(g.total_fines)
    return response


@register_blp.route("/totals")
@register_blp.arguments(register.RegisterQuery, location="query")
@register_blp.response(200, TotalsOut)
@requires(P.VIOLATIONS_READ)
def violation_totals(args):
    """Count and sum of fines of the filtered register."""
    return register.totals(current_user, args)


@register_blp.route("/export")
@register_blp.arguments(ExportQuery, location="query")
@register_blp.response(200, content_type="application/octet-stream")
@requires(P.EXPORT)
def export_violations(args):
    """The filtered register as XLSX or CSV (UTF-8 with BOM)."""
    fmt = args.pop("format")
    body, n = register.export(current_user, args, fmt, str(get_locale()))
    record(
        "export",
        object_type="recorded_violation",
        summary=said("API %(fmt)s: %(n)s violations", fmt=fmt, n=n),
    )
    mimetype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp = Response(body, content_type=mimetype)  # CSV names its charset itself
    resp.headers["Content-Disposition"] = f'attachment; filename="{register.export_filename(fmt)}"'
    return resp


@register_blp.route("/repeat-offenders")
@register_blp.arguments(RepeatQuery, location="query")
@register_blp.response(200, RepeatOut(many=True))
@register_blp.paginate()
@requires(P.VIOLATIONS_READ)
def repeat_offenders(args, pagination_parameters):
    """Venues found in violation at two or more inspections in the rolling window (default 12
    months), with the violations of those inspections."""
    start = repeat.window_start(today(), args.get("months") or repeat.default_months())
    where = register.venue_clauses(current_user, args.get("area"), as_of=args.get("as_of"))
    page, size = pagination_parameters.page, pagination_parameters.page_size
    rows, pagination_parameters.item_count = repeat.offenders_page(start, where, page, size)
    names = {
        venue.id: venue.name
        for venue in db.session.execute(
            select(Venue.id, Venue.name).where(Venue.id.in_([r.venue_id for r in rows]))
        )
    }
    return [
        {
            "venue_id": r.venue_id,
            "venue_name": names.get(r.venue_id),
            "count": r.n,
            "last_on": r.last_on,
            "fines_vnd": int(r.fines),
        }
        for r in rows
    ]
