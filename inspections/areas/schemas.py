"""Payloads of the areas API."""

from marshmallow import Schema, fields, validate

from .models import LEVELS


class AreaQuery(Schema):
    level = fields.String(validate=validate.OneOf(LEVELS))
    parent = fields.String(metadata={"description": "GSO code of the parent unit"})
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "name, accents and case ignored"},
    )


class AreaOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    level = fields.String()
    unit_type = fields.String(allow_none=True)
    parent_code = fields.Function(lambda a: a.parent.code if a.parent else None)
    valid_from = fields.Function(
        lambda a: a.valid_from.isoformat() if a.valid_from.year > 1 else None
    )
    valid_to = fields.Date(allow_none=True)
    successor_codes = fields.Function(
        lambda a: a.successor_codes.split(",") if a.successor_codes else []
    )
    boundary = fields.Function(
        lambda a: (
            None
            if not a.has_boundary
            else ("approximate" if a.boundary_source == "demo" else "official")
        )
    )


class LocateQuery(Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


class LocateOut(Schema):
    district = fields.Nested(AreaOut)
    commune = fields.Nested(AreaOut, allow_none=True)
    snapped_m = fields.Float(
        allow_none=True,
        metadata={
            "description": "set when the point lay outside every polygon and was given to the "
            "nearest area (metres to it)"
        },
    )


class GeoJSONQuery(Schema):
    level = fields.String(load_default="district", validate=validate.OneOf(LEVELS))
