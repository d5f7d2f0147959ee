"""Polygons of today's units built from their predecessors', until official ones are loaded.

A unit formed from whole former communes gets the union of their polygons. A former commune
divided among several successors is cut between them by the Voronoi cells of the successors'
points, clipped to the commune: the best split available without official boundaries, said so
on the unit's page. The result is approximate ("demo") when any part is (a demo polygon or a
cut); a union of official polygons keeps their sources ("derived: ...").
``flask areas import FILE --level commune --valid-from 2025-07-01`` replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely import geometry as shp
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from ..extensions import db
from .models import SPLIT, Area
from .models import AreaPredecessor as Link
from .versions import TWO_LEVEL, in_force_clause

DERIVED = "derived: "
PRECISION = 1e-6


def is_derived(source: str | None) -> bool:
    """Whether a polygon was built here from predecessors (or is missing), so may be rebuilt."""
    return source is None or source == "demo" or source.startswith(DERIVED)


def _as_multi(geom) -> shp.MultiPolygon | None:
    geom = shapely.set_precision(geom, PRECISION)
    polys = [geom] if geom.geom_type == "Polygon" else getattr(geom, "geoms", [])
    polys = [g for g in polys if g.geom_type == "Polygon" and not g.is_empty]
    return shp.MultiPolygon(polys) if polys else None


@dataclass
class _Parts:
    """What a successor is made of: polygons and where they came from."""

    polygons: list = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    approximate: bool = False


def split_parts(commune: shp.MultiPolygon, seeds: dict[int, tuple[float, float]]) -> dict:
    """A divided commune's polygon cut among its successors: successor id -> its part (the
    Voronoi cell of the successor's point, clipped to the commune)."""
    ids = sorted(seeds)
    if len(ids) == 1:
        return {ids[0]: commune}
    pts = shp.MultiPoint([shp.Point(seeds[i][1], seeds[i][0]) for i in ids])
    cells = shapely.voronoi_polygons(pts, extend_to=commune.envelope.buffer(1.0))
    out = {}
    for cell in cells.geoms:
        owner = next(i for i in ids if cell.contains(shp.Point(seeds[i][1], seeds[i][0])))
        out[owner] = cell.intersection(commune)
    return out


def derive_successor_boundaries(valid_from: date = TWO_LEVEL.valid_from) -> int:
    """Build the polygons of the units of a map from their predecessors' where no official
    polygon is loaded; returns how many changed."""
    units = list(
        db.session.scalars(
            select(Area)
            .where(Area.level == "commune", in_force_clause(valid_from))
            .options(
                undefer(Area.geom),
                selectinload(Area.predecessor_links)
                .selectinload(Link.predecessor)
                .undefer(Area.geom),
            )
            .order_by(Area.code)
        )
    )
    units = [u for u in units if u.predecessor_links and is_derived(u.boundary_source)]
    parts: dict[int, _Parts] = {u.id: _Parts() for u in units}
    divided: dict[int, Area] = {}
    for unit in units:
        for link in unit.predecessor_links:
            old = link.predecessor
            if old.geom is None:
                continue
            mine = parts[unit.id]
            mine.sources.add(old.boundary_source or "")
            mine.approximate |= old.is_demo_boundary
            if link.kind == SPLIT:
                mine.approximate = True
                divided[old.id] = old
            else:
                mine.polygons.append(to_shape(old.geom))
    for old in divided.values():
        # Every unit the commune was divided among is a seed, official or not.
        seeds = {
            s.id: (s.lat, s.lon)
            for s in sharers(old, valid_from)
            if s.lat is not None and s.lon is not None  # set in pairs
        }
        for owner, piece in split_parts(to_shape(old.geom), seeds).items():
            if owner in parts:
                parts[owner].polygons.append(piece)
    changed = 0
    for unit in units:
        mine = parts[unit.id]
        geom = _as_multi(unary_union(mine.polygons)) if mine.polygons else None
        if geom is None:
            continue
        source = "demo" if mine.approximate else DERIVED + ", ".join(sorted(mine.sources))
        if (
            unit.geom is not None
            and unit.boundary_source == source
            and shapely.equals_exact(to_shape(unit.geom), geom, tolerance=PRECISION / 10)
        ):
            continue
        unit.geom = from_shape(geom, srid=4326)
        unit.boundary_source = source[:200]
        changed += 1
    if changed:
        db.session.flush()
    return changed


def sharers(predecessor: Area, valid_from: date) -> list[Area]:
    """The units of a map a predecessor went into, in code order."""
    return list(
        db.session.scalars(
            select(Area)
            .join(Link, Link.successor_id == Area.id)
            .where(Link.predecessor_id == predecessor.id, Area.valid_from == valid_from)
            .order_by(Area.code)
        )
    )


def split_links(unit: Area) -> list[tuple[Area, list[Area]]]:
    """The divided predecessors of a unit, each with all the units it was divided among."""
    return [
        (link.predecessor, sharers(link.predecessor, unit.valid_from))
        for link in unit.predecessor_links
        if link.kind == SPLIT
    ]
