"""The areas' polygons with their figures as GeoJSON: the API's (schemas.CoverageGeoOut) and
the map's, which carries only what the map shows."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, fields

from .periods import Period
from .plans import Targets
from .rule import Coverage, Figures
from .schemas import AreaFeatureOut


@dataclass
class AreaFeature:
    """One area of a figure set with its (simplified) polygon."""

    figures: Figures
    geojson: str
    popup: str = ""  # the map's popup HTML; the API leaves it out


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


def area_features(cov: Coverage, shapes: list) -> CoverageAreas:
    """The areas of the figure set that have a polygon (lists.area_shapes), in code order."""
    by_id = {r.area_id: r for r in cov.rows}
    features = [
        AreaFeature(by_id[shape.id], shape.geojson) for shape in shapes if shape.id in by_id
    ]
    return CoverageAreas(cov, features)


class MapAreaPropertiesOut(Schema):
    name = fields.String(attribute="figures.name")
    status = fields.String(attribute="figures.status")
    popup = fields.String()


class MapAreaOut(AreaFeatureOut):
    """A polygon of the map: the name, colour and popup only (the API's feature has every
    figure)."""

    properties = fields.Method("map_properties")

    def map_properties(self, feature: AreaFeature) -> dict:
        """The properties the map reads."""
        return MapAreaPropertiesOut().dump(feature)


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
        walk(f["geometry"]["coordinates"])
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]
