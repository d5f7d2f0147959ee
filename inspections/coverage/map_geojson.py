"""The map's data: the areas' polygons with their figures as GeoJSON (the API's,
schemas.CoverageGeoOut, and the map's, which carries only what the map shows), the polygons
alone (MapShapesOut) and the venues as compact rows (MapVenuesOut): the page fetches these
two, the exported file embeds them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from marshmallow import Schema, fields
from sqlalchemy import Row

from .periods import Period
from .plans import Targets
from .rule import EARLIER, IN_PERIOD, NEVER, Coverage, Figures
from .schemas import AreaFeatureOut

STATE_CODES = {IN_PERIOD: 0, EARLIER: 1, NEVER: 2}  # a venue's state in the map's rows


@dataclass
class AreaFeature:
    """One area of a figure set with its (simplified) polygon."""

    figures: Figures
    geojson: str  # a polygon, else the unit's point, else "null" (GeoJSON allows no geometry)
    popup: str = ""  # the map's popup HTML; the API leaves it out

    @property
    def drawable(self) -> bool:
        """Whether the feature has a geometry to draw."""
        return self.geojson != "null"


@dataclass
class CoverageAreas:
    """The features of a figure set, with the period and targets they were measured by."""

    coverage: Coverage
    features: list[AreaFeature]

    @property
    def period(self) -> Period:
        """The period of the figure set."""
        return self.coverage.period

    @property
    def targets(self) -> Targets:
        """The plan's targets the figures are measured against."""
        return self.coverage.targets


def point_geojson(lat: float, lon: float) -> str:
    """A GeoJSON Point (longitude first)."""
    return json.dumps({"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]})


def area_features(
    cov: Coverage, shapes: Sequence[Row], points: Sequence[Row] = ()
) -> CoverageAreas:
    """Every row of the figure set as a feature, in the rows' order: its polygon
    (lists.area_shapes), else its point (lists.unit_points), else no geometry: a unit without
    a boundary is never dropped."""
    geometry = {p.id: point_geojson(p.lat, p.lon) for p in points}
    geometry.update({s.id: s.geojson for s in shapes})
    return CoverageAreas(cov, [AreaFeature(r, geometry.get(r.area_id, "null")) for r in cov.rows])


def undrawn_rows(cov: Coverage, shapes: Sequence[Row], points: Sequence[Row]) -> list[Figures]:
    """The rows the map cannot draw (no polygon, no point): listed under it instead."""
    drawn = {s.id for s in shapes} | {p.id for p in points}
    return [r for r in cov.rows if r.area_id not in drawn]


class MapAreaPropertiesOut(Schema):
    name = fields.String(attribute="figures.name")
    status = fields.String(attribute="figures.status")
    popup = fields.String()


_MAP_PROPERTIES = MapAreaPropertiesOut()


class MapAreaOut(AreaFeatureOut):
    """A polygon of the map: the name, colour and popup only (the API's feature has every
    figure)."""

    properties = fields.Method("map_properties")

    def map_properties(self, feature: AreaFeature) -> dict:
        """The properties the map reads (one schema for every feature: building one per
        feature cost more than dumping it)."""
        return _MAP_PROPERTIES.dump(feature)


class MapAreasOut(Schema):
    type = fields.Constant("FeatureCollection")
    features = fields.List(fields.Nested(MapAreaOut))


def bounds(fc: dict) -> list | None:
    """[[south, west], [north, east]] of a dumped FeatureCollection, None when empty."""
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for f in fc["features"]:
        if f["geometry"]:
            walk(f["geometry"]["coordinates"])
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def venue_rows(points: Sequence[Row]) -> list[list]:
    """The venues of lists.map_points as the map's compact rows: [lat, lon, state code, id,
    name, area id]; the name is data the popup sets as text."""
    return [
        [round(p.lat, 5), round(p.lon, 5), STATE_CODES[p.state], p.id, p.name, p.area_id]
        for p in points
    ]


class MapVenuesOut(Schema):
    """The venues of a figure set on the map (see venue_rows)."""

    venues = fields.List(
        fields.Tuple(
            (
                fields.Float(),
                fields.Float(),
                fields.Integer(),
                fields.Integer(),
                fields.String(),
                fields.Integer(allow_none=True),
            )
        ),
        metadata={
            "description": "[lat, lon, state (0 inspected in the period, 1 earlier, "
            "2 never), venue id, name, area id]"
        },
    )


class MapShapeOut(Schema):
    """A unit's (simplified) polygon, by GSO code: the map's feature of that id gets it."""

    type = fields.Constant("Feature")
    id = fields.String(attribute="code", metadata={"description": "GSO code"})
    geometry = fields.Function(lambda s: json.loads(s.geojson))


class MapShapesOut(Schema):
    """The polygons of the units of a level on the map of a day (lists.area_shapes)."""

    type = fields.Constant("FeatureCollection")
    features = fields.List(fields.Nested(MapShapeOut))
