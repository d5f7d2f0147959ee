"""Payloads of the coverage API and the plan form: the one definition of each answer."""

from __future__ import annotations

import functools
import json
import keyword
from typing import Any

from marshmallow import Schema, fields, validate

from ..accounts.models import AGENCY_CODES
from ..areas.models import LEVELS
from .rule import FIGURES

LEVEL_FIELD: dict[str, Any] = {  # keyword arguments of the field
    "load_default": None,
    "validate": validate.OneOf(LEVELS, error="Unknown area level; use one of: {choices}."),
    "metadata": {
        "description": "area level of the rows: "
        + ", ".join(LEVELS)
        + " (default: district on a map before 1 July 2025, commune after; no districts "
        "since then)"
    },
}


class PeriodArgs(Schema):
    period = fields.String(
        validate=validate.Length(max=40),
        metadata={
            "description": "2024, 2024-Q3, 2024-06, report:2024-Q3, report:2024-6M, "
            "report:2024-9M, report:2024-Y; or give start and end (default: this year)"
        },
    )
    start = fields.Date(metadata={"description": "first day (inclusive), with end"})
    end = fields.Date(metadata={"description": "last day (inclusive), with start"})
    sector = fields.String(
        validate=validate.Length(max=32), metadata={"description": "sector code filter"}
    )
    as_of = fields.Date(
        metadata={
            "description": "the day whose administrative map cuts the areas (codes were reused "
            "on 1 July 2025); default: the last day of the period"
        }
    )


class CoverageQuery(PeriodArgs):
    level = fields.String(**LEVEL_FIELD)
    by_sector = fields.Boolean(
        load_default=False, metadata={"description": "add a breakdown by sector to each row"}
    )


class VenueListQuery(PeriodArgs):
    area = fields.String(
        required=True, validate=validate.Length(max=16), metadata={"description": "GSO code"}
    )
    figure = fields.String(
        load_default="in_scope",
        validate=validate.OneOf(FIGURES, error="Unknown figure; use one of: {choices}."),
    )
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class NextQuery(PeriodArgs):
    area = fields.String(
        required=True, validate=validate.Length(max=16), metadata={"description": "GSO code"}
    )
    lat = fields.Float(
        validate=validate.Range(-90, 90), metadata={"description": "start point latitude"}
    )
    lon = fields.Float(
        validate=validate.Range(-180, 180), metadata={"description": "start point longitude"}
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class PeriodSpanOut(Schema):
    start = fields.Date()
    end = fields.Date()


class PeriodOut(PeriodSpanOut):
    key = fields.String(allow_none=True)


class PlanOut(Schema):
    number = fields.String()
    year = fields.Integer()
    issued_on = fields.Date(allow_none=True)
    issuer = fields.String()
    programme = fields.String(allow_none=True)
    coverage_target_pct = fields.Float()
    baseline_on = fields.Date(allow_none=True)
    tips_target_pct = fields.Float()


class FiguresOut(Schema):
    code = fields.String()
    name = fields.String()
    venues_in_scope = fields.Integer(attribute="in_scope")
    venues_inspected = fields.Integer(attribute="inspected")
    coverage_pct = fields.Float(allow_none=True, metadata={"description": "null: no venues"})
    target_pct = fields.Float()
    meets_target = fields.Boolean(allow_none=True, metadata={"description": "null: no venues"})
    venues_ever_inspected = fields.Integer(attribute="ever_inspected")
    ever_inspected_pct = fields.Float(allow_none=True)
    never_inspected = fields.Integer()
    needed = fields.Integer(
        metadata={"description": "more venues to inspect in the period to reach the target"}
    )


class FiguresWithSectorsOut(FiguresOut):
    sectors = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(FiguresOut),
        metadata={"description": "by sector code, with by_sector=true"},
    )


# ---------------------------------------------------------------- rows of many units

_PLAIN = (
    (fields.Boolean, bool),
    (fields.Integer, int),
    (fields.Float, float),
    (fields.String, str),
)


def _converter(field: fields.Field):
    """How a declared field turns a value into JSON, for the kinds a figure row uses; None for
    any other kind (the row is then dumped by marshmallow)."""
    for kind, convert in _PLAIN:
        if isinstance(field, kind) and not getattr(field, "as_string", False):
            return convert
    if isinstance(field, fields.Dict) and isinstance(field.value_field, fields.Nested):
        inner = compiled_dumper(field.value_field.schema)
        if inner is not None:
            return lambda d: {str(k): inner(v) for k, v in d.items()}
    return None


@functools.cache
def _compiled(schema_cls: type[Schema]):
    """The dumper of a flat schema as one generated function: an attribute read, a None test
    and a conversion per declared field, in the schema's order (no loop over fields, no
    getattr: about half the time of a loop over them)."""
    schema = schema_cls()
    env: dict[str, Any] = {}
    lines = ["def dump(obj):"]
    items = []
    for i, (name, field) in enumerate(schema.dump_fields.items()):
        convert = _converter(field)
        attribute = field.attribute or name
        if convert is None or not attribute.isidentifier() or keyword.iskeyword(attribute):
            return None
        env[f"convert{i}"] = convert
        lines.append(f"    v{i} = obj.{attribute}")
        items.append(f"{field.data_key or name!r}: None if v{i} is None else convert{i}(v{i})")
    lines.append("    return {" + ", ".join(items) + "}")
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the schema's field names
    return env["dump"]


def compiled_dumper(schema: Schema):
    """A function giving what ``schema.dump(obj)`` gives for one object of a flat schema
    (booleans, numbers, strings, dicts of such nested schemas), built once from the schema's
    declared fields: the same keys, attributes and types without marshmallow's per-field
    machinery. None when the schema has other kinds of fields (or only/exclude)."""
    if schema.only or schema.exclude:
        return None
    return _compiled(type(schema))


class FigureRows(fields.List):
    """The rows of a figure set: a list of the nested schema, each row dumped by its
    compiled_dumper (the same answer as marshmallow's, in a fraction of the time: the
    country's 3,321 communes are one answer)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        dump = compiled_dumper(self.inner.schema) if isinstance(self.inner, fields.Nested) else None
        if dump is None:
            return super()._serialize(value, attr, obj, **kwargs)
        return [dump(row) for row in value]


class CoverageOut(Schema):
    period = fields.Nested(PeriodOut)
    plan = fields.Nested(
        PlanOut,
        attribute="targets.plan",
        allow_none=True,
        metadata={"description": "the plan whose targets apply (null: none, defaults used)"},
    )
    target_pct = fields.Float(attribute="targets.coverage_pct")
    baseline_on = fields.Date(attribute="targets.baseline_on", allow_none=True)
    level = fields.String()
    as_of = fields.Date(metadata={"description": "the day whose administrative map was used"})
    sector = fields.Function(lambda c: c.sector.code if c.sector else None)
    approximate_boundaries = fields.Boolean()
    rows = FigureRows(fields.Nested(FiguresWithSectorsOut))
    totals = fields.Nested(FiguresWithSectorsOut)


class AreaPropertiesOut(FiguresOut):
    status = fields.String(metadata={"description": "below / meets the target; none: no venues"})
    approximate_boundary = fields.Boolean(
        metadata={"description": "the polygon is approximate (demo), not an official boundary"}
    )


class AreaFeatureOut(Schema):
    type = fields.Constant("Feature")
    id = fields.String(attribute="figures.code", metadata={"description": "GSO code"})
    # a Field: the map's MapAreaOut gives its own properties
    properties: fields.Field = fields.Nested(AreaPropertiesOut, attribute="figures")
    geometry = fields.Function(
        lambda f: json.loads(f.geojson),
        allow_none=True,
        metadata={
            "description": "simplified polygon; a Point for a unit without a boundary; null "
            "when the unit has neither"
        },
    )


class CoverageGeoOut(Schema):
    type = fields.Constant("FeatureCollection")
    features = fields.List(fields.Nested(AreaFeatureOut))
    period = fields.Nested(PeriodSpanOut)
    target_pct = fields.Float(attribute="targets.coverage_pct")
    plan = fields.Function(
        lambda c: c.targets.plan.number if c.targets.plan else None,
        metadata={"description": "number of the plan whose targets apply"},
    )


class VenueLineOut(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    sector = fields.String(attribute="sector_code")
    last_inspected_on = fields.Date(attribute="last_on", allow_none=True)
    state = fields.String(
        metadata={"description": "inspected (in the period), earlier (since the baseline), never"}
    )
    lat = fields.Float()
    lon = fields.Float()
    distance_m = fields.Float(allow_none=True)


class NextVenueOut(VenueLineOut):
    past_violations = fields.Integer(
        metadata={"description": "violations recorded at its submitted inspections"}
    )
    open_tips = fields.Integer(metadata={"description": "tips about it not closed yet"})


class VenueListOut(Schema):
    area = fields.String()
    figure = fields.String()
    period = fields.Nested(PeriodOut)
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    venues = fields.List(fields.Nested(VenueLineOut))


class NextOut(Schema):
    period = fields.Nested(PeriodOut)
    area = fields.Nested(FiguresOut, attribute="figures")
    needed = fields.Integer()
    candidates = fields.Integer(
        metadata={"description": "venues in scope not yet inspected in the period"}
    )
    venues = fields.List(fields.Nested(NextVenueOut))


class PlanForm(Schema):
    number = fields.String(required=True, validate=validate.Length(min=3, max=60))
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    issued_on = fields.Date(load_default=None)
    issuer = fields.String(required=True, validate=validate.Length(min=3, max=200))
    programme = fields.String(load_default=None, validate=validate.Length(max=200))
    coverage_target_pct = fields.Decimal(
        load_default=None, places=2, validate=validate.Range(0, 100)
    )
    baseline_on = fields.Date(load_default=None)
    tips_target_pct = fields.Decimal(load_default=None, places=2, validate=validate.Range(0, 100))
    notes = fields.String(load_default=None, validate=validate.Length(max=4000))
    # The standing agency the units report to (default: by the plan's date, plans.py).
    standing_agency = fields.String(load_default=None, validate=validate.OneOf(AGENCY_CODES))
    standing_agency_name = fields.String(load_default=None, validate=validate.Length(max=200))
    place_name = fields.String(load_default=None, validate=validate.Length(max=80))
