"""Payloads of the registry: one input schema for the API, the forms and the import rows."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate

from ..areas.schemas import MapDay
from .geo import CoordinateError, parse_coordinate, parse_point
from .models import LICENCE_KINDS, SECTOR_CODES, VENUE_STATUSES
from .phones import PhoneError, normalise_phone

_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?\s*$")


def parse_day(value) -> date:
    """A calendar day from a date, dd/mm/yyyy (also with . or -), or ISO yyyy-mm-dd."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    m = _DMY.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = _ISO.match(text)
        if not m:
            raise ValidationError(str(_l("Not a date: %(v)s (write dd/mm/yyyy).", v=text)))
        year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(str(_l("%(v)s is not a real date (dd/mm/yyyy).", v=text))) from None


class Day(fields.Date):
    """dd/mm/yyyy as people write it, ISO as programs do; dumps ISO."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value in ("", None):
            return None
        day = parse_day(value)
        if not 1900 <= day.year <= 2100:
            raise ValidationError(str(_l("The year %(y)s is not plausible.", y=day.year)))
        return day


class Coordinate(fields.Float):
    """A latitude or longitude in decimal degrees or degrees-minutes-seconds."""

    def __init__(self, axis: str, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_coordinate(value, self.axis)
        except CoordinateError as exc:
            raise ValidationError(exc.message) from None


class Phone(fields.String):
    """Vietnamese phone numbers as people write them, kept in one form (``phones``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_phone(text)
        except PhoneError as exc:
            raise ValidationError(exc.message) from None


class Point(fields.Field):
    """ "lat, lon" in one text (the form's box, the API's near=)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_point(value)
        except CoordinateError as exc:
            raise ValidationError(exc.message) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value[0]:.6f},{value[1]:.6f}"


def _strip(data: dict) -> dict:
    """Trim texts; blank strings mean "not given"."""
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = " ".join(value.split()) if key != "notes" else value.strip()
            if value == "":
                continue
        out[key] = value
    return out


class LicenceIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LICENCE_KINDS))
    number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    issued_on = Day(load_default=None, allow_none=True)
    expires_on = Day(load_default=None, allow_none=True)
    issuer = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=160))

    @pre_load
    def _clean(self, data, **_kw):
        return _strip(data)

    @post_load
    def _dates(self, data, **_kw):
        if (
            data.get("issued_on")
            and data.get("expires_on")
            and data["expires_on"] < data["issued_on"]
        ):
            raise ValidationError(
                str(_l("The licence expires before it was issued.")), "expires_on"
            )
        return data


class VenueIn(Schema):
    """A venue as the API, the forms and the import give it (PATCH: partial=True)."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    sector = fields.String(
        required=True,
        validate=validate.OneOf(SECTOR_CODES),
        metadata={"description": "sector code: " + ", ".join(SECTOR_CODES)},
    )
    address = fields.String(
        allow_none=True,
        validate=validate.Length(max=300),
        metadata={"description": "one line; built from house_no, street, commune if absent"},
    )
    house_no = fields.String(allow_none=True, validate=validate.Length(max=40))
    street = fields.String(allow_none=True, validate=validate.Length(max=160))
    address_commune = fields.String(
        allow_none=True,
        validate=validate.Length(max=120),
        metadata={"description": "the commune or ward as written in the address"},
    )
    latitude = Coordinate(
        "lat",
        required=True,
        metadata={"description": "decimal degrees, or DMS such as 10°55'59.6\"N"},
    )
    longitude = Coordinate(
        "lon",
        required=True,
        metadata={"description": "decimal degrees, or DMS such as 108°06'12.3\"E"},
    )
    registration_no = fields.String(allow_none=True, validate=validate.Length(max=40))
    security_cert_no = fields.String(
        allow_none=True,
        validate=validate.Length(max=60),
        metadata={"description": "security-and-order certificate (giấy chứng nhận ANTT)"},
    )
    security_cert_on = Day(allow_none=True)
    owner_name = fields.String(allow_none=True, validate=validate.Length(max=160))
    owner_phone = Phone(
        allow_none=True,
        metadata={
            "description": "stored as 0912345678 or 02523822123 (+84 and separators "
            "accepted); two numbers separated by a comma"
        },
    )
    capacity = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=10000),
        metadata={"description": "rooms, beds or chairs, as the sector counts them"},
    )
    status = fields.String(validate=validate.OneOf(VENUE_STATUSES))
    status_reason = fields.String(
        load_only=True,
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={"description": "why the status changes (PATCH status)"},
    )
    opened_on = Day(allow_none=True)
    closed_on = Day(allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))
    licences = fields.List(
        fields.Nested(LicenceIn),
        metadata={"description": "other licences; when given, they replace the venue's list"},
    )

    @pre_load
    def _clean(self, data, **_kw):
        return _strip(data)


class VenueForm(VenueIn):
    """The page form: the location is one box ("lat, lon", DMS, or filled by map and GPS)."""

    latitude = Coordinate("lat", load_default=None)
    longitude = Coordinate("lon", load_default=None)
    coordinates = Point(load_only=True, load_default=None)

    @post_load
    def _location(self, data, **_kw):
        point = data.pop("coordinates", None)
        if point:
            data["latitude"], data["longitude"] = point
        if data.get("latitude") is None or data.get("longitude") is None:
            raise ValidationError(
                str(_l("Set the location: tap the map, use GPS, or type the coordinates.")),
                "coordinates",
            )
        return data


class LifecycleForm(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("suspend", "reopen", "close")))
    on = Day(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=500))

    @pre_load
    def _clean(self, data, **_kw):
        return _strip(data)


class LicenceOut(Schema):
    kind = fields.String()
    number = fields.String()
    issued_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    issuer = fields.String(allow_none=True)


class VenueOut(Schema):
    id = fields.Integer()
    name = fields.String()
    sector = fields.Function(lambda v: v.sector.code)
    address = fields.String(allow_none=True)
    house_no = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    address_commune = fields.String(allow_none=True)
    latitude = fields.Float()
    longitude = fields.Float()
    district_code = fields.Function(lambda v: v.district.code if v.district else None)
    district_name = fields.Function(lambda v: v.district.name if v.district else None)
    commune_code = fields.Function(lambda v: v.commune.code if v.commune else None)
    commune_name = fields.Function(lambda v: v.commune.name if v.commune else None)
    unit_2025_code = fields.Function(
        lambda v: v.commune_2025.code if v.commune_2025 else None,
        metadata={"description": "GSO code of the venue's unit on today's map (since 1/7/2025)"},
    )
    unit_2025_name = fields.Function(
        lambda v: v.commune_2025.name if v.commune_2025 else None,
        metadata={"description": "name of the venue's unit on today's map (since 1/7/2025)"},
    )
    address_2025 = fields.String(
        allow_none=True,
        metadata={
            "description": "the address on today's map: the written address below the "
            "commune, then today's unit and province (address keeps the text as written)"
        },
    )
    commune_mismatch = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "the commune written in the address is neither the former "
            "commune nor today's unit the location falls in (null when the address names "
            "none)"
        },
    )
    registration_no = fields.String(allow_none=True)
    security_cert_no = fields.String(allow_none=True)
    security_cert_on = fields.Date(allow_none=True)
    owner_name = fields.String(allow_none=True)
    owner_phone = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    status = fields.String()
    opened_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    merged_into_id = fields.Integer(allow_none=True)
    licences = fields.List(fields.Nested(LicenceOut))
    last_inspected_on = fields.Date(allow_none=True)
    distance_m = fields.Float(
        allow_none=True, metadata={"description": "metres from near=, when given"}
    )
    page_url = fields.String()
    updated_at = fields.DateTime()


class VenueQuery(Schema):
    """The filters of the list page, the exports and the label sheets (a blank box of the
    search form means "not given")."""

    blank_is_missing = True

    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "name, address, numbers, owner; accents and case ignored"},
    )
    area = fields.String(
        validate=validate.Length(max=16),
        metadata={"description": "GSO code of a district or commune (on the map of as_of)"},
    )
    as_of = MapDay()
    sector = fields.String(validate=validate.OneOf(SECTOR_CODES))
    status = fields.String(
        validate=validate.OneOf((*VENUE_STATUSES, "open")),
        metadata={"description": "open = operating or suspended"},
    )
    inspected = fields.String(
        validate=validate.OneOf(("yes", "no")),
        metadata={
            "description": "with (yes) or without (no) a submitted inspection "
            "between since and until (default: this calendar year)"
        },
    )
    since = Day()
    until = Day()
    expiring = fields.Boolean(
        metadata={"description": "a licence expires within `days` days or has expired"}
    )
    days = fields.Integer(load_default=60, validate=validate.Range(min=1, max=3650))
    flag = fields.String(
        validate=validate.OneOf(("mismatch", "unlocated", "repeat")),
        metadata={
            "description": "mismatch = address names another commune than the "
            "location; unlocated = outside every area; repeat = violations found at two "
            "or more inspections in the repeat-offender window (REPEAT_WINDOW_MONTHS)"
        },
    )
    near = Point(metadata={"description": "lat,lon: sort by distance (metres)"})
    include_merged = fields.Boolean(load_default=False)
    sort = fields.String(validate=validate.OneOf(("name", "updated", "distance")))
    ids = fields.List(fields.Integer(), metadata={"description": "only these venues"})

    @pre_load
    def _clean(self, data, **_kw):
        if hasattr(data, "getlist"):  # query strings: ids may repeat
            ids = [v for v in data.getlist("ids") if v.strip()]
            data = {k: v for k, v in data.items() if k != "ids"}
            if ids:
                data["ids"] = ids
        if self.blank_is_missing:
            data = _strip(dict(data))
        else:
            blank = sorted(k for k, v in dict(data).items() if isinstance(v, str) and not v.strip())
            if blank:
                raise ValidationError(
                    {k: [str(_l("An empty value is not allowed."))] for k in blank}
                )
        for key in ("page", "page_size", "per_page", "format"):
            data.pop(key, None)
        # "22918@2025-06-30": a code and the day of its map in one value (the list page's
        # choice of a former commune whose code today's map reused)
        area = data.get("area")
        if isinstance(area, str) and "@" in area:
            data = dict(data)
            data["area"], _sep, day = area.partition("@")
            data.setdefault("as_of", day)
        return data


class VenueApiQuery(VenueQuery):
    """The filters of the API: a parameter sent empty is refused like any invalid value."""

    blank_is_missing = False


class VenuePatch(VenueIn):
    """VenueIn for PATCH: every field optional (its own name in the OpenAPI document)."""
