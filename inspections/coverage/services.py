"""The coverage rule, in SQL: one query per figure set, the venues behind each figure, plans.

For an area A and a period P = [start, end]:
- in scope: venues located in A, not merged into another record, operating at some time in P
  (opened_on ≤ end or unknown, and closed_on empty or ≥ start);
- inspected: in scope with ≥ 1 submitted inspection dated in P (a venue counts once);
- ever inspected: in scope with ≥ 1 submitted inspection from the plan's phase baseline to end.

Every figure comes from the latest submitted inspection of each venue up to the end of the
period (``last_on``): inspected ⇔ last_on ≥ start, ever inspected ⇔ last_on ≥ baseline. The page,
the API, the XLSX, the map and the drill-down lists all read these functions; the venue's own
latest date and the chain of visits/chain.py give last_on without grouping inspections by venue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import (
    Date,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    true,
)

from ..accounts.services import Scope
from ..areas.models import Area
from ..errors import Invalid, NotFound
from ..extensions import db
from ..spatial import distance_m, point_expr
from ..uow import transactional
from ..venues.models import Sector, Venue
from ..visits.chain import IS_SUBMITTED, OPEN_END
from ..visits.models import Inspection
from .models import DEFAULT_COVERAGE_TARGET, DEFAULT_TIPS_TARGET, Plan
from .periods import Period

LEVELS = ("district", "commune")


def day(value: date):
    """A date rendered into the SQL text: prepared statements of the figure set then plan
    with the real period (a generic plan cannot see how few rows a date range keeps)."""
    return bindparam(None, value, type_=Date, literal_execute=True)


FIGURES = ("in_scope", "inspected", "not_inspected", "ever_inspected", "never_inspected")
# Map/list state of a venue in a period.
IN_PERIOD, EARLIER, NEVER = "inspected", "earlier", "never"


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class Targets:
    """The plan applied to a period (None when no plan exists) and the targets it gives."""

    plan: Plan | None
    coverage_pct: Decimal
    baseline_on: date | None
    tips_pct: Decimal


def plan_for(period: Period) -> Targets:
    """The plan of the period's year (of its end date), else the latest plan before it."""
    plan = db.session.scalars(
        select(Plan).where(Plan.year <= period.end.year).order_by(Plan.year.desc()).limit(1)
    ).first()
    if plan is None:
        return Targets(None, DEFAULT_COVERAGE_TARGET, None, DEFAULT_TIPS_TARGET)
    return Targets(plan, plan.coverage_target_pct, plan.baseline_on, plan.tips_target_pct)


def list_plans() -> list[Plan]:
    """Every plan, newest year first."""
    return list(db.session.scalars(select(Plan).order_by(Plan.year.desc())))


@transactional
def save_plan(plan: Plan | None, **values) -> Plan:
    """Create (plan=None) or update a plan; number and year are unique."""
    for key, label in (("number", _("number")), ("year", _("year"))):
        other = db.session.scalar(
            select(Plan.id).where(
                getattr(Plan, key) == values[key], Plan.id != (plan.id if plan else -1)
            )
        )
        if other:
            raise Invalid(_("Another plan already has this %(what)s.", what=label), field=key)
    if values.get("baseline_on") and values["baseline_on"] > date(values["year"], 12, 31):
        raise Invalid(
            _("The phase baseline must not be after the plan's year."), field="baseline_on"
        )
    if plan is None:
        plan = Plan(**values)
        db.session.add(plan)
    else:
        for key, value in values.items():
            setattr(plan, key, value)
    db.session.flush()
    return plan


# ---------------------------------------------------------------- the figures


@dataclass
class Figures:
    """The coverage figures of one area (or of the totals row) for one period."""

    code: str
    name: str
    area_id: int | None
    in_scope: int
    inspected: int
    ever_inspected: int
    target_pct: Decimal
    sectors: dict[str, Figures] = field(default_factory=dict)

    @property
    def has_venues(self) -> bool:
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
        return self.inspected * 100 >= Decimal(self.target_pct) * self.in_scope

    @property
    def ever_inspected_pct(self) -> float | None:
        return round(100 * self.ever_inspected / self.in_scope, 1) if self.in_scope else None

    @property
    def never_inspected(self) -> int:
        return self.in_scope - self.ever_inspected

    @property
    def not_inspected(self) -> int:
        return self.in_scope - self.inspected

    @property
    def needed(self) -> int:
        """More venues to inspect in the period to reach the target (never negative)."""
        required = math.ceil(Decimal(self.target_pct) * self.in_scope / 100)
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
        self.in_scope += other.in_scope
        self.inspected += other.inspected
        self.ever_inspected += other.ever_inspected


@dataclass
class Coverage:
    """A figure set: one row per area of a level, the totals row, and how it was computed."""

    period: Period
    level: str
    sector: Sector | None
    targets: Targets
    rows: list[Figures]
    totals: Figures
    by_sector: bool = False
    sectors: list[Sector] = field(default_factory=list)
    approximate_boundaries: bool = False

    def row(self, code: str) -> Figures:
        for r in self.rows:
            if r.code == code:
                return r
        if self.totals.code == code:
            return self.totals
        raise NotFound(_("Unknown area code %(code)s.", code=code), field="area")


def sector_by_code(code: str | None) -> Sector | None:
    """The sector of a code, None for no filter, or Invalid listing the codes."""
    if not code:
        return None
    sectors = list(db.session.scalars(select(Sector).order_by(Sector.sort_order)))
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


def check_level(level: str) -> str:
    """The area level, or Invalid listing the accepted ones."""
    if level not in LEVELS:
        raise Invalid(
            _(
                "Unknown area level %(level)s; use one of %(levels)s.",
                level=level,
                levels=", ".join(LEVELS),
            ),
            field="level",
        )
    return level


def _area_column(level: str):
    return Venue.district_id if level == "district" else Venue.commune_id


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


def _ever_clause(last_on, baseline: date | None):
    return last_on.is_not(None) if baseline is None else last_on >= day(baseline)


def figures_statement(
    period: Period,
    level: str,
    scope: Scope,
    baseline: date | None,
    sector_id: int | None = None,
    by_sector: bool = False,
):
    """The figure set as one SELECT ... GROUP BY area (and sector on demand)."""
    area_col = _area_column(level)
    vs = _scoped_venues(
        period,
        baseline,
        sector_id,
        scope,
        area_col.label("area_id"),
        Venue.sector_id.label("sector_id"),
    )
    group = [Area.id, Area.code, Area.name, Area.boundary_source]
    cols = [
        Area.id,
        Area.code,
        Area.name,
        Area.boundary_source,
        func.count(vs.c.venue_id).label("in_scope"),
        func.count(case((vs.c.last_on >= day(period.start), 1))).label("inspected"),
        func.count(case((_ever_clause(vs.c.last_on, baseline), 1))).label("ever"),
    ]
    if by_sector:
        cols.append(vs.c.sector_id)
        group.append(vs.c.sector_id)
    return (
        select(*cols)
        .select_from(Area)
        .outerjoin(vs, vs.c.area_id == Area.id)
        .where(Area.level == level, scope.areas(Area))
        .group_by(*group)
        .order_by(Area.code)
    )


def _totals_area(scope: Scope) -> tuple[str, str, int | None]:
    """Code, name and id of the totals row: the province, or the user's own area (columns
    only: the area's polygon is not needed here)."""
    where = Area.level == "province" if scope.everything else Area.id == scope.area_id
    row = db.session.execute(
        select(Area.code, Area.name, Area.id).where(where).order_by(Area.code).limit(1)
    ).first()
    if row is None:
        return "", _("Total"), None
    return row.code, row.name, row.id


def coverage(
    period: Period,
    level: str = "district",
    *,
    scope: Scope,
    sector: str | None = None,
    by_sector: bool = False,
) -> Coverage:
    """The figure set of a level for a period, as the user's scope sees it, with totals."""
    check_level(level)
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
    )
    sectors = (
        list(db.session.scalars(select(Sector).order_by(Sector.sort_order))) if by_sector else []
    )
    sector_codes = {s.id: s.code for s in sectors}
    rows: dict[int, Figures] = {}
    approximate = False
    for rec in db.session.execute(stmt):
        approximate = approximate or rec.boundary_source == "demo"
        fig = Figures(rec.code, rec.name, rec.id, rec.in_scope, rec.inspected, rec.ever, target)
        row = rows.setdefault(rec.id, Figures(rec.code, rec.name, rec.id, 0, 0, 0, target))
        row.add(fig)
        if by_sector and rec.sector_id is not None:
            row.sectors[sector_codes[rec.sector_id]] = fig
    code, name, area_id = _totals_area(scope)
    totals = Figures(code, name, area_id, 0, 0, 0, target)
    for row in rows.values():
        totals.add(row)
        for s_code, fig in row.sectors.items():
            tot = totals.sectors.setdefault(s_code, Figures(code, name, area_id, 0, 0, 0, target))
            tot.add(fig)
    return Coverage(
        period=period,
        level=level,
        sector=sector_obj,
        targets=targets,
        rows=list(rows.values()),
        totals=totals,
        by_sector=by_sector,
        sectors=sectors,
        approximate_boundaries=approximate,
    )


# ---------------------------------------------------------------- areas and their venues


def area_for(code: str, scope: Scope) -> Area:
    """An area the user may see (404 outside the scope)."""
    area = db.session.scalars(
        select(Area)
        .where(Area.code == str(code), scope.areas(Area))
        .order_by(Area.valid_from.desc())
    ).first()
    if area is None:
        raise NotFound(_("Unknown area code %(code)s.", code=code), field="area")
    return area


def _located_in(area: Area):
    if area.level == "district":
        return Venue.district_id == area.id
    if area.level == "commune":
        return Venue.commune_id == area.id
    districts = select(Area.id).where(Area.parent_id == area.id, Area.level == "district")
    return Venue.district_id.in_(districts)


def area_figures(period: Period, area: Area, *, scope: Scope, sector: str | None = None) -> Figures:
    """The figures of one area (any level), the same rule as the figure set."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _scoped_venues(
        period,
        targets.baseline_on,
        sector_obj.id if sector_obj else None,
        scope,
        where=[_located_in(area)],
    )
    rec = db.session.execute(
        select(
            func.count(vs.c.venue_id),
            func.count(case((vs.c.last_on >= period.start, 1))),
            func.count(case((_ever_clause(vs.c.last_on, targets.baseline_on), 1))),
        )
    ).one()
    return Figures(area.code, area.name, area.id, rec[0], rec[1], rec[2], targets.coverage_pct)


def _figure_clause(figure: str, last_on, period: Period, baseline: date | None):
    if figure == "in_scope":
        return true()
    if figure == "inspected":
        return last_on >= period.start
    if figure == "not_inspected":
        return or_(last_on.is_(None), last_on < period.start)
    if figure == "ever_inspected":
        return _ever_clause(last_on, baseline)
    if figure == "never_inspected":
        return last_on.is_(None) if baseline is None else or_(last_on.is_(None), last_on < baseline)
    raise Invalid(
        _("Unknown figure %(f)s; use one of %(all)s.", f=figure, all=", ".join(FIGURES)),
        field="figure",
    )


def _state(last_on, period: Period, baseline: date | None):
    return case(
        (last_on >= period.start, literal(IN_PERIOD)),
        (_ever_clause(last_on, baseline), literal(EARLIER)),
        else_=literal(NEVER),
    )


@dataclass
class VenueLine:
    """One venue behind a figure, with what the list and the map show of it."""

    id: int
    name: str
    address: str | None
    sector_code: str
    sector_name: str
    area_id: int | None
    last_on: date | None
    state: str
    lat: float
    lon: float
    distance_m: float | None = None
    past_violations: int = 0
    open_tips: int = 0


def _venue_select(
    period: Period, scope: Scope, sector_id: int | None, level: str, area: Area | None = None
):
    """Venues in scope (of an area when given) with their last_on, as a subquery."""
    area_col = _area_column(level) if level in LEVELS else Venue.district_id
    where = [_located_in(area)] if area is not None else []
    return (
        select(
            Venue.id,
            Venue.name,
            Venue.address,
            Venue.sector_id,
            area_col.label("area_id"),
            Venue.location,
            last_inspected_on(period).label("last_on"),
        )
        .where(in_scope_clause(period, sector_id), scope.venues(Venue), *where)
        .subquery("vs")
    )


def venue_lines(
    period: Period,
    *,
    scope: Scope,
    figure: str = "in_scope",
    area: Area | None = None,
    sector: str | None = None,
    level: str = "district",
    page: int = 1,
    per_page: int | None = 50,
) -> tuple[int, list[VenueLine]]:
    """(total, one page of) the venues behind a figure of an area (or of the whole scope)."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _venue_select(period, scope, sector_obj.id if sector_obj else None, level, area)
    where = [_figure_clause(figure, vs.c.last_on, period, targets.baseline_on)]
    total = db.session.scalar(select(func.count()).select_from(vs).where(*where))
    q = (
        select(*_line_columns(vs, period, targets.baseline_on))
        .join(Sector, Sector.id == vs.c.sector_id)
        .where(*where)
        .order_by(vs.c.name, vs.c.id)
    )
    if per_page:
        q = q.offset((page - 1) * per_page).limit(per_page)
    en = _english()
    return total, [_line(r, en) for r in db.session.execute(q)]


def _line_columns(vs, period: Period, baseline: date | None) -> list:
    """The columns of a VenueLine, from a venue subquery joined to Sector (see _line)."""
    return [
        vs.c.id,
        vs.c.name,
        vs.c.address,
        Sector.code,
        Sector.name_vi,
        Sector.name_en,
        vs.c.area_id,
        vs.c.last_on,
        _state(vs.c.last_on, period, baseline),
        func.ST_Y(vs.c.location),
        func.ST_X(vs.c.location),
    ]


def _line(r, en: bool, **extra) -> VenueLine:
    """A VenueLine from a row that starts with the _line_columns."""
    name = r[5] if en else r[4]
    return VenueLine(*r[:4], name, *r[6:9], float(r[9]), float(r[10]), **extra)


def _english() -> bool:
    from flask_babel import get_locale

    return str(get_locale()) == "en"


def map_points(period: Period, *, scope: Scope, level: str, sector: str | None = None) -> list:
    """Every venue in scope as (lat, lon, state, id, name, area_id), for the map layer."""
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    vs = _venue_select(period, scope, sector_obj.id if sector_obj else None, level)
    q = select(
        func.ST_Y(vs.c.location),
        func.ST_X(vs.c.location),
        _state(vs.c.last_on, period, targets.baseline_on),
        vs.c.id,
        vs.c.name,
        vs.c.area_id,
    ).order_by(vs.c.id)
    return [tuple(r) for r in db.session.execute(q)]


# ---------------------------------------------------------------- what to inspect next


@dataclass
class NextPlan:
    """How many more venues an area needs in the period, and which to visit first."""

    figures: Figures
    needed: int
    venues: list[VenueLine]
    candidates: int
    start_point: tuple[float, float] | None


def past_violations_count():
    """Per venue: how many violations its submitted inspections recorded (current rows,
    amendments applied) — more violations, earlier visit among equally due venues."""
    from ..violations.models import RecordedViolation

    return (
        select(func.count(RecordedViolation.id))
        .join(Inspection, Inspection.id == RecordedViolation.inspection_id)
        .where(
            RecordedViolation.venue_id == Venue.id,
            RecordedViolation.superseded_by_id.is_(None),
            IS_SUBMITTED,
        )
        .correlate(Venue)
        .scalar_subquery()
    )


def open_tips_count():
    """Per venue: tips about it that are not closed yet (they call for a visit)."""
    from ..tips.models import Tip

    return (
        select(func.count(Tip.id))
        .where(Tip.venue_id == Venue.id, Tip.closed_on.is_(None))
        .correlate(Venue)
        .scalar_subquery()
    )


def next_to_inspect(
    period: Period,
    area: Area,
    *,
    scope: Scope,
    sector: str | None = None,
    start: tuple[float, float] | None = None,
    limit: int = 50,
) -> NextPlan:
    """Venues in scope not yet inspected in the period: never inspected first, then longest
    since the last submitted inspection, then most past violations and open tips, then
    nearest."""
    figures = area_figures(period, area, scope=scope, sector=sector)
    sector_obj = sector_by_code(sector)
    targets = plan_for(period)
    last_on = last_inspected_on(period)
    never = (
        last_on.is_(None)
        if targets.baseline_on is None
        else or_(last_on.is_(None), last_on < targets.baseline_on)
    )
    violations = past_violations_count()
    dist = distance_m(Venue.location, point_expr(*start)) if start else null()
    vs = (
        select(
            Venue.id.label("id"),
            Venue.name.label("name"),
            Venue.address.label("address"),
            Venue.sector_id.label("sector_id"),
            Venue.district_id.label("area_id"),
            Venue.location.label("location"),
            last_on.label("last_on"),
            case((never, 0), else_=1).label("seen"),
            violations.label("violations"),
            open_tips_count().label("tips"),
            dist.label("dist"),
        )
        .where(
            in_scope_clause(period, sector_obj.id if sector_obj else None),
            scope.venues(Venue),
            _located_in(area),
        )
        .subquery("cand")
    )
    not_yet = or_(vs.c.last_on.is_(None), vs.c.last_on < period.start)
    candidates = db.session.scalar(select(func.count()).select_from(vs).where(not_yet))
    order = [
        vs.c.seen,
        case((vs.c.last_on.is_(None), 0), else_=1),
        vs.c.last_on,
        (vs.c.violations + vs.c.tips).desc(),
        vs.c.tips.desc(),
    ]
    if start:
        order.append(vs.c.dist)
    order.append(vs.c.id)
    q = (
        select(
            *_line_columns(vs, period, targets.baseline_on),
            vs.c.dist,
            vs.c.violations,
            vs.c.tips,
        )
        .join(Sector, Sector.id == vs.c.sector_id)
        .where(not_yet)
        .order_by(*order)
        .limit(limit)
    )
    en = _english()
    lines = [
        _line(
            r,
            en,
            distance_m=None if r[11] is None else round(float(r[11])),
            past_violations=int(r[12] or 0),
            open_tips=int(r[13] or 0),
        )
        for r in db.session.execute(q)
    ]
    return NextPlan(figures, figures.needed, lines, candidates, start)


# ---------------------------------------------------------------- map polygons


# Simplification (degrees) per level: about 50 m for districts, 100 m for the small communes,
# invisible at the zoom that shows them whole and halving what the page carries.
SIMPLIFY = {"district": 0.0005, "commune": 0.001}


def area_shapes(level: str, scope: Scope) -> list[tuple]:
    """(id, code, name, boundary_source, GeoJSON text, label lat, label lon) of the areas of a
    level, simplified in the database for size."""
    check_level(level)
    tolerance = SIMPLIFY[level]
    pos = func.ST_PointOnSurface(Area.geom)
    q = (
        select(
            Area.id,
            Area.code,
            Area.name,
            Area.boundary_source,
            func.ST_AsGeoJSON(func.ST_SimplifyPreserveTopology(Area.geom, tolerance), 4),
            func.ST_Y(pos),
            func.ST_X(pos),
        )
        .where(Area.level == level, Area.geom.is_not(None), scope.areas(Area))
        .order_by(Area.code)
    )
    return [tuple(r) for r in db.session.execute(q)]
