"""The violation register: current violations of submitted inspections, filtered, sorted,
paginated, totalled and exported. One query builder serves the page, the API and exports.

Rows carry their inspection day and register flag (see followup.sync_register), so the
newest-first page walks one index; the venue is joined only for area and sector filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import AGENCY_CODES, Agency
from ..accounts.services import scope_of
from ..areas.models import Area
from ..errors import Invalid
from ..extensions import db
from ..venues.models import SECTOR_CODES, Sector, Venue
from ..venues.services import today
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
        metadata={"description": "district or commune code"},
    )
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


def _area(code: str) -> Area:
    area = db.session.scalars(
        select(Area).where(Area.code == code).order_by(Area.valid_from.desc())
    ).first()
    if area is None or area.level not in ("district", "commune", "province"):
        raise Invalid(_("Unknown area code %(code)s.", code=code), field="area")
    return area


def where_clauses(user, f: dict, on: date) -> tuple[list, bool]:
    """(clauses, whether they need the venue joined)."""
    rv = RecordedViolation
    where = [rv.in_register.is_(True)]
    needs_venue = False
    scope = scope_of(user)
    if not scope.everything:
        where.append(scope.venues(Venue))
        needs_venue = True
    if f.get("start"):
        where.append(rv.inspected_on >= f["start"])
    if f.get("end"):
        where.append(rv.inspected_on <= f["end"])
    if f.get("area"):
        area = _area(f["area"])
        if area.level == "district":
            where.append(Venue.district_id == area.id)
            needs_venue = True
        elif area.level == "commune":
            where.append(Venue.commune_id == area.id)
            needs_venue = True
    if f.get("sector"):
        where.append(
            Venue.sector_id == select(Sector.id).where(Sector.code == f["sector"]).scalar_subquery()
        )
        needs_venue = True
    if f.get("venue"):
        where.append(rv.venue_id == f["venue"])
    if f.get("agency"):
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == f["agency"]))
        where.append(rv.agency_mask.op("&")(agency_bit(agency_id)) != 0)
    legal = []
    if f.get("code"):
        legal.append(LegalViolation.code == f["code"])
    if f.get("decree"):
        legal.append(LegalViolation.decree == f["decree"])
    if f.get("article"):
        legal.append(LegalViolation.article == f["article"])
    if legal:
        where.append(rv.legal_violation_id.in_(select(LegalViolation.id).where(*legal)))
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


def _order(f: dict) -> list:
    rv = RecordedViolation
    sort = f.get("sort") or "newest"
    if sort == "oldest":
        return [rv.inspected_on.asc(), rv.id.asc()]
    if sort == "fine_desc":
        return [rv.fine_vnd.desc(), rv.id.desc()]
    if sort == "fine_asc":
        return [rv.fine_vnd.asc(), rv.id.asc()]
    return [rv.inspected_on.desc(), rv.id.desc()]


def ids(user, f: dict, offset: int, limit: int, on: date | None = None) -> list[int]:
    """The ids of one page, in register order."""
    q = _select([RecordedViolation.id], user, f, on or today())
    return list(db.session.scalars(q.order_by(*_order(f)).offset(offset).limit(limit)))


def totals(user, f: dict, on: date | None = None) -> dict:
    """Count and sum of fines of the whole filtered set, in one aggregate."""
    q = _select(
        [func.count(), func.coalesce(func.sum(RecordedViolation.fine_vnd), 0)],
        user,
        f,
        on or today(),
    )
    count, fines = db.session.execute(q).one()
    return {"count": int(count), "fines_vnd": int(fines)}


def load(id_list: list[int]) -> list[RecordedViolation]:
    """The rows with venue, inspection and legal entry, in the order of id_list."""
    if not id_list:
        return []
    rows = db.session.scalars(
        select(RecordedViolation)
        .where(RecordedViolation.id.in_(id_list))
        .options(
            joinedload(RecordedViolation.inspection)
            .joinedload(Inspection.venue)
            .joinedload(Venue.district)
        )
    ).unique()
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in id_list if i in by_id]


@dataclass
class Page:
    """A page for the pager macro."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


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


EXPORT_COLUMNS = (
    ("ID", "ID", "id"),
    ("Ngày kiểm tra", "Inspected on", "inspected_on"),
    ("Cơ sở", "Venue", "venue_name"),
    ("Mã cơ sở", "Venue ID", "venue_id"),
    ("Huyện", "District", "district"),
    ("Ngành nghề", "Sector", "sector"),
    ("Mã vi phạm", "Code", "code"),
    ("Căn cứ pháp lý", "Legal basis", "legal_basis"),
    ("Hành vi", "Violation", "title"),
    ("Đối tượng", "Offender type", "offender_type"),
    ("Tên đối tượng", "Offender", "offender_name"),
    ("Tiền phạt (đ)", "Fine (VND)", "fine_vnd"),
    ("Biện pháp khắc phục", "Remedy", "remedy"),
    ("Hạn khắc phục", "Remedy deadline", "remedy_deadline"),
    ("Tình trạng khắc phục", "Remedy status", "remedy_status"),
    ("Ngày khắc phục", "Remedied on", "remedied_on"),
    ("Ngày nộp phạt", "Paid on", "paid_on"),
)


def export(user, f: dict, fmt: str, locale: str) -> tuple[bytes, int]:
    """The filtered register as XLSX or CSV (at most EXPORT_CAP rows), and its row count."""
    from ..venues.importing import write_csv, write_xlsx

    on = today()
    all_ids = ids(user, f, 0, EXPORT_CAP, on)
    en = locale == "en"
    headers = [en_h if en else vi_h for vi_h, en_h, _k in EXPORT_COLUMNS]
    out = []
    for i in range(0, len(all_ids), 1000):
        for row in load(all_ids[i : i + 1000]):
            values = serialise(row, locale, on)
            out.append([values[key] for _v, _e, key in EXPORT_COLUMNS])
    body = (
        write_xlsx(headers, out, title="violations") if fmt == "xlsx" else write_csv(headers, out)
    )
    return body, len(out)
