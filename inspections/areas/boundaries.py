"""Boundaries: validating a GeoJSON file and replacing the polygons of one level of one map.

Features match by GSO code within one version of the map only (codes were reused on 1 July
2025): ``valid_from`` names the day whose units are meant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely import geometry as shp
from shapely.validation import explain_validity
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from .. import clock
from ..audit.services import record, said
from ..errors import Invalid
from ..extensions import db
from ..uow import transactional
from .locating import VN_BOUNDS, assign_venue_areas
from .models import Area
from .successors import derive_successor_boundaries
from .versions import (
    FORMER,
    LAST_FORMER_DAY,
    check_as_of,
    check_level,
    check_level_on,
    in_force_clause,
    version_of,
)

CODE_PROPERTIES = ("gso_code", "code", "ma", "ma_gso", "GSO_CODE", "CODE", "MA")


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
    # The day whose units the features matched, and today's units rebuilt from the former ones.
    as_of: date | None = None
    successors_rebuilt: int = 0


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


def map_day(level: str, valid_from: date | None) -> date:
    """The day whose units a boundary file is for: valid_from when given, else today's map, or
    the former one for a level today's map has not (districts)."""
    check_level(level)
    if valid_from is not None:
        check_as_of(valid_from)
        check_level_on(level, valid_from)
        return valid_from
    today = clock.today()
    return today if level in version_of(today).levels else LAST_FORMER_DAY


@transactional
def import_boundaries(
    fc: dict,
    level: str,
    *,
    source: str,
    valid_from: date | None = None,
    dry_run: bool = False,
    reassign: bool = True,
    audited: bool = True,
) -> BoundaryReport:
    """Replace the polygons of the units of one level in force on valid_from (see map_day),
    matching features by GSO code within that version only.

    Validation happens before anything is written; unmatched features are reported and
    skipped; when no feature matches, nothing changes. Today's units whose polygon is built
    from their predecessors' follow new polygons of the former communes.
    """
    day = map_day(level, valid_from)
    shapes = parse_boundaries(fc)
    # With their polygons: compared below, and the audit trail records the ones replaced.
    areas = {
        a.code: a
        for a in db.session.scalars(
            select(Area)
            .where(Area.level == level, in_force_clause(day))
            .options(undefer(Area.geom))
        )
    }
    report = BoundaryReport(level=level, dry_run=dry_run, as_of=day)
    report.unmatched_features = sorted(set(shapes) - set(areas))
    report.areas_without_feature = sorted(set(areas) - set(shapes))
    matched = sorted(set(shapes) & set(areas))
    if not matched:
        raise Invalid(
            _(
                "No feature matches a %(level)s code in force on %(day)s (file codes: %(codes)s).",
                level=level,
                day=day.strftime("%d/%m/%Y"),
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
        if report.updated and version_of(day) is FORMER and level == "commune":
            report.successors_rebuilt = derive_successor_boundaries()
        if reassign and report.updated:
            report.venues_moved = assign_venue_areas()
    if not dry_run and audited:
        record(
            "import",
            object_type="area",
            summary=said(
                "%(level)s boundaries (%(day)s) from %(source)s: %(n)s replaced",
                level=level,
                day=day,
                source=source,
                n=len(report.updated),
            ),
        )
    return report


def load_boundary_file(
    path: str,
    level: str,
    *,
    source: str | None = None,
    valid_from: date | None = None,
    dry_run: bool = False,
) -> BoundaryReport:
    """Read a GeoJSON file and import it (see import_boundaries)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            fc = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(
            _("Cannot read %(path)s as GeoJSON: %(why)s", path=path, why=str(exc)), field="file"
        ) from None
    return import_boundaries(
        fc,
        level,
        source=source or path.rsplit("/", 1)[-1],
        valid_from=valid_from,
        dry_run=dry_run,
    )
