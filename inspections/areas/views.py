"""Pages: the unit list with boundary sources, and the boundary import for admins."""

from __future__ import annotations

import json

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..accounts.permissions import P, requires
from ..errors import Invalid
from ..extensions import db
from . import services
from .models import LEVELS, Area

bp = Blueprint("areas", __name__, url_prefix="/areas")
MAX_GEOJSON_BYTES = 20 * 1024 * 1024


@bp.get("")
@requires(P.VENUES_READ)
def index():
    child = aliased(Area)
    rows = db.session.execute(
        select(Area, func.count(child.id))
        .outerjoin(child, child.parent_id == Area.id)
        .where(Area.level.in_(("province", "district")))
        .group_by(Area.id)
        .order_by(Area.level.desc(), Area.code)
    ).all()
    return render_template("areas/index.html", rows=rows)


@bp.route("/boundaries", methods=["GET", "POST"])
@requires(P.AREAS_MANAGE)
def boundaries():
    report, errors, status = None, {}, 200
    if request.method == "POST":
        level = request.form.get("level", "")
        upload = request.files.get("file")
        dry_run = request.form.get("dry_run") == "1"
        try:
            if level not in LEVELS:
                raise Invalid(_("Choose the level of the boundaries."), field="level")
            if upload is None or not upload.filename:
                raise Invalid(_("Choose a GeoJSON file."), field="file")
            raw = upload.read(MAX_GEOJSON_BYTES + 1)
            if len(raw) > MAX_GEOJSON_BYTES:
                raise Invalid(_("The file is larger than 20 MB."), field="file")
            try:
                fc = json.loads(raw.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise Invalid(
                    _("The file is not valid GeoJSON (JSON text in UTF-8)."), field="file"
                ) from None
            report = services.import_boundaries(
                fc, level, source=upload.filename[:200], dry_run=dry_run
            )
        except Invalid as exc:
            errors, status = exc.messages(), 422
        else:
            if not dry_run:
                flash(_("%(n)s boundaries replaced.", n=len(report.updated)), "success")
    return render_template(
        "areas/boundaries.html", report=report, errors=errors, levels=LEVELS
    ), status


@bp.get("/<code>")
@requires(P.VENUES_READ)
def detail(code: str):
    area = services.get_area(code)
    children = list(
        db.session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.code))
    )
    return render_template("areas/detail.html", area=area, children=children)
