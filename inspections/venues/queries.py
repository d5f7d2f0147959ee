"""The one venue filter: used by the list page, the API, the exports and the label sheets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, exists, false, func, null, or_, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from ..accounts.services import Scope
from ..areas.models import Area
from ..areas.services import area_on, venue_in
from ..extensions import db
from ..pagination import Page
from ..spatial import distance_m, nearest_first, point_expr
from ..text import search_fold
from ..visits.models import Inspection
from .addresses import commune_key
from .models import Sector, Venue

District = aliased(Area, name="district_area")
Commune = aliased(Area, name="commune_area")
Unit2025 = aliased(Area, name="unit_2025_area")


def _area_cols(alias):
    """The columns lists need from an area: never its polygon."""
    return (alias.id, alias.code, alias.name, alias.level, alias.parent_id)


@dataclass
class VenueRow:
    """One line of a list: the venue and what the list shows beside it."""

    venue: Venue
    latitude: float
    longitude: float
    last_inspected_on: date | None
    distance_m: float | None = None

    @property
    def commune_mismatch(self) -> bool | None:
        v = self.venue
        if v.commune is None or not v.address_commune_key:
            return None
        return commune_key(v.commune.name) != v.address_commune_key


def last_inspected():
    """The venue's latest submitted inspection day: the column visits/chain.py keeps."""
    return Venue.last_submitted_on


def period(args: dict, today: date) -> tuple[date, date]:
    """The period of the inspected filter: since and until, by default this calendar year."""
    return args.get("since") or date(today.year, 1, 1), args.get("until") or date(
        today.year, 12, 31
    )


def mismatch_clause():
    """Venues whose written commune names neither the former commune nor today's unit their
    location falls in."""
    keys = {
        row.id: commune_key(row.name)
        for row in db.session.execute(select(Area.id, Area.name).where(Area.level == "commune"))
    }
    if not keys:
        return false()
    former = case(keys, value=Venue.commune_id, else_=None)
    today = case(keys, value=Venue.commune_2025_id, else_=None)
    # either map's name of the unit at the location is right ("Phường Hàm Tiến" and
    # "Phường Mũi Né" both name a venue of the former Hàm Tiến)
    return and_(
        Venue.address_commune_key.is_not(None),
        Venue.commune_id.is_not(None),
        Venue.address_commune_key != former,
        or_(Venue.commune_2025_id.is_(None), Venue.address_commune_key != today),
    )


def where_clauses(args: dict, scope: Scope, today: date) -> list:
    """WHERE clauses for the filters in args (as loaded by schemas.VenueQuery)."""
    where = [scope.venues(Venue)]
    if not args.get("include_merged"):
        where.append(Venue.merged_into_id.is_(None))
    if args.get("ids"):
        where.append(Venue.id.in_(args["ids"]))
    if args.get("q"):
        for word in search_fold(args["q"]).split()[:8]:
            where.append(Venue.search_text.like(_contains(word), escape="\\"))
    if args.get("area"):
        # the unit the code names on the map of as_of (default today): 22918 is today's
        # Phường Mũi Né, and the former Phường Hàm Tiến with as_of=2025-06-30
        area = area_on(args["area"], args.get("as_of"))
        if area.level != "province":
            where.append(venue_in(area))
    if args.get("sector"):
        where.append(
            Venue.sector_id
            == select(Sector.id).where(Sector.code == args["sector"]).scalar_subquery()
        )
    if args.get("status") == "open":
        where.append(Venue.status.in_(("operating", "suspended")))
    elif args.get("status"):
        where.append(Venue.status == args["status"])
    if args.get("inspected"):
        since, until = period(args, today)
        done = exists().where(
            Inspection.venue_id == Venue.id,
            Inspection.status == "submitted",
            Inspection.inspected_on >= since,
            Inspection.inspected_on <= until,
        )
        where.append(done if args["inspected"] == "yes" else ~done)
    if args.get("expiring"):
        horizon = today + timedelta(days=int(args.get("days") or 60))
        where.append(Venue.earliest_expiry <= horizon)  # the earliest expiry
    if args.get("flag") == "mismatch":
        where.append(mismatch_clause())
    elif args.get("flag") == "unlocated":
        where.append(or_(Venue.district_id.is_(None), Venue.commune_id.is_(None)))
    elif args.get("flag") == "repeat":
        from ..violations import repeat

        where.append(repeat.repeat_clause(repeat.window_start(today, repeat.default_months())))
    return where


def load_rows(
    ids: list[int], near: tuple[float, float] | None = None, licences: bool = False
) -> list[VenueRow]:
    """The list rows of these venues, in the order given: venue with sector, district and
    commune names, lat, lon, last submitted inspection, metres from `near`.

    Lists first pick the page's ids with a narrow query (it sorts ids, not whole rows, and
    can walk an index), then load the page's rows here.
    """
    if not ids:
        return []
    dist = distance_m(Venue.location, point_expr(*near)) if near else null()
    q = (
        select(
            Venue,
            func.ST_Y(Venue.location).label("latitude"),
            func.ST_X(Venue.location).label("longitude"),
            last_inspected().label("last_inspected_on"),
            dist.label("distance_m"),
        )
        .outerjoin(District, Venue.district_id == District.id)
        .outerjoin(Commune, Venue.commune_id == Commune.id)
        .outerjoin(Unit2025, Venue.commune_2025_id == Unit2025.id)
        .options(
            contains_eager(Venue.district.of_type(District)).load_only(*_area_cols(District)),
            contains_eager(Venue.commune.of_type(Commune)).load_only(*_area_cols(Commune)),
            contains_eager(Venue.commune_2025.of_type(Unit2025)).load_only(*_area_cols(Unit2025)),
        )
        .where(Venue.id.in_(ids))
    )
    if licences:
        q = q.options(selectinload(Venue.licences))
    found = {
        row.Venue.id: VenueRow(
            row.Venue,
            row.latitude,
            row.longitude,
            row.last_inspected_on,
            None if row.distance_m is None else float(row.distance_m),
        )
        for row in db.session.execute(q).unique()
    }
    return [found[i] for i in ids if i in found]


def _ordering(args: dict) -> list:
    sort = args.get("sort") or ("distance" if args.get("near") else "name")
    if sort == "distance" and args.get("near"):
        # distance alone: a second sort key would stop PostGIS walking its KNN index
        return [nearest_first(Venue.location, point_expr(*args["near"]))]
    if sort == "updated":
        return [Venue.updated_at.desc(), Venue.id.desc()]
    if args.get("q"):
        # a search finds open venues before closed ones; with several words, those where
        # the words stand together as typed come first
        closed_last = case((Venue.status == "closed", 1), else_=0)
        if len(search_fold(args["q"]).split()) > 1:
            phrase = Venue.search_text.like(_contains(search_fold(args["q"])), escape="\\")
            return [closed_last, case((phrase, 0), else_=1), Venue.search_text, Venue.id]
        return [closed_last, Venue.search_text, Venue.id]
    return [Venue.search_text, Venue.id]


def id_select(args: dict, scope: Scope, today: date) -> Select:
    """The ids of the filtered venues, in list order (exports, label sheets)."""
    return select(Venue.id).where(*where_clauses(args, scope, today)).order_by(*_ordering(args))


def _contains(folded: str) -> str:
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Counting stops here, as search engines do ("10,000+"): past it an exact total costs a scan
# of the whole registry on every page and tells a person nothing more.
COUNT_CAP = 10_000


def count(args: dict, scope: Scope, today: date, cap: int | None = COUNT_CAP) -> tuple[int, bool]:
    """(how many venues the filters keep, whether that is exact); at most cap when capped."""
    q = select(Venue.id).where(*where_clauses(args, scope, today))
    if cap is None:
        return db.session.execute(select(func.count()).select_from(q.subquery())).scalar_one(), True
    n = db.session.execute(
        select(func.count()).select_from(q.limit(cap + 1).subquery())
    ).scalar_one()
    return (n, True) if n <= cap else (cap, False)


def first(args: dict, scope: Scope, today: date, n: int, offset: int = 0, **kw) -> list:
    """The first n rows of the filtered list (after offset)."""
    ids = list(db.session.scalars(id_select(args, scope, today).offset(offset).limit(n)))
    return load_rows(ids, near=args.get("near"), **kw)


def nearest(point: tuple[float, float], scope: Scope, today: date, n: int) -> list:
    """Rows of (id, name, latitude, longitude, distance_m) of the n venues of the list nearest
    a point, nearest first: what a small map's landmarks need, without the list rows' joins."""
    ids = list(db.session.scalars(id_select({"near": point}, scope, today).limit(n)))
    if not ids:
        return []
    q = select(
        Venue.id,
        Venue.name,
        func.ST_Y(Venue.location).label("latitude"),
        func.ST_X(Venue.location).label("longitude"),
        distance_m(Venue.location, point_expr(*point)).label("distance_m"),
    ).where(Venue.id.in_(ids))
    found = {row.id: row for row in db.session.execute(q)}
    return [found[i] for i in ids if i in found]


def page_of(args: dict, scope: Scope, today: date, page: int, per_page: int, **kw) -> Page:
    """One page of the filtered list with its total."""
    total, exact = count(args, scope, today)
    items = first(args, scope, today, per_page, (page - 1) * per_page, **kw)
    return Page(items, page, per_page, total, exact)
