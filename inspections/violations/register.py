"""The violation register: current violations of submitted inspections, filtered, sorted,
paginated, totalled and exported. One query builder serves the page, the API and exports.

Rows carry their inspection day and register flag (see followup.sync_register), so the
newest-first page walks one index; the venue is joined only for area and sector filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import ColumnElement, false, func, literal, select
from sqlalchemy.orm import joinedload

from ..accounts.models import AGENCY_CODES, Agency
from ..accounts.services import Scope, scope_of
from ..areas.models import Area
from ..areas.schemas import MapDay
from ..areas.services import area_on
from ..clock import now, today
from ..errors import Invalid, NotFound
from ..extensions import db
from ..venues.models import SECTOR_CODES, Sector, Venue
from ..visits.models import Inspection
from . import services
from .followup import agency_bit, status_of
from .models import OFFENDER_TYPES, LegalViolation, RecordedViolation

REMEDY_FILTERS = ("none", "open", "overdue", "remedied", "escalated")
SORTS = ("newest", "oldest", "fine_desc", "fine_asc")
EXPORT_CAP = 100_000


class RegisterQuery(Schema):
    """Filters of the register (page, API, exports)."""

    start = fields.Date(load_default=None, metadata={"description": "inspected on or after"})
    end = fields.Date(load_default=None, metadata={"description": "inspected on or before"})
    area = fields.String(
        load_default=None,
        validate=validate.Length(max=20),
        metadata={"description": "district or commune code (on the map of as_of)"},
    )
    as_of = MapDay()
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTOR_CODES))
    agency = fields.String(
        load_default=None,
        validate=validate.OneOf(AGENCY_CODES),
        metadata={"description": "an agency that took part in the inspection"},
    )
    decree = fields.String(load_default=None, validate=validate.Length(max=40))
    article = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))
    code = fields.String(load_default=None, validate=validate.Length(max=40))
    offender = fields.String(load_default=None, validate=validate.OneOf(OFFENDER_TYPES))
    fine_min = fields.Integer(load_default=None, validate=validate.Range(min=0))
    fine_max = fields.Integer(load_default=None, validate=validate.Range(min=0))
    remedy = fields.String(load_default=None, validate=validate.OneOf(REMEDY_FILTERS))
    paid = fields.String(load_default=None, validate=validate.OneOf(("yes", "no")))
    venue = fields.Integer(load_default=None, validate=validate.Range(min=1))
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))

    @validates_schema
    def _ranges(self, data, **_kw):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The end is before the start."), "end")
        low, high = data.get("fine_min"), data.get("fine_max")
        if low is not None and high is not None and high < low:
            raise ValidationError(_("The maximum fine is below the minimum."), "fine_max")


@dataclass(frozen=True)
class Preset:
    """A period the register's filter offers in one tap."""

    key: str
    label: str
    start: date
    end: date


def presets(on: date) -> list[Preset]:
    """The last 12 months, this year, this quarter and this Decree 09 report window."""
    from ..coverage.periods import parse_key

    quarter = (on.month - 1) // 3 + 1
    # the report window of quarter q runs from the 15th before it to the 14th of its last
    # month: from 15 December on, the next year's first window is open
    window = next(
        p
        for p in (
            parse_key(f"report:{y}-Q{q}") for y in (on.year, on.year + 1) for q in (1, 2, 3, 4)
        )
        if p.start <= on <= p.end
    )
    return [
        Preset("12m", _("Last 12 months"), _add_months(on, -12) + timedelta(days=1), on),
        Preset("year", _("This year"), date(on.year, 1, 1), date(on.year, 12, 31)),
        Preset(
            "quarter",
            _("This quarter"),
            date(on.year, 3 * quarter - 2, 1),
            parse_key(f"{on.year}-Q{quarter}").end,
        ),
        Preset(
            "report",
            _(
                "This report window (%(start)s – %(end)s)",
                start=_dm(window.start),
                end=_dm(window.end),
            ),
            window.start,
            window.end,
        ),
    ]


def _dm(day: date) -> str:
    return day.strftime("%d/%m")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    try:
        return day.replace(year=year, month=month)
    except ValueError:  # 29-31 of a shorter month
        return day.replace(year=year, month=month, day=28)


def _area(code: str, as_of: date | None = None) -> Area:
    """The unit the code names on the map of as_of (default today; see areas.area_on)."""
    try:
        return area_on(code, as_of)
    except NotFound as exc:
        raise Invalid(exc.message, field="area") from exc


def venue_area(scope: Scope):
    """Venues of one unit, on the unit's own map (the scope's venue column). The id is written
    into the statement: a prepared statement's generic plan cannot tell a district of 300
    venues from the whole province and would walk the register's date index instead of the
    district's venues."""
    return scope.venue_column(Venue) == literal(scope.area_id, literal_execute=True)


def venue_clauses(
    user, area: str | None = None, sector: str | None = None, as_of: date | None = None
) -> list:
    """WHERE clauses on Venue for the user's scope, an area code (on the map of as_of) and a
    sector (repeat offenders); empty when nothing restricts the venues."""
    where = []
    scope = scope_of(user)
    if not scope.everything:
        where.append(venue_area(scope))
    if area:
        found = _area(area, as_of)
        if found.level in ("district", "commune"):
            where.append(venue_area(Scope.of(found)))
    if sector:
        sector_id = db.session.scalar(select(Sector.id).where(Sector.code == sector))
        where.append(Venue.sector_id == literal(sector_id, literal_execute=True))
    return where


def where_clauses(user, f: dict, on: date) -> tuple[list, bool]:
    """(clauses, whether they need the venue joined)."""
    rv = RecordedViolation
    where: list[ColumnElement[bool]] = [rv.in_register.is_(True)]
    needs_venue = False
    scope = scope_of(user)
    if not scope.everything:
        where.append(venue_area(scope))
        needs_venue = True
    if f.get("start"):
        where.append(rv.inspected_on >= f["start"])
    if f.get("end"):
        where.append(rv.inspected_on <= f["end"])
    if f.get("area"):
        area = _area(f["area"], f.get("as_of"))
        if area.level in ("district", "commune"):
            where.append(venue_area(Scope.of(area)))
            needs_venue = True
    if f.get("sector"):
        sector_id = db.session.scalar(select(Sector.id).where(Sector.code == f["sector"]))
        where.append(Venue.sector_id == literal(sector_id, literal_execute=True))
        needs_venue = True
    if f.get("venue"):
        where.append(rv.venue_id == f["venue"])
    if f.get("agency"):
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == f["agency"]))
        # An agency code the database does not hold matches nothing (like an unknown sector).
        if agency_id is None:
            where.append(false())
        else:
            where.append(rv.agency_mask.op("&")(agency_bit(agency_id)) != 0)
    legal = []
    if f.get("code"):
        legal.append(LegalViolation.code == f["code"])
    if f.get("decree"):
        legal.append(LegalViolation.decree == f["decree"])
    if f.get("article"):
        legal.append(LegalViolation.article == f["article"])
    if legal:
        ids = list(db.session.scalars(select(LegalViolation.id).where(*legal)))
        where.append(rv.legal_violation_id.in_(ids) if ids else false())
    if f.get("offender"):
        where.append(rv.offender_type == f["offender"])
    if f.get("fine_min") is not None:
        where.append(rv.fine_vnd >= f["fine_min"])
    if f.get("fine_max") is not None:
        where.append(rv.fine_vnd <= f["fine_max"])
    remedy = f.get("remedy")
    if remedy == "none":
        where.append(rv.remedy_status.is_(None))
    elif remedy == "open":
        where.extend([rv.remedy_status == "open", rv.remedy_deadline >= on])
    elif remedy == "overdue":
        where.extend([rv.remedy_status == "open", rv.remedy_deadline < on])
    elif remedy:
        where.append(rv.remedy_status == remedy)
    if f.get("paid") == "yes":
        where.append(rv.paid_on.is_not(None))
    elif f.get("paid") == "no":
        where.extend([rv.paid_on.is_(None), rv.fine_vnd > 0])
    return where, needs_venue


def _select(columns, user, f: dict, on: date):
    where, needs_venue = where_clauses(user, f, on)
    q = select(*columns).select_from(RecordedViolation)
    if needs_venue:
        q = q.join(Venue, Venue.id == RecordedViolation.venue_id)
    return q.where(*where)


def _order(f: dict, cols: dict | None = None) -> list:
    rv = RecordedViolation
    c = cols or {"id": rv.id, "inspected_on": rv.inspected_on, "fine_vnd": rv.fine_vnd}
    sort = f.get("sort") or "newest"
    if sort == "oldest":
        return [c["inspected_on"].asc(), c["id"].asc()]
    # No fine sorts as the lowest fine on both databases (their NULL orders differ).
    if sort == "fine_desc":
        return [c["fine_vnd"].desc().nulls_last(), c["id"].desc()]
    if sort == "fine_asc":
        return [c["fine_vnd"].asc().nulls_first(), c["id"].asc()]
    return [c["inspected_on"].desc(), c["id"].desc()]


def ids(user, f: dict, offset: int, limit: int, on: date | None = None) -> list[int]:
    """The ids of one page, in register order."""
    on = on or today()
    rv = RecordedViolation
    if _one_area(user, f):
        # A district's or commune's violations are few: read them through its venues, then
        # sort. "OFFSET 0" keeps PostgreSQL from flattening the subquery and walking the whole
        # register's date index looking for the area's rows (a no-op on SQLite).
        inner = (
            _select([rv.id, rv.inspected_on, rv.fine_vnd], user, f, on)
            .offset(literal(0, literal_execute=True))
            .subquery()
        )
        order = {c.key: c for c in (inner.c.id, inner.c.inspected_on, inner.c.fine_vnd)}
        q = select(inner.c.id).order_by(*_order(f, order))
    else:
        q = _select([rv.id], user, f, on).order_by(*_order(f))
    q = q.offset(literal(offset, literal_execute=True)).limit(literal(limit, literal_execute=True))
    return list(db.session.scalars(q))


def _one_area(user, f: dict) -> bool:
    return bool(f.get("area")) or not scope_of(user).everything


def totals(user, f: dict, on: date | None = None) -> dict:
    """Count and sum of fines of the whole filtered set, in one aggregate."""
    q = _select(
        [
            func.count().label("n"),
            func.coalesce(func.sum(RecordedViolation.fine_vnd), 0).label("fines"),
        ],
        user,
        f,
        on or today(),
    )
    found = db.session.execute(q).one()
    return {"count": int(found.n), "fines_vnd": int(found.fines)}


def load(id_list: list[int]) -> list[RecordedViolation]:
    """The rows with venue, inspection and legal entry, in the order of id_list."""
    if not id_list:
        return []
    rows = db.session.scalars(
        select(RecordedViolation)
        .where(RecordedViolation.id.in_(id_list))
        .options(
            *(
                # the venue's units on both maps (the lists name today's), never a polygon
                joinedload(RecordedViolation.inspection)
                .joinedload(Inspection.venue)
                .joinedload(unit)
                .load_only(Area.id, Area.code, Area.name)
                for unit in (Venue.district, Venue.commune, Venue.commune_2025)
            )
        )
    ).unique()
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in id_list if i in by_id]


def serialise(row: RecordedViolation, locale: str, on: date | None = None) -> dict:
    """One register row as plain values (API, exports)."""
    venue = row.inspection.venue
    lv = row.legal
    return {
        "id": row.id,
        "inspected_on": row.inspected_on,
        "inspection_id": row.inspection_id,
        "venue_id": row.venue_id,
        "venue_name": venue.name,
        "commune": venue.commune_2025.name if venue.commune_2025 else None,
        "district": venue.district.name if venue.district else None,
        "sector": venue.sector.code,
        "code": lv.code,
        "decree": lv.decree,
        "article": lv.article,
        "clause": lv.clause,
        "point": lv.point,
        "title": lv.title(locale),
        "legal_basis": services.legal_basis(lv, locale),
        "offender_type": row.offender_type,
        "offender_name": row.offender_name,
        "fine_vnd": row.fine_vnd,
        "remedy": row.remedy,
        "remedy_deadline": row.remedy_deadline,
        "remedy_status": status_of(row, on),
        "remedied_on": row.remedied_on,
        "paid_on": row.paid_on,
    }


# Labels in the reader's language; where a program reads the file, the code has its own
# column (the remedy status code keeps the place it always had, the other codes come last).
EXPORT_COLUMNS = (
    ("ID", "ID", "id"),
    ("Ngày kiểm tra", "Inspected on", "inspected_on"),
    ("Cơ sở", "Venue", "venue_name"),
    ("Mã cơ sở", "Venue ID", "venue_id"),
    ("Huyện (trước 1/7/2025)", "District (before 1/7/2025)", "district"),
    ("Ngành nghề", "Sector", "sector_label"),
    ("Mã vi phạm", "Code", "code"),
    ("Căn cứ pháp lý", "Legal basis", "legal_basis"),
    ("Hành vi", "Violation", "title"),
    ("Đối tượng", "Offender type", "offender_label"),
    ("Tên đối tượng", "Offender", "offender_name"),
    ("Tiền phạt (đ)", "Fine (VND)", "fine_vnd"),
    ("Biện pháp khắc phục", "Remedy", "remedy"),
    ("Hạn khắc phục", "Remedy deadline", "remedy_deadline"),
    ("Mã tình trạng khắc phục", "Remedy status code", "remedy_status"),
    ("Tình trạng khắc phục", "Remedy status", "remedy_status_label"),
    ("Ngày khắc phục", "Remedied on", "remedied_on"),
    ("Ngày nộp phạt", "Paid on", "paid_on"),
    ("Mã ngành nghề", "Sector code", "sector"),
    ("Mã đối tượng", "Offender type code", "offender_type"),
    # added in December 2026: last, so that programs reading by position are not misled
    ("Xã, phường (từ 1/7/2025)", "Commune (since 1/7/2025)", "commune"),
)
OFFENDER_LABELS = {"organisation": _l("Organisation"), "individual": _l("Individual")}
REMEDY_LABELS = {
    "open": _l("Remedy open"),
    "overdue": _l("Overdue"),
    "remedied": _l("Remedied"),
    "escalated": _l("Escalated"),
}


def export_row(row: RecordedViolation, locale: str, on: date) -> dict:
    """One register row as the export writes it: serialise() and the labels of its codes."""
    values = serialise(row, locale, on)
    status = values["remedy_status"]
    values["sector_label"] = row.inspection.venue.sector.name(locale)
    values["offender_label"] = str(OFFENDER_LABELS.get(row.offender_type, row.offender_type))
    values["remedy_status_label"] = str(REMEDY_LABELS[status]) if status else None
    return values


def export_filename(fmt: str) -> str:
    """The download's name in the reader's language: vi-pham-20241231-0930.xlsx."""
    # Translators: the start of a download's file name: ASCII letters and hyphens only.
    stem = _("violations")
    return f"{stem}-{now():%Y%m%d-%H%M}.{fmt}"


def export(user, f: dict, fmt: str, locale: str) -> tuple[bytes, int]:
    """The filtered register as XLSX or CSV (at most EXPORT_CAP rows), and its row count."""
    from ..spreadsheets import MONEY, write_csv, write_xlsx

    on = today()
    all_ids = ids(user, f, 0, EXPORT_CAP, on)
    en = locale == "en"
    headers = [en_h if en else vi_h for vi_h, en_h, _k in EXPORT_COLUMNS]
    out = []
    for i in range(0, len(all_ids), 1000):
        for row in load(all_ids[i : i + 1000]):
            values = export_row(row, locale, on)
            out.append([values[key] for _v, _e, key in EXPORT_COLUMNS])
    if fmt == "xlsx":
        keys = [key for _v, _e, key in EXPORT_COLUMNS]
        money = {keys.index("fine_vnd"): MONEY}
        return write_xlsx(headers, out, title=_("Violations"), number_formats=money), len(out)
    return write_csv(headers, out), len(out)
