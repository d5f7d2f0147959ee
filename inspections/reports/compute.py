"""One function computes the Report of a window and an area; the page, the API, the XLSX and
the PDF render it, and sending freezes it.

Computed indicators read the coverage rule (coverage, ever inspected: the same totals as the
coverage API gives an account of the area), the tips (due in the window, closed by their due
day) and the violation register (violations and fines of the window); reported indicators
add up the figures the units entered. Each is set beside the same window a year earlier.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import clock
from ..areas.models import Area
from ..errors import NotFound
from . import annex, figures, indicators, values
from .labels import NO_TEAM, TOTAL, UNPLACED, both
from .models import Indicator
from .report import Column, IndicatorLine, Report, Table
from .windows import Window

PLAN_TARGETS = {"coverage": "coverage_pct", "tips_in_time": "tips_pct"}


def plan_of(w: Window):
    """The plan whose indicators a window reports on, or NotFound saying what to do."""
    plan = figures.targets_for(w.period).plan
    if plan is None:
        raise NotFound(
            _("No plan applies to %(w)s: enter the plan of %(y)s first.", w=w.key, y=w.year),
            field="window",
        )
    return plan


def build(w: Window, area: Area) -> Report:
    """The report of a window for an area: indicators, then the annex tables."""
    period = w.period
    targets = figures.targets_for(period)
    plan = plan_of(w)
    level = figures.unit_level(area, w.end)
    row_level = level or area.level
    rows_set = figures.coverage_set(period, area, row_level)
    own_level = figures.totals_level(area, w.end)
    own = rows_set if own_level == row_level else figures.coverage_set(period, area, own_level)
    units = [(r.area_id, r.code, r.name) for r in rows_set.rows]
    prev = _previous(w)
    tips = annex.tips_by_unit(w, prev, area, row_level)
    fines = annex.fines_by_unit(w, prev, area, row_level)
    teams = annex.inspections_and_teams(w, area, row_level)
    computed = {
        "coverage": (own.totals.inspected, own.totals.in_scope),
        "ever_inspected": (own.totals.ever_inspected, own.totals.in_scope),
        "tips_in_time": (tips.total("due_in_time"), tips.total("due")),
        "violations": (fines.total("violations"), None),
        "fines": (fines.total("decided"), None),
    }
    previous = _previous_figures(prev, area, tips, fines) if prev else {}
    plan_indicators = indicators.of_plan(plan)
    reported = [i for i in plan_indicators if i.kind == "reported"]
    now_values = values.sums(w.key, area, reported)
    prev_values = values.sums(prev.key, area, reported) if prev else {}
    expected = {lvl: len(figures.units_of(area, lvl, w.end)) for lvl in {i.level for i in reported}}
    lines = []
    for ind in plan_indicators:
        line = _line(ind, targets)
        if ind.kind == "computed":
            assert ind.source is not None  # save_indicator: a computed one names its rule
            line.numerator, line.denominator = computed[ind.source]
            if ind.source in previous:
                line.previous_numerator, line.previous_denominator = previous[ind.source]
        else:
            got, before = now_values.get(ind.code), prev_values.get(ind.code)
            line.units_expected = expected[ind.level]
            if got is not None:
                line.numerator, line.denominator = got.numerator, got.denominator
                line.units_reported, line.note, line.files = got.units, got.note, got.files
            else:
                line.units_reported = 0
            if before is not None:
                line.previous_numerator = before.numerator
                line.previous_denominator = before.denominator
        lines.append(line)
    sectors = rows_set.sectors
    province = figures.province_on(w.end)
    months = int(current_app.config.get("REPEAT_WINDOW_MONTHS", 12))
    tables = [
        _venues_table(rows_set, own, sectors, targets.baseline_on),
        _inspections_table(units, teams.by_unit, rows_set),
        _teams_table(annex.teams_used(teams.by_team)),
        _violations_table(annex.violations_by_article(w, area), sectors),
        _fines_table(units, fines),
        _closures_table(units, annex.closures_by_unit(w, area, row_level)),
        _repeat_table(*annex.repeat_offenders(w.end, area, months), units, row_level, sectors),
        _tips_table(units, tips),
    ]
    return Report(
        window=w.key,
        start=w.start,
        end=w.end,
        due_on=w.due_on,
        area_id=area.id,
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
        unit_level=level,
        province_name=province.name if province else "",
        plan=_plan(plan, targets),
        sectors=[{"code": s.code, "name_vi": s.name_vi, "name_en": s.name_en} for s in sectors],
        indicators=lines,
        tables=tables,
        previous_window=prev.key if prev else None,
        computed_at=clock.now(),
    )


def _previous(w: Window) -> Window | None:
    """The same window a year earlier (None before the first year periods accept)."""
    try:
        return w.previous
    except NotFound:
        return None


def _previous_figures(prev: Window, area: Area, tips, fines) -> dict:
    """The computed indicators' figures of the same window a year earlier (tips and fines
    come with this window's aggregates)."""
    cov = figures.area_totals(prev.period, area)
    return {
        "coverage": (cov.inspected, cov.in_scope),
        "ever_inspected": (cov.ever_inspected, cov.in_scope),
        "tips_in_time": (tips.total("prev_due_in_time"), tips.total("prev_due")),
        "violations": (fines.total("prev_violations"), None),
        "fines": (fines.total("prev_decided"), None),
    }


def _plan(plan, targets) -> dict:
    agency = plan.standing_agency
    return {
        "number": plan.number,
        "year": plan.year,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "issuer": plan.issuer,
        "programme": plan.programme,
        "standing_agency": plan.standing_agency_title,
        "standing_agency_body": agency.name_vi if agency else plan.standing_agency_title,
        "standing_agency_code": agency.code if agency else None,
        "standing_agency_short": agency.short_vi if agency else None,
        "place_name": plan.place_name,
        "coverage_target_pct": str(targets.coverage_pct),
        "tips_target_pct": str(targets.tips_pct),
    }


def _line(ind: Indicator, targets) -> IndicatorLine:
    target = ind.target_pct
    if ind.source in PLAN_TARGETS:  # the plan's own target, the one the coverage page shows
        target = Decimal(getattr(targets, PLAN_TARGETS[ind.source]))
    return IndicatorLine(
        code=ind.code,
        target_no=ind.target_no,
        kind=ind.kind,
        compare=ind.compare,
        level=ind.level,
        source=ind.source,
        text_vi=ind.text_vi,
        text_en=ind.text_en,
        numerator_vi=ind.numerator_vi,
        numerator_en=ind.numerator_en,
        denominator_vi=ind.denominator_vi,
        denominator_en=ind.denominator_en,
        target_pct=target,
        target_text_vi=ind.target_text_vi,
        target_text_en=ind.target_text_en,
    )


# ---------------------------------------------------------------- annex tables


def _unit_rows(units, grouped: annex.Grouped, keys: tuple[str, ...], extra=None) -> list[dict]:
    """One row per unit (all of them, zeros included), then the venues without a unit;
    extra(row, unit_id) adds what the aggregate does not hold."""
    rows = []
    for unit_id, code, name in units:
        got = grouped.get(unit_id)
        row = {"unit": name, "ref": {"area": code}, **{k: got.get(k, 0) for k in keys}}
        rows.append(extra(row, unit_id) if extra else row)
    known = {u[0] for u in units}
    for unit_id, got in grouped.by_unit.items():
        if unit_id not in known and any(got.values()):
            row = {**_words("unit", UNPLACED), "ref": {}, **{k: got.get(k, 0) for k in keys}}
            rows.append(extra(row, None) if extra else row)
    return rows


def _words(key: str, text) -> dict:
    """A text cell of the app's own words: Vietnamese, and its English twin."""
    vi, en = both(text)
    return {key: vi, f"{key}_en": en}


def _total(key: str) -> dict:
    return _words(key, TOTAL)


def _sum(rows: list[dict], keys: tuple[str, ...]) -> dict:
    return {k: sum(r.get(k) or 0 for r in rows) for k in keys}


def _pct(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def _sector_columns(sectors) -> list[Column]:
    return [Column(f"sector:{s.code}", "int", s.name_vi, s.name_en) for s in sectors]


def _baseline_column(key: str, baseline: date | None) -> Column:
    """ "Inspected at least once" / "never inspected" headed with the phase baseline they count
    from: a window that starts before it (the 2026 reports from 15/12/2025) can hold venues
    inspected in the window but not since the baseline, and the heading says why."""
    if baseline is None:
        return Column(key)
    day = baseline.strftime("%d/%m/%Y")
    text = (
        _l("Inspected at least once since %(day)s", day=day)
        if key == "ever_inspected"
        else _l("Not inspected since %(day)s", day=day)
    )
    return Column(key, "int", *both(text))


def _venues_table(rows_set, own, sectors, baseline: date | None) -> Table:
    keys = ("in_scope", "inspected", "ever_inspected", "never_inspected")

    def row_of(fig, name, ref) -> dict:
        row = {"unit": name, "ref": ref}
        for s in sectors:
            sub = fig.sectors.get(s.code)
            row[f"sector:{s.code}"] = sub.in_scope if sub else 0
        row.update({k: getattr(fig, k) for k in keys})
        row["coverage_pct"] = fig.coverage_pct
        return row

    rows = [row_of(r, r.name, {"area": r.code}) for r in rows_set.rows]
    if own.totals.in_scope > rows_set.totals.in_scope:
        missing = dict.fromkeys(keys, 0)
        row = {**_words("unit", UNPLACED), "ref": {}}
        for s in sectors:
            whole, part = own.totals.sectors.get(s.code), rows_set.totals.sectors.get(s.code)
            row[f"sector:{s.code}"] = (whole.in_scope if whole else 0) - (
                part.in_scope if part else 0
            )
        for k in keys:
            missing[k] = getattr(own.totals, k) - getattr(rows_set.totals, k)
        row.update(missing)
        row["coverage_pct"] = _pct(missing["inspected"], missing["in_scope"])
        rows.append(row)
    totals = {**row_of(own.totals, "", {"area": own.totals.code}), **_total("unit")}
    columns = [
        Column("unit", "text"),
        *_sector_columns(sectors),
        Column("in_scope"),
        Column("inspected"),
        Column("coverage_pct", "pct"),
        _baseline_column("ever_inspected", baseline),
        _baseline_column("never_inspected", baseline),
    ]
    return Table("venues", columns, rows, totals)


def _inspections_table(units, grouped: annex.Grouped, rows_set) -> Table:
    # Venues inspected: the coverage rule's (venues in scope with a submitted inspection in
    # the window), the figure the venues table and the coverage page show.
    inspected = {r.area_id: r.inspected for r in rows_set.rows}

    def venues(row: dict, unit_id: int | None) -> dict:
        row["venues"] = inspected.get(unit_id, 0)
        return row

    keys = ("inspections", "teams")
    rows = _unit_rows(units, grouped, keys, venues)
    totals = _sum(rows, ("inspections", "venues"))
    # A team working in two units counts once in the total.
    totals["teams"] = None
    columns = [Column("unit", "text"), Column("inspections"), Column("venues"), Column("teams")]
    return Table("inspections", columns, rows, {**_total("unit"), **totals})


def _teams_table(teams: list[dict]) -> Table:
    rows = [
        {
            **({"team": t["name"]} if t["team_id"] else _words("team", NO_TEAM)),
            "agency": t["agency_vi"] or "",
            "agency_en": t["agency_en"] or "",
            "inspections": t["inspections"],
            "ref": {"team": t["team_id"]} if t["team_id"] else {},
        }
        for t in teams
    ]
    totals = {**_total("team"), "agency": "", **_sum(rows, ("inspections",))}
    columns = [Column("team", "text"), Column("agency", "text"), Column("inspections")]
    return Table("teams", columns, rows, totals)


def _violations_table(found: list[dict], sectors) -> Table:
    articles: dict[tuple[str, int], dict] = {}
    for rec in found:
        key = (rec["decree"], rec["article"])
        row = articles.setdefault(
            key,
            {
                "legal": f"Điều {rec['article']} Nghị định {rec['decree']}",
                "ref": {"decree": rec["decree"], "article": rec["article"]},
                **{f"sector:{s.code}": 0 for s in sectors},
                "violations": 0,
                "fines": 0,
            },
        )
        row[f"sector:{rec['sector']}"] = row.get(f"sector:{rec['sector']}", 0) + rec["n"]
        row["violations"] += rec["n"]
        row["fines"] += rec["fines"]
    rows = [articles[k] for k in sorted(articles)]
    keys = (*(f"sector:{s.code}" for s in sectors), "violations", "fines")
    columns = [
        Column("legal", "text"),
        *_sector_columns(sectors),
        Column("violations"),
        Column("fines", "vnd"),
    ]
    return Table("violations", columns, rows, {**_total("legal"), **_sum(rows, keys)})


def _fines_table(units, grouped: annex.Grouped) -> Table:
    keys = ("violations", "fined", "decided", "paid")

    def unpaid(row: dict, _unit_id: int | None) -> dict:
        row["unpaid"] = row["decided"] - row["paid"]
        return row

    rows = _unit_rows(units, grouped, keys, unpaid)
    totals = {**_total("unit"), **_sum(rows, (*keys, "unpaid"))}
    columns = [
        Column("unit", "text"),
        Column("violations"),
        Column("fined"),
        Column("decided", "vnd"),
        Column("paid", "vnd"),
        Column("unpaid", "vnd"),
    ]
    return Table("fines", columns, rows, totals)


def _closures_table(units, grouped: annex.Grouped) -> Table:
    keys = ("suspended", "closed")
    rows = _unit_rows(units, grouped, keys)
    columns = [Column("unit", "text"), Column("suspended"), Column("closed")]
    return Table("closures", columns, rows, {**_total("unit"), **_sum(rows, keys)})


def _repeat_table(found: list[dict], total: int, since: date, units, level: str, sectors) -> Table:
    names = {unit_id: name for unit_id, _code, name in units}
    sector_names = {s.code: (s.name_vi, s.name_en) for s in sectors}
    rows = []
    for rec in found:
        unit_id = rec["district_id"] if level == "district" else rec["commune_id"]
        rows.append(
            {
                "venue": rec["name"],
                "unit": names.get(unit_id, ""),
                "sector": sector_names.get(rec["sector"], (rec["sector"],) * 2)[0],
                "sector_en": sector_names.get(rec["sector"], (rec["sector"],) * 2)[1],
                "violations": rec["n"],
                "last_on": rec["last_on"],
                "fines": rec["fines"],
                "ref": {"venue": rec["venue_id"], "since": since.isoformat()},
            }
        )
    columns = [
        Column("venue", "text"),
        Column("unit", "text"),
        Column("sector", "text"),
        Column("violations"),
        Column("last_on", "date"),
        Column("fines", "vnd"),
    ]
    return Table("repeat", columns, rows, None, total_rows=total)


def _tips_table(units, grouped: annex.Grouped) -> Table:
    keys = ("received", "verified", "in_time", "overdue")
    rows = _unit_rows(units, grouped, keys)
    columns = [Column("unit", "text"), *(Column(k) for k in keys)]
    return Table("tips", columns, rows, {**_total("unit"), **_sum(rows, keys)})
