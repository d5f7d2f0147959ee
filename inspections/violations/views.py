"""Pages: violations recorded at submitted inspections (a first register), the catalogue."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..accounts.permissions import P, can, requires
from ..accounts.services import scope_of
from ..extensions import db
from ..forms import load_form
from ..venues.models import SECTOR_CODES, Sector, Venue
from ..visits.models import Inspection
from . import services
from .models import LegalViolation, RecordedViolation

bp = Blueprint("violations", __name__, url_prefix="/violations")


class RegisterFilters(Schema):
    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    code = fields.String(load_default=None, validate=validate.Length(max=40))
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTOR_CODES))


class CatalogueFilters(Schema):
    on = fields.Date(load_default=None)
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTOR_CODES))


def register_query(user, filters: dict):
    """Current violations of submitted inspections in the user's area, filtered."""
    q = (
        select(RecordedViolation)
        .join(Inspection, Inspection.id == RecordedViolation.inspection_id)
        .join(Venue, Venue.id == RecordedViolation.venue_id)
        .options(contains_eager(RecordedViolation.inspection).joinedload(Inspection.venue))
        .join(LegalViolation, LegalViolation.id == RecordedViolation.legal_violation_id)
        .where(
            RecordedViolation.superseded_by_id.is_(None),
            Inspection.status == "submitted",
            scope_of(user).venues(Venue),
        )
    )
    if filters.get("start"):
        q = q.where(Inspection.inspected_on >= filters["start"])
    if filters.get("end"):
        q = q.where(Inspection.inspected_on <= filters["end"])
    if filters.get("code"):
        q = q.where(LegalViolation.code == filters["code"])
    if filters.get("sector"):
        q = q.where(
            Venue.sector_id
            == select(Sector.id).where(Sector.code == filters["sector"]).scalar_subquery()
        )
    return q


@bp.get("")
@requires(P.VIOLATIONS_READ)
def index():
    filters, errors = load_form(RegisterFilters(), request.args)
    filters = filters or {}
    q = register_query(current_user, filters)
    sub = q.with_only_columns(RecordedViolation.id, RecordedViolation.fine_vnd).subquery()
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(sub.c.fine_vnd), 0)).select_from(sub)
    ).one()
    page = db.paginate(
        q.order_by(Inspection.inspected_on.desc(), RecordedViolation.id.desc()),
        per_page=30,
        error_out=False,
    )
    return render_template(
        "violations/index.html",
        page=page,
        rows=page.items,
        filters=filters,
        errors=errors,
        args={k: v for k, v in request.args.items() if k != "page"},
        count=count,
        total=total,
        sectors=list(db.session.scalars(select(Sector).order_by(Sector.sort_order))),
        codes=[lv.code for lv in services.catalogue()],
        basis=services.legal_basis,
        locale=str(get_locale()),
    )


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
        today=date.today(),
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
    locale = str(get_locale())
    return [
        {
            "violation": v,
            "inspection": i,
            "title": v.legal.title(locale),
            "basis": services.legal_basis(v.legal, locale),
        }
        for v, i in rows
    ]


@bp.app_context_processor
def _panel_helpers():
    return {"venue_violations": venue_violations}
