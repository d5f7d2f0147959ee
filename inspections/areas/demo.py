"""Approximate district and commune boundaries built from the commune points.

Official polygons are not free to redistribute, so the seed carries boundaries the project
builds itself: Voronoi cells around each commune's geocoded point, clipped to a buffer around
all points, dissolved per district. They are marked approximate wherever they are shown;
`flask areas import` replaces them with official polygons.
"""

from __future__ import annotations

import shapely
from shapely import geometry as shp
from shapely.ops import unary_union

# About 13 km: wide enough to cover the mainland between commune seats, small enough that
# Phú Quý island stays an island.
CLIP_RADIUS_DEG = 0.12
PRECISION = 1e-5


def _as_multi(geom) -> shp.MultiPolygon:
    geom = shapely.set_precision(geom, PRECISION)
    if geom.geom_type == "Polygon":
        return shp.MultiPolygon([geom])
    if geom.geom_type == "MultiPolygon":
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type == "Polygon"]
    return shp.MultiPolygon(polys)


def build(unit_list: dict) -> tuple[dict, dict]:
    """District and commune FeatureCollections built from seed_data/areas/<province>.json."""
    communes = [(d, c) for d in unit_list["districts"] for c in d["communes"]]
    pts = [shp.Point(c["lon"], c["lat"]) for _, c in communes]
    region = unary_union([p.buffer(CLIP_RADIUS_DEG, quad_segs=6) for p in pts])
    cells = shapely.voronoi_polygons(
        shp.MultiPoint(pts), extend_to=region.envelope.buffer(1.0), ordered=True
    )
    by_district: dict[str, list] = {}
    commune_features = []
    for (district, commune), cell in zip(communes, cells.geoms, strict=True):
        clipped = _as_multi(cell.intersection(region))
        by_district.setdefault(district["code"], []).append(clipped)
        commune_features.append(_feature(commune, clipped, parent=district["code"]))
    district_features = [
        _feature(d, _as_multi(unary_union(by_district[d["code"]])), parent=None)
        for d in unit_list["districts"]
    ]
    return _collection(district_features), _collection(commune_features)


def _feature(unit: dict, geom, parent: str | None) -> dict:
    props = {"gso_code": unit["code"], "name": unit["name"], "approximate": True}
    if parent:
        props["district_code"] = parent
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


def _collection(features: list) -> dict:
    return {
        "type": "FeatureCollection",
        "name": "approximate boundaries built by inspections (Voronoi around commune points)",
        "features": features,
    }
