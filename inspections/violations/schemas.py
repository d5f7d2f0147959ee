"""Payloads of the legal catalogue (seed file, API) and of recorded violations."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..venues.models import SECTOR_CODES
from .models import MEASURES, OFFENDER_TYPES

FINE = fields.Integer(
    load_default=None, allow_none=True, validate=validate.Range(min=0, max=10_000_000_000)
)


class CatalogueEntryIn(Schema):
    """One entry of seed_data/catalogue/violations.yaml."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{3,40}$"))
    decree = fields.String(required=True, validate=validate.Length(min=3, max=40))
    article = fields.Integer(required=True, validate=validate.Range(min=1, max=500))
    clause = fields.Raw(load_default=None, allow_none=True)
    point = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=8))
    title_vi = fields.String(required=True, validate=validate.Length(min=3, max=2000))
    title_en = fields.String(required=True, validate=validate.Length(min=3, max=2000))
    offender_types = fields.List(
        fields.String(validate=validate.OneOf(OFFENDER_TYPES)),
        required=True,
        validate=validate.Length(min=1),
    )
    fine_individual_min = FINE
    fine_individual_max = FINE
    fine_organisation_min = FINE
    fine_organisation_max = FINE
    sectors = fields.List(
        fields.String(validate=validate.OneOf(SECTOR_CODES)),
        required=True,
        validate=validate.Length(min=1),
    )
    measures = fields.List(fields.String(validate=validate.OneOf(MEASURES)), load_default=list)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(load_default=None, allow_none=True)
    replaced_by = fields.String(load_default=None, allow_none=True)
    sources = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _ranges(self, data, **_kw):
        for who in ("individual", "organisation"):
            low, high = data.get(f"fine_{who}_min"), data.get(f"fine_{who}_max")
            if (low is None) != (high is None):
                raise ValidationError("give both ends of the range or neither", f"fine_{who}_max")
            if low is not None and low > high:
                raise ValidationError("minimum above maximum", f"fine_{who}_max")
        if data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            raise ValidationError("ends before it starts", "valid_to")


class CatalogueFile(Schema):
    violations = fields.List(fields.Nested(CatalogueEntryIn), required=True)


class CatalogueQuery(Schema):
    on = fields.Date(load_default=None, metadata={"description": "in force on this day"})
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTOR_CODES))


class LegalViolationOut(Schema):
    code = fields.String()
    decree = fields.String()
    article = fields.Integer()
    clause = fields.String(allow_none=True)
    point = fields.String(allow_none=True)
    title_vi = fields.String()
    title_en = fields.String()
    offender_types = fields.List(fields.String())
    fine_individual_min = fields.Integer(allow_none=True)
    fine_individual_max = fields.Integer(allow_none=True)
    fine_organisation_min = fields.Integer(allow_none=True)
    fine_organisation_max = fields.Integer(allow_none=True)
    sectors = fields.List(fields.String())
    measures = fields.List(fields.String())
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    replaced_by = fields.String(allow_none=True)
