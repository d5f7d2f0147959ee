"""Which area a point is in, and loading the areas and their boundaries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely import geometry as shp
from shapely.validation import explain_validity
from sqlalchemy import func, select, update
from sqlalchemy.orm import undefer

from ..audit.services import record
from ..errors import Invalid, NotFound
from ..extensions import db
from ..spatial import distance_m, point_expr
from ..text import fold
from ..uow import transactional
from .models import LEVELS, SINCE_BEFORE_RECORDS, Area

# Vietnam's extent with a margin: coordinates outside it are a mistake, not a venue.
VN_BOUNDS = (101.5, 7.5, 118.0, 24.0)  # lon min, lat min, lon max, lat max
CODE_PROPERTIES = ("gso_code", "code", "ma", "ma_gso", "GSO_CODE", "CODE", "MA")


class OutsideArea(Invalid):
    """The point is not in, nor close to, any area of the province."""


@dataclass
class Located:
    """The district and commune a point falls in; snapped_m is set when it lay outside."""

    district: Area
    commune: Area | None
    snapped_m: float | None = None


def check_coordinates(latitude: float, longitude: float) -> None:
    """Refuse coordinates that cannot be a place in Vietnam, saying why."""
    if latitude is None or longitude is None:
        raise Invalid(_("Latitude and longitude are both required."), field="location")
    lon_min, lat_min, lon_max, lat_max = VN_BOUNDS
    if lon_min <= longitude <= lon_max and lat_min <= latitude <= lat_max:
        return
    if lon_min <= latitude <= lon_max and lat_min <= longitude <= lat_max:
        raise Invalid(
            _(
                "Latitude and longitude look swapped: %(lat)s, %(lon)s would be in Vietnam "
                "as latitude %(lon)s, longitude %(lat)s.",
                lat=latitude,
                lon=longitude,
            ),
            field="location",
        )
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):
        raise Invalid(
            _("Latitude must be between -90 and 90 and longitude between -180 and 180."),
            field="location",
        )
    raise Invalid(
        _("The point %(lat)s, %(lon)s is outside Vietnam.", lat=latitude, lon=longitude),
        field="location",
    )


def _containing(level: str, pt, parent_id: int | None = None) -> Area | None:
    q = select(Area).where(
        Area.level == level, Area.geom.is_not(None), func.ST_Intersects(Area.geom, pt)
    )
    if parent_id is not None:
        q = q.where(Area.parent_id == parent_id)
    return db.session.scalars(q.order_by(Area.code).limit(1)).first()


def _nearest(level: str, pt, parent_id: int | None = None) -> tuple[Area | None, float | None]:
    dist = distance_m(Area.geom, pt)
    q = select(Area, dist.label("metres")).where(Area.level == level, Area.geom.is_not(None))
    if parent_id is not None:
        q = q.where(Area.parent_id == parent_id)
    row = db.session.execute(q.order_by(dist, Area.code).limit(1)).first()
    return (row.Area, float(row.metres)) if row else (None, None)


def locate(latitude: float, longitude: float) -> Located:
    """The district and commune containing a point, by point-in-polygon in the database.

    A point outside every polygon but within SNAP_DISTANCE_M of one (coast, simplified
    borders) goes to the nearest; further out it is refused with the distance.
    """
    check_coordinates(latitude, longitude)
    pt = point_expr(latitude, longitude)
    district = _containing("district", pt)
    snapped = None
    if district is None:
        district, dist = _nearest("district", pt)
        limit = float(current_app.config["SNAP_DISTANCE_M"])
        if district is None:
            raise OutsideArea(_("No district boundaries are loaded."), field="location")
        if dist > limit:
            if _containing("district", point_expr(longitude, latitude)) is not None:
                raise OutsideArea(
                    _(
                        "Latitude and longitude look swapped: the point fits only as latitude "
                        "%(lon)s, longitude %(lat)s.",
                        lat=latitude,
                        lon=longitude,
                    ),
                    field="location",
                )
            raise OutsideArea(
                _(
                    "The point %(lat)s, %(lon)s is %(km)s km outside the province's areas "
                    "(nearest: %(name)s).",
                    lat=latitude,
                    lon=longitude,
                    km=round(dist / 1000, 1),
                    name=district.name,
                ),
                field="location",
            )
        snapped = dist
    commune = _containing("commune", pt, district.id) or _nearest("commune", pt, district.id)[0]
    return Located(district=district, commune=commune, snapped_m=snapped)


def assign_venue_areas(venue_ids: list[int] | None = None) -> int:
    """Set district and commune of venues from their location, in SQL; returns venues changed.

    Venues outside every polygon (a coast point) are then snapped one by one with locate().
    """
    from ..venues.models import Venue

    def inside(level: str, parent_col=None):
        sub = select(Area.id).where(
            Area.level == level,
            Area.geom.is_not(None),
            func.ST_Intersects(Area.geom, Venue.location),
        )
        if parent_col is not None:
            sub = sub.where(Area.parent_id == parent_col)
        return sub.order_by(Area.code).limit(1).scalar_subquery()

    scope = [] if venue_ids is None else [Venue.id.in_(venue_ids)]
    before = dict(db.session.execute(select(Venue.id, Venue.district_id).where(*scope)).all())
    db.session.execute(
        update(Venue)
        .where(*scope)
        .values(district_id=inside("district"))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Venue)
        .where(*scope, Venue.district_id.is_not(None))
        .values(commune_id=inside("commune", Venue.district_id))
        .execution_options(synchronize_session=False)
    )
    leftovers = db.session.execute(
        select(Venue.id, func.ST_Y(Venue.location), func.ST_X(Venue.location)).where(
            *scope, (Venue.district_id.is_(None)) | (Venue.commune_id.is_(None))
        )
    ).all()
    for vid, lat, lon in leftovers:
        try:
            where = locate(lat, lon)
        except Invalid:
            continue  # stays without an area; the registry lists such venues for fixing
        db.session.execute(
            update(Venue)
            .where(Venue.id == vid)
            .values(
                district_id=where.district.id,
                commune_id=where.commune.id if where.commune else None,
            )
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()
    after = dict(db.session.execute(select(Venue.id, Venue.district_id).where(*scope)).all())
    return sum(1 for vid, d in after.items() if before.get(vid) != d)


# ---------------------------------------------------------------- loading the unit list


def upsert_area(*, level: str, code: str, name: str, parent: Area | None, **attrs) -> bool:
    """Create or update the unit with this code (first validity); True when something changed."""
    if level not in LEVELS:
        raise Invalid(_("Unknown area level %(level)s.", level=level), field="level")
    area = db.session.scalar(
        select(Area).where(
            Area.code == code, Area.valid_from == attrs.get("valid_from", SINCE_BEFORE_RECORDS)
        )
    )
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


def load_unit_list(data: dict) -> int:
    """Load province, districts and communes from seed_data/areas/*.json; returns changes."""

    def validity(rec):
        return {
            "valid_to": date.fromisoformat(rec["valid_to"]) if rec.get("valid_to") else None,
            "successor_codes": ",".join(rec.get("successor_codes", [])) or None,
        }

    p = data["province"]
    changes = int(
        upsert_area(
            level="province",
            code=p["code"],
            name=p["name"],
            parent=None,
            name_en=p.get("name_en"),
            unit_type=p.get("unit_type"),
            **validity(p),
        )
    )
    province = get_area(p["code"])
    for d in data["districts"]:
        changes += upsert_area(
            level="district",
            code=d["code"],
            name=d["name"],
            parent=province,
            name_en=d.get("name_en"),
            unit_type=d.get("unit_type"),
            **validity(d),
        )
        district = get_area(d["code"])
        for c in d["communes"]:
            changes += upsert_area(
                level="commune",
                code=c["code"],
                name=c["name"],
                parent=district,
                name_en=c.get("name_en"),
                unit_type=c.get("unit_type"),
                ref_lat=c["lat"],
                ref_lon=c["lon"],
                **validity(c),
            )
    return changes


def get_area(code: str) -> Area:
    """The unit with this GSO code (its latest validity), or NotFound naming the code."""
    area = db.session.scalars(
        select(Area).where(Area.code == str(code)).order_by(Area.valid_from.desc())
    ).first()
    if area is None:
        raise NotFound(_("Unknown area code %(code)s.", code=code), field="area")
    return area


# ---------------------------------------------------------------- boundaries


@dataclass
class BoundaryReport:
    """What a boundary import did, or would do on a dry run."""

    level: str
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unmatched_features: list[str] = field(default_factory=list)
    areas_without_feature: list[str] = field(default_factory=list)
    venues_moved: int = 0
    dry_run: bool = False


def _feature_code(props: dict) -> str | None:
    for key in CODE_PROPERTIES:
        if props.get(key) not in (None, ""):
            return str(props[key]).strip()
    return None


def _crs_ok(fc: dict) -> bool:
    crs = fc.get("crs")
    if not crs:
        return True  # RFC 7946: GeoJSON is WGS84 unless it says otherwise
    name = str((crs.get("properties") or {}).get("name", ""))
    return name.endswith(("EPSG::4326", "EPSG:4326", "CRS84"))


def parse_boundaries(fc: dict) -> dict[str, shp.MultiPolygon]:
    """Validate a GeoJSON FeatureCollection of polygons; code -> MultiPolygon.

    Raises Invalid naming the feature and the reason (wrong SRID, bad ring, not polygons,
    outside Vietnam, swapped coordinates, missing or repeated code).
    """
    if (
        not isinstance(fc, dict)
        or fc.get("type") != "FeatureCollection"
        or not isinstance(fc.get("features"), list)
    ):
        raise Invalid(_("The file is not a GeoJSON FeatureCollection."), field="file")
    if not _crs_ok(fc):
        name = (fc.get("crs", {}).get("properties") or {}).get("name")
        raise Invalid(
            _(
                "The file is in %(crs)s; boundaries must be WGS84 longitude/latitude "
                "(EPSG:4326). Reproject it, e.g. ogr2ogr -t_srs EPSG:4326.",
                crs=name,
            ),
            field="file",
        )
    if not fc["features"]:
        raise Invalid(_("The file has no features."), field="file")
    shapes: dict[str, shp.MultiPolygon] = {}
    lon_min, lat_min, lon_max, lat_max = VN_BOUNDS
    for i, feat in enumerate(fc["features"], start=1):
        props = (feat or {}).get("properties") or {}
        code = _feature_code(props)
        label = _("feature %(n)s", n=i) + (f" ({code})" if code else "")
        if not code:
            raise Invalid(
                _(
                    "%(f)s has no GSO code property (one of: %(keys)s).",
                    f=label,
                    keys=", ".join(CODE_PROPERTIES[:4]),
                ),
                field="file",
            )
        if code in shapes:
            raise Invalid(_("%(f)s repeats a code already in the file.", f=label), field="file")
        try:
            geom = shp.shape(feat["geometry"])
        except Exception:  # shapely raises several kinds for broken coordinates
            raise Invalid(_("%(f)s has a malformed geometry.", f=label), field="file") from None
        if geom.geom_type == "Polygon":
            geom = shp.MultiPolygon([geom])
        if geom.geom_type != "MultiPolygon" or geom.is_empty:
            raise Invalid(
                _(
                    "%(f)s is a %(t)s; only Polygon or MultiPolygon boundaries are accepted.",
                    f=label,
                    t=geom.geom_type,
                ),
                field="file",
            )
        minx, miny, maxx, maxy = geom.bounds
        if not (lon_min <= minx and maxx <= lon_max and lat_min <= miny and maxy <= lat_max):
            if lon_min <= miny and maxy <= lon_max and lat_min <= minx and maxx <= lat_max:
                raise Invalid(
                    _(
                        "%(f)s has latitude and longitude swapped (GeoJSON is longitude first).",
                        f=label,
                    ),
                    field="file",
                )
            if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
                raise Invalid(
                    _(
                        "%(f)s has projected coordinates (e.g. %(x)s); boundaries "
                        "must be WGS84 longitude/latitude (EPSG:4326).",
                        f=label,
                        x=round(minx),
                    ),
                    field="file",
                )
            raise Invalid(_("%(f)s lies outside Vietnam.", f=label), field="file")
        if not geom.is_valid:
            raise Invalid(
                _("%(f)s has an invalid ring: %(why)s.", f=label, why=explain_validity(geom)),
                field="file",
            )
        shapes[code] = geom
    return shapes


@transactional
def import_boundaries(
    fc: dict,
    level: str,
    *,
    source: str,
    dry_run: bool = False,
    reassign: bool = True,
    audited: bool = True,
) -> BoundaryReport:
    """Replace the polygons of the areas of one level, matching features by GSO code.

    Validation happens before anything is written; unmatched features are reported and
    skipped; when no feature matches, nothing changes.
    """
    if level not in LEVELS:
        raise Invalid(
            _(
                "Unknown area level %(level)s; use one of %(levels)s.",
                level=level,
                levels=", ".join(LEVELS),
            ),
            field="level",
        )
    shapes = parse_boundaries(fc)
    # With their polygons: compared below, and the audit trail records the ones replaced.
    areas = {
        a.code: a
        for a in db.session.scalars(
            select(Area).where(Area.level == level).options(undefer(Area.geom))
        )
    }
    report = BoundaryReport(level=level, dry_run=dry_run)
    report.unmatched_features = sorted(set(shapes) - set(areas))
    report.areas_without_feature = sorted(set(areas) - set(shapes))
    matched = sorted(set(shapes) & set(areas))
    if not matched:
        raise Invalid(
            _(
                "No feature matches a %(level)s code of the database (file codes: %(codes)s).",
                level=level,
                codes=", ".join(sorted(shapes)[:10]),
            ),
            field="file",
        )
    for code in matched:
        area = areas[code]
        new = from_shape(shapes[code], srid=4326)
        if (
            area.boundary_source == source
            and area.geom is not None
            and db.session.scalar(select(func.ST_Equals(Area.geom, new)).where(Area.id == area.id))
        ):
            report.unchanged.append(code)
            continue
        report.updated.append(code)
        if not dry_run:
            area.geom = new
            area.boundary_source = source
    if not dry_run:
        db.session.flush()
        if reassign and report.updated:
            report.venues_moved = assign_venue_areas()
    if not dry_run and audited:
        record(
            "import",
            object_type="area",
            summary=f"{level} boundaries from {source}: {len(report.updated)} replaced",
        )
    return report


def load_boundary_file(
    path: str, level: str, *, source: str | None = None, dry_run: bool = False
) -> BoundaryReport:
    """Read a GeoJSON file and import it (see import_boundaries)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            fc = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(
            _("Cannot read %(path)s as GeoJSON: %(why)s", path=path, why=str(exc)), field="file"
        ) from None
    return import_boundaries(fc, level, source=source or path.rsplit("/", 1)[-1], dry_run=dry_run)
