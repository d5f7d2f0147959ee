"""The coverage rule, in SQL: one query per figure set, and the figures of one area.

For an area A and a period P = [start, end]:
- in scope: venues located in A, not merged into another record, operating at some time in P
  (opened_on ≤ end or unknown, and closed_on empty or ≥ start);
- inspected: in scope with ≥ 1 submitted inspection dated in P (a venue counts once);
- ever inspected: in scope with ≥ 1 submitted inspection from the plan's phase baseline to end.

Every figure comes from the latest submitted inspection of each venue up to the end of the
period (``last_on``): inspected ⇔ last_on ≥ start, ever inspected ⇔ last_on ≥ baseline. The page,
the API, the XLSX, the map and the drill-down lists (lists.py, next_visits.py) all read these
functions; the venue's own latest date and the chain of visits/chain.py give last_on without
grouping inspections by venue.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Date, and_, bindparam, case, func, null, or_, select
from sqlalchemy.orm import aliased

from ..accounts.services import Scope
from ..areas.models import Area
from ..areas.versions import (
    Version,
    check_as_of,
    check_level,
    day_of,
    default_level,
    in_force_clause,
    venue_area_column,
    venue_in,
    version_of,
)
from ..errors import Invalid, NotFound
from ..extensions import db
from ..venues.models import Sector, Venue
from ..visits.chain import IS_SUBMITTED, OPEN_END
from ..visits.models import Inspection
from .periods import Period
from .plans import Targets, plan_for

FIGURES = ("in_scope", "inspected", "not_inspected", "ever_inspected", "never_inspected")
# Map/list state of a venue in a period.
IN_PERIOD, EARLIER, NEVER = "inspected", "earlier", "never"


def day(value: date):
    """A date rendered into the SQL text: prepared statements of the figure set then plan
    with the real period (a generic plan cannot see how few rows a date range keeps)."""
    return bindparam(None, value, type_=Date, literal_execute=True)


# ---------------------------------------------------------------- the figures


@functools.lru_cache(maxsize=64)
def _hundredths(target: Decimal) -> int | None:
    """A target in % as an integer number of hundredths (20.00 -> 2000), so that the
    comparisons of thousands of rows are integer arithmetic; None when it has more places."""
    value = Decimal(target) * 100
    return int(value) if value == value.to_integral_value() else None


@dataclass(slots=True)
class Figures:
    """The coverage figures of one area (or of the totals row) for one period (slotted: a
    national figure set is 3,321 of them)."""

    code: str
    name: str
    area_id: int | None
    in_scope: int
    inspected: int
    ever_inspected: int
    target_pct: Decimal
    sectors: dict[str, Figures] = field(default_factory=dict)
    # The area's polygon is the demo one (drawn from commune seats), not an official boundary.
    approximate_boundary: bool = False

    @property
    def has_venues(self) -> bool:
        """Whether any venue is in scope."""
        return self.in_scope > 0

    @property
    def coverage_pct(self) -> float | None:
        """Inspected / in scope in %, one decimal; None ("no venues") when nothing is in scope."""
        return round(100 * self.inspected / self.in_scope, 1) if self.in_scope else None

    @property
    def meets_target(self) -> bool | None:
        """Exact comparison (no rounding): inspected / in scope ≥ target.

        Decimal products of integers and a two-place target are exact."""
        if not self.in_scope:
            return None
        hundredths = _hundredths(self.target_pct)
        if hundredths is None:
            return self.inspected * 100 >= Decimal(self.target_pct) * self.in_scope
        return self.inspected * 10_000 >= hundredths * self.in_scope  # integers: exact

    @property
    def status(self) -> str:
        """below / meets (the target) / none (no venues): the area's colour on the map."""
        if self.meets_target is None:
            return "none"
        return "meets" if self.meets_target else "below"

    @property
    def ever_inspected_pct(self) -> float | None:
        """Ever inspected / in scope in %, one decimal; None when nothing is in scope."""
        return round(100 * self.ever_inspected / self.in_scope, 1) if self.in_scope else None

    @property
    def never_inspected(self) -> int:
        """In scope and not inspected since the baseline."""
        return self.in_scope - self.ever_inspected

    @property
    def not_inspected(self) -> int:
        """In scope and not inspected in the period."""
        return self.in_scope - self.inspected

    @property
    def needed(self) -> int:
        """More venues to inspect in the period to reach the target (never negative)."""
        hundredths = _hundredths(self.target_pct)
        if hundredths is None:
            required = math.ceil(Decimal(self.target_pct) * self.in_scope / 100)
        else:
            required = -(-hundredths * self.in_scope // 10_000)  # ceil in integers
        return max(0, required - self.inspected)

    def count(self, figure: str) -> int:
        """The number behind a figure name of FIGURES."""
        return {
            "in_scope": self.in_scope,
            "inspected": self.inspected,
            "not_inspected": self.not_inspected,
            "ever_inspected": self.ever_inspected,
            "never_inspected": self.never_inspected,
        }[figure]

    def add(self, other: Figures) -> None:
        """Add another area's counts to these (totals, sector breakdowns)."""
        self.in_scope += other.in_scope
        self.inspected += other.inspected
        self.ever_inspected += other.ever_inspected


@dataclass
class Coverage:
    """A figure set: one row per area of a level on the map of ``as_of``, the totals row, and
    how it was computed."""

    period: Period
    level: str
    sector: Sector | None
    targets: Targets
    rows: list[Figures]
    totals: Figures
    as_of: date
    by_sector: bool = False
    sectors: list[Sector] = field(default_factory=list)

    @property
    def version(self) -> Version:
        """The administrative map the rows are cut by."""
        return version_of(self.as_of)

    @property
    def approximate_boundaries(self) -> bool:
        """Whether some area of the set has only a demo polygon."""
        return any(r.approximate_boundary for r in self.rows)

    @property
    def below_target(self) -> list[Figures]:
        """The rows below the target, the most venues still needed first."""
        rows = [r for r in self.rows if r.meets_target is False]
        return sorted(rows, key=lambda r: (-r.needed, r.coverage_pct or 0, r.name))

    @property
    def needed_in_units(self) -> int:
        """Venues still to inspect so that every unit reaches the target: the sum of each
        unit's need (a province can meet its target while some of its units miss theirs)."""
        return sum(r.needed for r in self.rows)

    def row(self, code: str) -> Figures:
        """The row (or the totals) of an area code; NotFound otherwise."""
        for r in self.rows:
            if r.code == code:
                return r
        if self.totals.code == code:
            return self.totals
        raise NotFound(_("Unknown area code %(code)s.", code=code), field="area")


def list_sectors() -> list[Sector]:
    """Every sector, in display order."""
    return list(db.session.scalars(select(Sector).order_by(Sector.sort_order)))


def sector_by_code(code: str | None) -> Sector | None:
    """The sector of a code, None for no filter, or Invalid listing the codes."""
    if not code:
        return None
    sectors = list_sectors()
    for s in sectors:
        if s.code == code:
            return s
    raise Invalid(
        _(
            "Unknown sector %(code)s; use one of %(codes)s.",
            code=code,
            codes=", ".join(s.code for s in sectors),
        ),
        field="sector",
    )


def map_of(period: Period, as_of: date | None = None, level: str | None = None) -> tuple[date, str]:
    """(as_of, level) of a figure set: the day whose administrative map cuts the rows
    (default: the period's last day) and the level (default: district before 1 July 2025,
    commune after); Invalid for a day out of range or a level the map has not."""
    day = check_as_of(as_of or period.end)
    chosen = check_level(level) if level else default_level(day)
    venue_area_column(chosen, day)  # refuses districts on today's map
    return day, chosen


def visible_areas(level: str, as_of: date, scope: Scope):
    """WHERE clause of the units of a level on the map of a day that a figure set may show:
    a province only with units under it; for an account of one area, its area, the units
    under it and the units its venues lie in. (Which of the others have a row: see
    figures_statement.)"""
    where = [Area.level == level, in_force_clause(as_of)]
    if level == "province":
        child = aliased(Area)
        where.append(
            select(child.id)
            .where(child.parent_id == Area.id, in_force_clause(as_of, child))
            .exists()
        )
    if not scope.everything:
        col = venue_area_column(level, as_of)
        mine = select(col).where(col.is_not(None), scope.venues(Venue))
        where.append(or_(scope.areas(Area), Area.id.in_(mine)))
    return and_(*where)


# ---------------------------------------------------------------- the clauses of the rule


def in_scope_clause(period: Period, sector_id: int | None = None):
    """WHERE clause of the rule: operating at some time in the period, not merged, sector."""
    clauses = [
        Venue.merged_into_id.is_(None),
        or_(Venue.opened_on.is_(None), Venue.opened_on <= day(period.end)),
        or_(Venue.closed_on.is_(None), Venue.closed_on >= day(period.start)),
    ]
    if sector_id is not None:
        clauses.append(Venue.sector_id == sector_id)
    return and_(*clauses)


def _chain_row(end):
    """WHERE clauses of the one chain row (visits/chain.py) of a venue's latest submitted
    inspection up to ``end``: inspected_on ≤ end < next_submitted_on."""
    return [IS_SUBMITTED, Inspection.inspected_on <= end, Inspection.next_submitted_on > end]


def _venue_last_on(end, later, *also):
    """The venue's own latest date when it is ≤ end (and ``also`` holds); for a venue
    inspected again after ``end``, ``later`` (read from its chain)."""
    return case(
        (and_(Venue.last_submitted_on <= end, *also), Venue.last_submitted_on),
        (Venue.last_submitted_on > end, later),
        else_=null(),
    )


def last_inspected_on(period: Period):
    """Per venue: the date of its latest submitted inspection up to the end of the period.

    The venue's own latest date when that is within the period's end (every current period);
    otherwise one lookup in the venue's chain of inspections (visits/chain.py).
    """
    end = day(period.end)
    earlier = (
        select(func.max(Inspection.inspected_on))
        .where(Inspection.venue_id == Venue.id, *_chain_row(end))
        .correlate(Venue)
        .scalar_subquery()
    )
    return _venue_last_on(end, earlier)


def last_inspections(period: Period, baseline: date | None):
    """The set form of last_inspected_on for figure sets: (li, last_on).

    ``li`` is a subquery to outer-join on ``Venue.id``: for the venues inspected again after
    the end of the period, their latest submitted inspection up to the end (the one chain row
    of each, found by a range scan of one index, with no grouping). For a current period it is
    empty. ``last_on`` is the column expression giving each venue's date, NULL when it falls
    before min(start, baseline): older inspections decide neither "inspected" (≥ start) nor
    "ever inspected" (≥ baseline), so the window leaves every figure unchanged.
    """
    end = day(period.end)
    where = [*_chain_row(end), Inspection.next_submitted_on < day(OPEN_END)]
    own = []
    if baseline is not None:
        lower = day(min(period.start, baseline))
        where.append(Inspection.inspected_on >= lower)
        own.append(Venue.last_submitted_on >= lower)
    li = (
        select(Inspection.venue_id, Inspection.inspected_on.label("last_on"))
        .where(*where)
        .subquery("li")
    )
    return li, _venue_last_on(end, li.c.last_on, *own)


def ever_clause(last_on, baseline: date | None):
    """Inspected at least once since the baseline (ever, without one)."""
    return last_on.is_not(None) if baseline is None else last_on >= day(baseline)


def _scoped_venues(
    period: Period, baseline: date | None, sector_id: int | None, scope: Scope, *columns, where=()
):
    """A subquery of the venues in scope (rule and user's area) with their last_on."""
    li, last_on = last_inspections(period, baseline)
    return (
        select(Venue.id.label("venue_id"), *columns, last_on.label("last_on"))
        .select_from(Venue)
        .outerjoin(li, li.c.venue_id == Venue.id)
        .where(in_scope_clause(period, sector_id), scope.venues(Venue), *where)
        .subquery("vs")
    )


def _counts(vs, period: Period, baseline: date | None) -> list:
    """The three counted columns of a figure set over a venue subquery."""
    return [
        func.count(vs.c.venue_id).label("in_scope"),
        func.count(case((vs.c.last_on >= day(period.start), 1))).label("inspected"),
        func.count(case((ever_clause(vs.c.last_on, baseline), 1))).label("ever"),
    ]


# ---------------------------------------------------------------- figure sets


def figures_statement(
    period: Period,
    level: str,
    scope: Scope,
    baseline: date | None,
    sector_id: int | None = None,
    by_sector: bool = False,
    as_of: date | None = None,
):
    """The figure set as one SELECT ... GROUP BY area (and sector on demand), the venues
    grouped by their unit column of the map of ``as_of`` (default: the period's last day).

    A row for every unit of the province's land (with a polygon) and every unit with venues
    in scope: today's Lâm Đồng has 124 units, the 45 on former Bình Thuận are drawn."""
    day = as_of or period.end
    vs = _scoped_venues(
        period,
        baseline,
        sector_id,
        scope,
        venue_area_column(level, day).label("area_id"),
        Venue.sector_id.label("sector_id"),
    )
    group = [Area.id, Area.code, Area.name, Area.boundary_source]
    cols = [Area.id, Area.code, Area.name, Area.boundary_source, *_counts(vs, period, baseline)]
    if by_sector:
        cols.append(vs.c.sector_id)
        group.append(vs.c.sector_id)
    return (
        select(*cols)
        .select_from(Area)
        .outerjoin(vs, vs.c.area_id == Area.id)
        .where(visible_areas(level, day, scope))
        .group_by(*group)
        .having(
            or_(
                Area.level == "province",
                Area.geom.is_not(None),
                func.count(vs.c.venue_id) > 0,
            )
        )
        .order_by(Area.code)
    )


def _totals_area(scope: Scope, as_of: date) -> tuple[str, str, int | None]:
    """Code, name and id of the totals row: the province on the map of the day, or the user's
    own area (columns only: the area's polygon is not needed here)."""
    where = (
        visible_areas("province", as_of, scope) if scope.everything else Area.id == scope.area_id
    )
    row = db.session.execute(
        select(Area.code, Area.name, Area.id).where(where).order_by(Area.code).limit(1)
    ).first()
    if row is None:
        return "", _("Total"), None
    return row.code, row.name, row.id


def coverage(
    period: Period,
    level: str | None = None,
    *,
    scope: Scope,
    sector: str | None = None,
    by_sector: bool = False,
    as_of: date | None = None,
) -> Coverage:
    """The figure set of a level for a period on the map of ``as_of`` (see map_of), as the
    user's scope sees it, with totals. The rule is the same on every map: totals agree."""
    as_of, level = map_of(period, as_of, level)
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    target = targets.coverage_pct
    stmt = figures_statement(
        period,
        level,
        scope,
        targets.baseline_on,
        sector_obj.id if sector_obj else None,
        by_sector,
        as_of,
    )
    sectors = list_sectors() if by_sector else []
    province = level == "province"
    result = db.session.execute(stmt)
    if by_sector:
        rows = _rows_by_sector(result, target, province, {s.id: s.code for s in sectors})
    else:
        # one row per unit: the unit's figures are the row, built straight from the tuples
        # (the country's 3,321 communes are one answer)
        rows = [
            Figures(
                code,
                name,
                area_id,
                in_scope,
                inspected,
                ever,
                target,
                {},
                _approximate(source, province),
            )
            for area_id, code, name, source, in_scope, inspected, ever in result
        ]
    code, name, area_id = _totals_area(scope, as_of)
    totals = Figures(code, name, area_id, 0, 0, 0, target)
    for row in rows:
        totals.add(row)
        for s_code, fig in row.sectors.items():
            tot = totals.sectors.setdefault(s_code, Figures(code, name, area_id, 0, 0, 0, target))
            tot.add(fig)
    return Coverage(
        period=period,
        level=level,
        sector=sector_obj,
        targets=targets,
        rows=rows,
        totals=totals,
        by_sector=by_sector,
        sectors=sectors,
        as_of=as_of,
    )


def _approximate(boundary_source: str | None, province: bool) -> bool:
    """Whether a unit's polygon is approximate: a demo one, or a province without a polygon of
    its own (drawn from its units' polygons)."""
    return boundary_source == "demo" or (province and boundary_source is None)


def _rows_by_sector(result, target: Decimal, province: bool, sector_codes: dict) -> list[Figures]:
    """The rows of a figure set by sector: (unit, sector) records summed per unit, each
    unit's sectors kept under it."""
    rows: dict[int, Figures] = {}
    for area_id, code, name, source, in_scope, inspected, ever, sector_id in result:
        row = rows.get(area_id)
        if row is None:
            row = rows[area_id] = Figures(code, name, area_id, 0, 0, 0, target)
            row.approximate_boundary = _approximate(source, province)
        fig = Figures(code, name, area_id, in_scope, inspected, ever, target)
        row.add(fig)
        if sector_id is not None:
            row.sectors[sector_codes[sector_id]] = fig
    return list(rows.values())


# ---------------------------------------------------------------- one area


def area_for(code: str, scope: Scope, as_of: date | None = None, strict: bool = False) -> Area:
    """The unit with this code that the user may see (their area, a unit under it, or a unit
    their venues lie in; 404 otherwise): the one on the map of ``as_of`` first, then (unless
    ``strict``: the day was asked for) its other versions, latest first."""
    units = db.session.scalars(
        select(Area).where(Area.code == str(code)).order_by(Area.valid_from.desc())
    ).all()
    if as_of is not None:
        day = check_as_of(as_of)
        on_day = [a for a in units if a.valid_from <= day <= (a.valid_to or day)]
        units = on_day if strict else on_day + [a for a in units if a not in on_day]
    for area in units:
        if scope.everything or _sees(scope, area):
            return area
    raise NotFound(_("Unknown area code %(code)s.", code=code), field="area")


def area_asked(code: str, scope: Scope, period: Period, as_of: date | None = None) -> Area:
    """The unit a drill-down names: on the map of as_of when one was asked for, else
    preferably on the map of the period's last day."""
    return area_for(code, scope, as_of or period.end, strict=as_of is not None)


def _sees(scope: Scope, area: Area) -> bool:
    """Whether an account of one area sees a unit (of any map)."""
    if area.id == scope.area_id or area.parent_id == scope.area_id:
        return True
    if area.level == "province":
        return False
    col = venue_area_column(area.level, day_of(area))
    return (
        db.session.scalar(select(Venue.id).where(col == area.id, scope.venues(Venue)).limit(1))
        is not None
    )


def area_figures(period: Period, area: Area, *, scope: Scope, sector: str | None = None) -> Figures:
    """The figures of one area (any level), the same rule as the figure set."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _scoped_venues(
        period,
        targets.baseline_on,
        sector_obj.id if sector_obj else None,
        scope,
        where=[venue_in(area)],
    )
    rec = db.session.execute(select(*_counts(vs, period, targets.baseline_on))).one()
    return Figures(
        area.code,
        area.name,
        area.id,
        rec.in_scope,
        rec.inspected,
        rec.ever,
        targets.coverage_pct,
        approximate_boundary=area.boundary_source == "demo",
    )
