"""Payloads of the areas API."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ..errors import Invalid
from .models import LEVELS
from .versions import check_as_of

AS_OF: dict[str, Any] = {  # keyword arguments of the field
    "metadata": {
        "description": "the day whose administrative map is read (codes were reused on 1 July 2025)"
    }
}


class AsOfQuery(Schema):
    as_of = fields.Date(
        metadata={"description": "the unit in force on this day (default: its latest version)"}
    )


class AreaQuery(Schema):
    level = fields.String(validate=validate.OneOf(LEVELS))
    parent = fields.String(metadata={"description": "GSO code of the parent unit"})
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "name, accents and case ignored"},
    )
    as_of = fields.Date(
        metadata={"description": "only the units in force on this day (default: every map)"}
    )


class PredecessorOut(Schema):
    """A unit this one was formed from."""

    code = fields.String(attribute="predecessor.code")
    name = fields.String(attribute="predecessor.name")
    kind = fields.String(metadata={"description": "whole, or split (a part of a divided unit)"})
    main_part = fields.Boolean(metadata={"description": "split: this unit got the main part"})


class SuccessorOut(PredecessorOut):
    """A unit this one went into."""

    code = fields.String(attribute="successor.code")
    name = fields.String(attribute="successor.name")


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
    predecessors = fields.List(
        fields.Nested(PredecessorOut),
        attribute="predecessor_links",
        metadata={"description": "the units it was formed from on 1 July 2025"},
    )
    successors = fields.List(
        fields.Nested(SuccessorOut),
        attribute="successor_links",
        metadata={"description": "the units it went into on 1 July 2025"},
    )


class LocateQuery(Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)
    as_of = fields.Date(**AS_OF)


class LocateOut(Schema):
    district = fields.Nested(AreaOut, metadata={"description": "former district"})
    commune = fields.Nested(AreaOut, allow_none=True, metadata={"description": "former commune"})
    unit = fields.Nested(
        AreaOut,
        allow_none=True,
        metadata={"description": "the commune-level unit on the map of as_of"},
    )
    province = fields.Nested(AreaOut, allow_none=True)
    as_of = fields.Date()
    snapped_m = fields.Float(
        allow_none=True,
        metadata={
            "description": "set when the point lay outside every polygon and was given to the "
            "nearest area (metres to it)"
        },
    )


class GeoJSONQuery(Schema):
    level = fields.String(load_default="district", validate=validate.OneOf(LEVELS))
    as_of = fields.Date(
        metadata={
            "description": "the map of this day (default: today's; the former one for districts)"
        }
    )


class MapDay(fields.Date):
    """``as_of`` of a filter by area code: the day whose map names the unit (1975 … today +
    1 year), refused with the accepted range."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault(
            "metadata",
            {
                "description": "the day whose administrative map names the area code (codes "
                "were reused on 1 July 2025: 22918 is Phường Mũi Né today, Phường Hàm Tiến "
                "with 2025-06-30); default: today"
            },
        )
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if value in ("", None):
            return None
        day = super()._deserialize(value, attr, data, **kwargs)
        try:
            return check_as_of(day)
        except Invalid as exc:
            raise ValidationError(exc.message) from exc
