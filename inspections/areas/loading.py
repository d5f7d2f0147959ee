"""Loading unit lists: the former map (province, districts, communes) and today's map (the
province since 1 July 2025, its commune-level units and the units they were formed from).

A list loads as one unit of work: an overlapping validity for one code and level, or a
predecessor that names no unit in force the day before, is refused (422) and nothing of the
list stays.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from ..errors import Invalid
from ..extensions import db
from ..text import fold
from ..uow import transactional
from .models import LEVELS, PREDECESSOR_KINDS, SINCE_BEFORE_RECORDS, SPLIT, WHOLE, Area
from .models import AreaPredecessor as Link
from .versions import in_force_clause

FAR_FUTURE = date(9999, 12, 31)


def upsert_area(*, level: str, code: str, name: str, parent: Area | None, **attrs) -> bool:
    """Create or update the unit with this code and valid_from; True when something changed."""
    if level not in LEVELS:
        raise Invalid(_("Unknown area level %(level)s.", level=level), field="level")
    valid_from = attrs.setdefault("valid_from", SINCE_BEFORE_RECORDS)
    area = db.session.scalar(select(Area).where(Area.code == code, Area.valid_from == valid_from))
    values = {
        "level": level,
        "name": name,
        "parent_id": parent.id if parent else None,
        "search_text": fold(f"{name} {attrs.get('name_en') or ''}"),
        **attrs,
    }
    if area is None:
        area = Area(code=code, **values)
        db.session.add(area)
        db.session.flush()
        return True
    changed = False
    for key, value in values.items():
        if getattr(area, key) != value:
            setattr(area, key, value)
            changed = True
    if changed:
        db.session.flush()
    return changed


def _upsert_unit(level: str, rec: dict, parent: Area | None, **attrs) -> bool:
    """upsert_area for a record of a unit list (code, name, name_en, unit_type)."""
    return upsert_area(
        level=level,
        code=rec["code"],
        name=rec["name"],
        parent=parent,
        name_en=rec.get("name_en"),
        unit_type=rec.get("unit_type"),
        **attrs,
    )


def _unit(code: str, valid_from: date) -> Area:
    """The unit just upserted."""
    return db.session.execute(
        select(Area).where(Area.code == code, Area.valid_from == valid_from)
    ).scalar_one()


@transactional
def load_unit_list(data: dict) -> int:
    """Load a former province, its districts and communes (seed_data/areas/binh_thuan.json);
    returns how many units changed."""

    def validity(rec):
        return {
            "valid_to": date.fromisoformat(rec["valid_to"]) if rec.get("valid_to") else None,
            "successor_codes": ",".join(rec.get("successor_codes", [])) or None,
        }

    p = data["province"]
    changes = int(_upsert_unit("province", p, None, **validity(p)))
    province = _unit(p["code"], SINCE_BEFORE_RECORDS)
    for d in data["districts"]:
        changes += _upsert_unit("district", d, province, **validity(d))
        district = _unit(d["code"], SINCE_BEFORE_RECORDS)
        for c in d["communes"]:
            changes += _upsert_unit(
                "commune", c, district, ref_lat=c["lat"], ref_lon=c["lon"], **validity(c)
            )
    check_validities()
    return changes


@transactional
def load_successor_units(data: dict) -> int:
    """Load today's map (seed_data/areas/lam_dong_2025.json): the former provinces it was
    formed from (valid until the day before), the province and its commune-level units
    (valid from ``valid_from``) with their predecessors; returns how many rows changed."""
    try:
        valid_from = date.fromisoformat(data["valid_from"])
        province_rec, units = data["province"], data["units"]
    except (KeyError, TypeError, ValueError):
        raise Invalid(
            _("The unit list needs valid_from (YYYY-MM-DD), province and units."), field="file"
        ) from None
    day_before = valid_from - timedelta(days=1)
    changes = 0
    for p in data.get("former_provinces", []):
        changes += _upsert_unit(
            "province",
            p,
            None,
            point_lat=p.get("lat"),
            point_lon=p.get("lon"),
            valid_to=day_before,
            successor_codes=province_rec["code"],
        )
    point = {"point_lat": province_rec.get("lat"), "point_lon": province_rec.get("lon")}
    changes += _upsert_unit("province", province_rec, None, valid_from=valid_from, **point)
    province = _unit(province_rec["code"], valid_from)
    for u in units:
        changes += _upsert_unit(
            "commune",
            u,
            province,
            point_lat=u.get("lat"),
            point_lon=u.get("lon"),
            area_km2=u.get("area_km2"),
            valid_from=valid_from,
        )
    check_validities()
    changes += _link(province, province_rec.get("predecessors", []), day_before)
    for u in units:
        changes += _link(_unit(u["code"], valid_from), u.get("predecessors", []), day_before)
    check_whole_goes_once(valid_from)
    return changes


@transactional
def load_todays_map(data: dict) -> int:
    """Load today's unit list (load_successor_units), build the polygons of its units from
    their predecessors' where no official ones exist, and place the venues on it."""
    from .locating import assign_venue_areas, venues_off_todays_map
    from .successors import derive_successor_boundaries

    changes = load_successor_units(data)
    rebuilt = derive_successor_boundaries()
    if rebuilt or venues_off_todays_map():
        assign_venue_areas()
    return changes + rebuilt


def check_validities() -> None:
    """Refuse two units of one code and level whose validities overlap (the same code may
    name two units only on two maps)."""
    a, b = aliased(Area), aliased(Area)
    row = db.session.execute(
        select(a.code, a.level, a.name.label("first"), b.name.label("second"))
        .join(b, (a.code == b.code) & (a.level == b.level) & (a.id < b.id))
        .where(
            a.valid_from <= func.coalesce(b.valid_to, FAR_FUTURE),
            b.valid_from <= func.coalesce(a.valid_to, FAR_FUTURE),
        )
        .limit(1)
    ).first()
    if row is not None:
        raise Invalid(
            _(
                "Two %(level)s units with code %(code)s (%(a)s, %(b)s) would be valid on the "
                "same days: give the older one a valid_to before the newer one's valid_from.",
                level=row.level,
                code=row.code,
                a=row.first,
                b=row.second,
            ),
            field="file",
        )


def _link(successor: Area, links: list[dict], day_before: date) -> int:
    """Make the successor's predecessor links those listed (codes of units in force on the day
    before it); returns how many links changed."""
    wanted: dict[int, tuple[str, bool]] = {}
    for link in links:
        code, kind = str(link.get("code", "")), link.get("kind", WHOLE)
        if kind not in PREDECESSOR_KINDS:
            raise Invalid(
                _(
                    "%(unit)s (%(code)s): unknown predecessor kind %(kind)s; use whole or split.",
                    unit=successor.name,
                    code=successor.code,
                    kind=kind,
                ),
                field="file",
            )
        level = successor.level
        predecessor = db.session.scalar(
            select(Area).where(Area.code == code, Area.level == level, in_force_clause(day_before))
        )
        if predecessor is None:
            raise Invalid(
                _(
                    "%(unit)s (%(code)s) names the predecessor %(pred)s, which is no %(level)s "
                    "unit in force on %(day)s.",
                    unit=successor.name,
                    code=successor.code,
                    pred=code,
                    level=level,
                    day=day_before.strftime("%d/%m/%Y"),
                ),
                field="file",
            )
        wanted[predecessor.id] = (kind, bool(link.get("main_part", False)))
    changes = 0
    for existing in list(successor.predecessor_links):
        if existing.predecessor_id not in wanted:
            successor.predecessor_links.remove(existing)
            changes += 1
            continue
        kind, main = wanted.pop(existing.predecessor_id)
        if (existing.kind, existing.main_part) != (kind, main):
            existing.kind, existing.main_part = kind, main
            changes += 1
    for predecessor_id, (kind, main) in wanted.items():
        successor.predecessor_links.append(
            Link(predecessor_id=predecessor_id, kind=kind, main_part=main)
        )
        changes += 1
    if changes:
        db.session.flush()
    return changes


def check_whole_goes_once(valid_from: date) -> None:
    """Refuse a predecessor said to go whole into one successor and also into another (it was
    then divided: every link of it is a split)."""
    s = aliased(Area)
    row = db.session.execute(
        select(Link.predecessor_id, func.count().label("n"))
        .join(s, s.id == Link.successor_id)
        .where(s.valid_from == valid_from)
        .group_by(Link.predecessor_id)
        .having(func.count() > 1, func.sum(case((Link.kind == WHOLE, 1), else_=0)) > 0)
        .limit(1)
    ).first()
    if row is not None:
        area = db.session.get_one(Area, row.predecessor_id)  # a foreign key: it exists
        raise Invalid(
            _(
                "%(unit)s (%(code)s) is said to go whole into one unit and also into %(n)s "
                "others: a divided unit's links are all %(split)s.",
                unit=area.name,
                code=area.code,
                n=row.n - 1,
                split=SPLIT,
            ),
            field="file",
        )
