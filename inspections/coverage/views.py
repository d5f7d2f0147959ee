"""Pages: the coverage table and map, an area's venue lists and next visits, downloads, plans."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Agency
from ..accounts.permissions import P, require_province_level, requires
from ..accounts.services import scope_of
from ..areas.models import LEVELS
from ..areas.versions import FORMER, LAST_FORMER_DAY, TWO_LEVEL, day_of, version_of
from ..areas.views import area_url
from ..audit.services import record, said
from ..clock import today as local_today
from ..errors import InspectionsError, Invalid
from ..extensions import db
from ..forms import load_form
from ..pagination import Page
from . import exports, lists, maps, next_visits, periods, rule
from .map_file import standalone_html
from .map_geojson import undrawn_rows
from .models import DEFAULT_COVERAGE_TARGET, DEFAULT_TIPS_TARGET, Plan
from .plans import default_standing_agency, earliest_baseline, list_plans, plan_for, save_plan
from .schemas import CoverageQuery, NextQuery, PlanForm, VenueListQuery

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

AREA_TABS = ("next", "never_inspected", "not_inspected", "inspected", "in_scope")


def map_text(cov) -> str:
    """ "Administrative map of 31/12/2026 (since 1/7/2025), by commune"."""
    levels = {
        "province": _("by province"),
        "district": _("by district"),
        "commune": _("by commune"),
    }
    return _(
        "Administrative map of %(d)s (%(version)s), %(level)s",
        d=cov.as_of.strftime("%d/%m/%Y"),
        version=cov.version.short_label,
        level=levels[cov.level],
    )


def figure_label(figure: str) -> str:
    """The words for a figure name."""
    return {
        "next": _("What to inspect next"),
        "in_scope": _("In scope"),
        "inspected": _("Inspected in the period"),
        "not_inspected": _("Not inspected in the period"),
        "ever_inspected": _("Inspected at least once"),
        "never_inspected": _("Never inspected"),
    }[figure]


def _period_form():
    """The query string with the period read as the picker means it: "custom" is the start
    and end dates, a named period drops the (hidden) dates the form sends along, and no
    period at all keeps the dates a link names (every link of these pages does)."""
    form = request.args.copy()
    if form.get("period") == "custom":
        form.pop("period")
    elif form.get("period"):
        form.pop("start", None)
        form.pop("end", None)
    return form


def _query_args(schema) -> tuple[dict, dict]:
    """Query string → (args, errors)."""
    form = _period_form()
    data, errors = load_form(schema, form)
    if data is None:  # keep what the picker needs to show the form again
        data = {k: form[k] for k in ("period", "sector", "level", "as_of") if form.get(k)}
    return data, errors


def _period(args: dict) -> periods.Period:
    period = periods.parse(
        args.get("period"), args.get("start"), args.get("end"), today=local_today()
    )
    if args.get("level") == "district" and not args.get("as_of") and period.end > LAST_FORMER_DAY:
        # the pages' "by district (before 1/7/2025)": the former map, which has them (the API
        # answers what it is asked: no districts on the map of a later day)
        args["as_of"] = LAST_FORMER_DAY
    return period


def _links(
    period: periods.Period,
    sector: str | None,
    external: bool = False,
    as_of=None,
    level: str | None = None,
):
    """link(code, figure): the URL of an area's list behind a figure (the map of as_of when
    one was asked for; otherwise the area page reads the period's); the level and the sector
    travel along, so the way back shows the same table."""
    extra: dict = {"sector": sector} if sector else {}
    if as_of:
        extra["as_of"] = as_of.isoformat()
    if level:
        extra["level"] = level

    args = {"_external": external, **period.args(), **extra}
    # one url_for per table, the area and the figure put in their place per cell (a national
    # table has thousands of cells); a value that url_for would quote goes through it
    pattern = url_for("coverage.area", code=_CODE_SLOT, figure=_FIGURE_SLOT, **args)

    def link(code: str, figure: str) -> str:
        code = str(code)
        if _PLAIN.fullmatch(code) and _PLAIN.fullmatch(figure):
            return pattern.replace(_CODE_SLOT, code).replace(_FIGURE_SLOT, figure)
        return url_for("coverage.area", code=code, figure=figure, **args)

    return link


_CODE_SLOT, _FIGURE_SLOT = "AREACODESLOT", "FIGURESLOT"
_PLAIN = re.compile(r"[0-9A-Za-z_]+")  # GSO codes, figure names: never quoted


def _picker(args: dict, period: periods.Period | None, cov=None) -> dict:
    today = local_today()
    baseline = earliest_baseline() or plan_for(periods.parse_key(str(today.year))).baseline_on
    groups = periods.picker_groups(today, baseline)
    known = {key for _year, choices in groups for key, _label in choices}
    if period and period.key and period.key not in known:  # a period before the baseline
        groups.append(("", [(period.key, periods.describe(period))]))
    chosen = args.get("period") or (period.key if period else None)
    if period and not chosen:
        chosen = "custom"
    as_of = args.get("as_of")
    maps_ = [
        ("", _("of the period's last day")),
        (LAST_FORMER_DAY.isoformat(), FORMER.short_label),
        (TWO_LEVEL.valid_from.isoformat(), TWO_LEVEL.short_label),
    ]
    as_of_text = as_of.isoformat() if isinstance(as_of, date) else (as_of or "")
    if as_of_text and as_of_text not in dict(maps_):
        maps_.append((as_of_text, as_of_text))
    return {
        "groups": groups,
        "chosen": chosen or str(today.year),
        "start": period.start.isoformat() if period else "",
        "end": period.end.isoformat() if period else "",
        "sectors": rule.list_sectors(),
        "levels": [
            ("province", _("By province")),
            ("district", _("By district (before 1/7/2025)")),
            ("commune", _("By commune")),
        ],
        "level": cov.level if cov else args.get("level"),
        "maps": maps_,
        "as_of": as_of_text,
    }


@bp.get("")
@requires(P.COVERAGE_READ)
def index():
    args, errors = _query_args(CoverageQuery())
    scope = scope_of(current_user)
    cov = period = parts = None
    undrawn = []
    status = 200
    if not errors:
        try:
            period = _period(args)
            cov = rule.coverage(
                period,
                args.get("level"),
                scope=scope,
                sector=args.get("sector"),
                by_sector=args.get("by_sector", False),
                as_of=args.get("as_of"),
            )
        except Invalid as exc:
            errors = exc.messages()
    if errors:
        status = 422
    else:
        fmap, undrawn = _map(cov, scope, period, args)
        parts = maps.render_parts(fmap, g.get("csp_nonce", ""))
    return render_template(
        "coverage/index.html",
        cov=cov,
        period=period,
        period_text=periods.describe(period) if period else "",
        args=args,
        errors=errors,
        map=parts,
        map_text=map_text(cov) if cov else "",
        reorganised=TWO_LEVEL.valid_from.isoformat(),
        former_day=LAST_FORMER_DAY.isoformat(),
        undrawn=undrawn,
        picker=_picker(args, period, cov),
        link=_links(period, args.get("sector"), as_of=args.get("as_of"), level=cov.level)
        if cov
        else None,
        query=_current_query(args, cov),
    ), status


def _map(cov, scope, period: periods.Period, args: dict, external: bool = False):
    """The folium map of a figure set, and the rows it cannot draw (listed under it)."""
    shapes, unit_points = lists.map_areas(cov, scope)
    # the page fetches its venues (the browser keeps them); the exported file embeds them
    points = (
        lists.map_points(
            period, scope=scope, level=cov.level, sector=args.get("sector"), as_of=cov.as_of
        )
        if external
        else []
    )
    links = _links(
        period, args.get("sector"), external=external, as_of=args.get("as_of"), level=cov.level
    )
    from ..rounds.progress import planned_points

    fmap = maps.build_map(
        cov,
        shapes,
        points,
        links,
        unit_points=unit_points,
        planned=planned_points(current_user, period, scope),
        external=external,
        venues_url=None if external else _data_url("venues", cov, args.get("sector")),
        shapes_url=None if external else _data_url("shapes", cov),
    )
    return fmap, undrawn_rows(cov, shapes, unit_points)


def _data_url(what: str, cov, sector: str | None = None) -> str:
    """Where the page's map fetches the venues of this figure set, or its polygons (which
    depend on the level and the map's day only), in the account's scope as the page."""
    query = {"level": cov.level, "as_of": cov.as_of.isoformat()}
    if what == "venues":
        query.update(cov.period.args())
        if sector:
            query["sector"] = sector
    return url_for(f"coverage_api.coverage_map_{what}", **query)


def _current_query(args: dict, cov) -> dict:
    """The query that names this figure set again (the downloads)."""
    if cov is None:
        return {}
    out = dict(cov.period.args())
    out["level"] = cov.level
    if args.get("as_of"):
        out["as_of"] = cov.as_of.isoformat()
    if args.get("sector"):
        out["sector"] = args["sector"]
    if args.get("by_sector"):
        out["by_sector"] = 1
    return out


def _venue_url():
    """Link to a venue's page once the venues capability provides one (built in parallel)."""
    if "venues.detail" not in current_app.view_functions:
        return None
    return lambda venue_id: url_for("venues.detail", venue_id=venue_id)


@bp.get("/areas/<code>")
@requires(P.COVERAGE_READ)
def area(code: str):
    """One area: its figures, what to inspect next, and the venues behind each figure."""
    scope = scope_of(current_user)
    form = _period_form()
    level = form.pop("level", None)
    level = level if level in LEVELS else None
    figure = form.pop("figure", "next")
    if figure not in AREA_TABS and figure != "ever_inspected":
        figure = "next"
    page_text = form.pop("page", "1")
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 100000 else 1
    schema = NextQuery() if figure == "next" else VenueListQuery()
    form["area"] = code
    if figure != "next":
        form["figure"] = figure
        for key in ("lat", "lon", "limit"):
            form.pop(key, None)
    data, errors = load_form(schema, form)
    if errors or data is None:
        raise Invalid(_("Some of the data is not valid."), details=errors)
    period = _period(data)
    sector = data.get("sector")
    area_obj = rule.area_asked(code, scope, period, data.get("as_of"))
    figures = rule.area_figures(period, area_obj, scope=scope, sector=sector)
    base_args = {**period.args(), **({"sector": sector} if sector else {})}
    if data.get("as_of"):
        base_args["as_of"] = data["as_of"].isoformat()
    if level:
        base_args["level"] = level
    context = {
        "area": area_obj,
        "figures": figures,
        "figure": figure,
        "period": period,
        "period_text": periods.describe(period),
        "sector": sector,
        "targets": plan_for(period),
        "tabs": AREA_TABS,
        "figure_label": figure_label,
        "link": _links(period, sector, as_of=data.get("as_of"), level=level),
        "base_args": base_args,
        "venue_url": _venue_url(),
        "version": version_of(day_of(area_obj)),
        "area_url": area_url,
    }
    if figure == "next":
        start = (data["lat"], data["lon"]) if "lat" in data and "lon" in data else None
        context["next"] = next_visits.next_to_inspect(
            period,
            area_obj,
            scope=scope,
            sector=sector,
            start=start,
            limit=data["limit"],
            locale=str(get_locale()),
        )
    else:
        per_page = 50
        total, lines = lists.venue_lines(
            period,
            scope=scope,
            figure=figure,
            area=area_obj,
            sector=sector,
            page=page,
            per_page=per_page,
            locale=str(get_locale()),
        )
        context["lines"] = lines
        context["page_info"] = Page([], page, per_page, total)
    return render_template("coverage/area.html", **context)


def _coverage_for_download():
    args, errors = _query_args(CoverageQuery())
    if errors:
        raise Invalid(_("Some of the data is not valid."), details=errors)
    period = _period(args)
    cov = rule.coverage(
        period,
        args.get("level"),
        scope=scope_of(current_user),
        sector=args.get("sector"),
        by_sector=args.get("by_sector", False),
        as_of=args.get("as_of"),
    )
    return args, period, cov


def _export_said(fmt: str, period, cov):
    """The audit summary of a coverage download: what was downloaded, for which period and map."""
    what = {
        "fmt": fmt,
        "start": period.start,
        "end": period.end,
        "level": cov.level,
        "as_of": cov.as_of,
    }
    if cov.sector is None:
        return said(
            "Coverage %(fmt)s %(start)s – %(end)s, level %(level)s, map of %(as_of)s", **what
        )
    return said(
        "Coverage %(fmt)s %(start)s – %(end)s, level %(level)s, map of %(as_of)s, "
        "sector %(sector)s",
        sector=cov.sector.code,
        **what,
    )


@bp.get("/export.xlsx")
@requires(P.EXPORT)
def export_xlsx():
    """The table as an XLSX workbook (audited)."""
    _args, period, cov = _coverage_for_download()
    body = exports.coverage_xlsx(cov, periods.describe(period))
    record(
        "export",
        object_type="coverage",
        summary=_export_said("XLSX", period, cov),
    )
    name = f"do-bao-phu-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/map.html")
@requires(P.EXPORT)
def export_map():
    """The map as one standalone HTML file (vendored scripts inlined; audited)."""
    args, period, cov = _coverage_for_download()
    fmap, _undrawn = _map(cov, scope_of(current_user), period, args, external=True)
    period_text = periods.describe(period)
    plan = cov.targets.plan
    target = f"{float(cov.targets.coverage_pct):g}"
    intro = (
        f"{period_text} · "
        + (
            _("Plan %(n)s, target %(t)s %%", n=plan.number, t=target)
            if plan
            else _("No plan: default target %(t)s %%", t=target)
        )
        + " · "
        + map_text(cov)
    )
    body = standalone_html(fmap, _("Coverage of the venues by inspections"), intro)
    record(
        "export",
        object_type="coverage",
        summary=_export_said("HTML", period, cov),
    )
    name = f"ban-do-bao-phu-{period.start:%Y%m%d}-{period.end:%Y%m%d}.html"
    return Response(
        body,
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---------------------------------------------------------------- plans


@bp.get("/plans")
@requires(P.PLANS_MANAGE)
def plans():
    return render_template("coverage/plans.html", plans=list_plans())


@bp.route("/plans/new", methods=["GET", "POST"])
@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@requires(P.PLANS_MANAGE)
def plan_edit(plan_id: int | None = None):
    require_province_level()
    plan = db.get_or_404(Plan, plan_id) if plan_id else None
    errors: dict[str, list[str]] = {}
    status = 200
    values = _plan_values(plan)
    if request.method == "POST":
        values = request.form.to_dict()
        data, errors = load_form(PlanForm(), request.form)
        if data:
            try:
                plan = save_plan(plan, **data)
            except InspectionsError as exc:
                errors = exc.messages()
            else:
                flash(_("The plan is saved."), "success")
                return redirect(url_for("coverage.plans"))
        status = 422
    return render_template(
        "coverage/plan_form.html", plan=plan, values=values, errors=errors, agencies=_agencies()
    ), status


def _agencies() -> list:
    """The agencies a plan's standing agency is chosen from."""
    return list(db.session.scalars(select(Agency).order_by(Agency.sort_order)))


def _plan_values(plan: Plan | None) -> dict:
    if plan is None:
        return {
            "coverage_target_pct": str(DEFAULT_COVERAGE_TARGET),
            "tips_target_pct": str(DEFAULT_TIPS_TARGET),
            "standing_agency": default_standing_agency(local_today()),
        }

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    values = {
        key: text(getattr(plan, key))
        for key in (
            "number",
            "year",
            "issued_on",
            "issuer",
            "programme",
            "coverage_target_pct",
            "baseline_on",
            "tips_target_pct",
            "notes",
            "standing_agency_name",
            "place_name",
        )
    }
    values["standing_agency"] = plan.standing_agency.code if plan.standing_agency else ""
    return values
