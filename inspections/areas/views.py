"""Pages: the units of both maps with boundary sources, one unit with its predecessors and
successors, and the boundary import for admins."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from ..accounts.permissions import P, requires
from ..errors import Invalid
from ..extensions import db
from . import services
from .models import LEVELS, Area, AreaPredecessor
from .successors import is_derived, split_links
from .versions import FORMER, LAST_FORMER_DAY, TWO_LEVEL, VERSIONS, check_as_of, in_force_clause

bp = Blueprint("areas", __name__, url_prefix="/areas")
MAX_GEOJSON_BYTES = 20 * 1024 * 1024


def area_url(area: Area) -> str:
    """The page of a unit on its own map (the same code may name a unit of another map)."""
    day = area.valid_to or (area.valid_from if area.valid_from.year > 1 else None)
    return url_for("areas.detail", code=area.code, as_of=day.isoformat() if day else None)


def _as_of_arg() -> date | None:
    text = request.args.get("as_of", "")
    if not text:
        return None
    try:
        return check_as_of(date.fromisoformat(text))
    except ValueError:
        raise Invalid(_("Give the date as YYYY-MM-DD."), field="as_of") from None


@bp.get("")
@requires(P.VENUES_READ)
def index():
    child = aliased(Area)
    maps = []
    for version in reversed(VERSIONS):
        day = version.valid_to or version.valid_from
        rows = db.session.execute(
            select(Area, func.count(child.id).label("units"))
            .outerjoin(child, child.parent_id == Area.id)
            .where(Area.level.in_(version.levels[:-1]), in_force_clause(day))
            .group_by(Area.id)
            .order_by(Area.level.desc(), Area.code)
        ).all()
        maps.append((version, rows))
    return render_template("areas/index.html", maps=maps, area_url=area_url)


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
            valid_from = _valid_from(request.form.get("valid_from", ""))
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
                fc, level, source=upload.filename[:200], valid_from=valid_from, dry_run=dry_run
            )
        except Invalid as exc:
            errors, status = exc.messages(), 422
        else:
            if not dry_run:
                flash(_("%(n)s boundaries replaced.", n=len(report.updated)), "success")
    maps = [
        ("", _("today's map (the former one for districts)")),
        (LAST_FORMER_DAY.isoformat(), FORMER.label),
        (TWO_LEVEL.valid_from.isoformat(), TWO_LEVEL.label),
    ]
    return render_template(
        "areas/boundaries.html", report=report, errors=errors, levels=LEVELS, maps=maps
    ), status


def _valid_from(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(_("Give the date as YYYY-MM-DD."), field="valid_from") from None


@bp.get("/<code>")
@requires(P.VENUES_READ)
def detail(code: str):
    area = services.get_area(code, _as_of_arg())
    children = list(
        db.session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.code))
    )
    successors = list(
        db.session.scalars(
            select(AreaPredecessor)
            .where(AreaPredecessor.predecessor_id == area.id)
            .options(selectinload(AreaPredecessor.successor))
            .order_by(AreaPredecessor.id)
        )
    )
    return render_template(
        "areas/detail.html",
        area=area,
        children=children,
        successors=successors,
        divided=split_links(area),
        # today's unit whose polygon was built here from its predecessors'
        estimated=bool(area.predecessor_links)
        and area.has_boundary
        and is_derived(area.boundary_source),
        area_url=area_url,
    )
