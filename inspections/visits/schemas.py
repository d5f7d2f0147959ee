"""Payloads of inspections: the document the phone sends (in), what the API answers (out),
list filters, and the checklist template file."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..accounts.models import AGENCY_CODES
from ..venues.models import SECTOR_CODES
from ..violations.models import MEASURES, OFFENDER_TYPES
from .models import ANSWERS, INSPECTION_STATUSES, PRESENCE, SIGNATURE_ROLES

TEXT = validate.Length(max=2000)
# A finger-drawn signature as a PNG data URL (a few tens of KB; capped well above that).
MAX_SIGNATURE_CHARS = 700_000


# ---------------------------------------------------------------- checklist template file


class ChecklistItemIn(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")
    )
    group_vi = fields.String(required=True, validate=validate.Length(min=1, max=120))
    group_en = fields.String(required=True, validate=validate.Length(min=1, max=120))
    text_vi = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    text_en = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    basis = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))
    proposes = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)


class ChecklistFile(Schema):
    """seed_data/checklists/<sector>.yaml, and what admins upload."""

    sector = fields.String(required=True, validate=validate.OneOf(SECTOR_CODES))
    version = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    valid_from = fields.Date(required=True)
    title_vi = fields.String(required=True, validate=validate.Length(min=3, max=200))
    title_en = fields.String(required=True, validate=validate.Length(min=3, max=200))
    items = fields.List(
        fields.Nested(ChecklistItemIn), required=True, validate=validate.Length(min=1, max=200)
    )


class ChecklistOut(Schema):
    id = fields.Integer()
    sector = fields.Function(lambda t: t.sector.code)
    version = fields.Integer()
    valid_from = fields.Date()
    title_vi = fields.String()
    title_en = fields.String()
    items = fields.List(fields.Nested(ChecklistItemIn))


class ChecklistQuery(Schema):
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTOR_CODES))


# ---------------------------------------------------------------- the inspection document


class LocationIn(Schema):
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(required=True, validate=validate.Range(min=0, max=1_000_000))
    captured_at = fields.AwareDateTime(load_default=None, allow_none=True)


class MemberIn(Schema):
    user_id = fields.Integer(load_default=None, allow_none=True)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=160))
    agency = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(AGENCY_CODES)
    )
    lead = fields.Boolean(load_default=False)


class AnswerIn(Schema):
    item = fields.String(required=True, validate=validate.Length(max=32))
    answer = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ANSWERS))
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)


class ViolationIn(Schema):
    id = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "an existing recorded violation (amendments only)"},
    )
    code = fields.String(required=True, validate=validate.Length(max=40))
    offender = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(OFFENDER_TYPES)
    )
    offender_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )
    fine_vnd = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10_000_000_000)
    )
    measures = fields.List(fields.String(validate=validate.OneOf(MEASURES)), load_default=list)
    remedy = fields.String(load_default=None, allow_none=True, validate=TEXT)
    remedy_deadline = fields.Date(load_default=None, allow_none=True)
    item = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=32),
        metadata={"description": "the checklist item that proposed it"},
    )


class RepresentativeIn(Schema):
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=160))
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class SignatureIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(SIGNATURE_ROLES))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=160))
    image = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_SIGNATURE_CHARS),
        metadata={"description": "data:image/png;base64,... (finger-drawn)"},
    )
    refused = fields.Boolean(load_default=False)
    refusal_reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class InspectionIn(Schema):
    """The whole inspection as the phone holds it. Sections left out are not changed by
    PATCH; PUT replaces every section except location and signatures."""

    venue_id = fields.Integer(required=True)
    inspected_at = fields.AwareDateTime(
        required=True, metadata={"description": "ISO 8601 with offset"}
    )
    team_id = fields.Integer(allow_none=True)
    members = fields.List(fields.Nested(MemberIn), validate=validate.Length(max=30))
    agencies = fields.List(fields.String(validate=validate.OneOf(AGENCY_CODES)))
    location = fields.Nested(
        LocationIn, allow_none=True, metadata={"description": "GPS fix at the start"}
    )
    checklist = fields.List(fields.Nested(AnswerIn), validate=validate.Length(max=200))
    violations = fields.List(fields.Nested(ViolationIn), validate=validate.Length(max=50))
    representative = fields.Nested(RepresentativeIn, allow_none=True)
    signatures = fields.List(fields.Nested(SignatureIn), validate=validate.Length(max=2))
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))
    presence_reason = fields.String(allow_none=True, validate=validate.Length(max=1000))
    status = fields.String(validate=validate.OneOf(("draft", "submitted")))


class InspectionPatchIn(InspectionIn):
    """PATCH: only the sections given are saved (loaded with partial=True)."""


class SubmitIn(Schema):
    location = fields.Nested(
        LocationIn, allow_none=True, metadata={"description": "GPS fix at submit"}
    )
    presence_reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


class CancelIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))


class AmendmentIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))
    checklist = fields.List(fields.Nested(AnswerIn), validate=validate.Length(max=200))
    violations = fields.List(fields.Nested(ViolationIn), validate=validate.Length(max=50))
    representative = fields.Nested(RepresentativeIn, allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))


class InspectionQuery(Schema):
    venue = fields.Integer(load_default=None, metadata={"description": "venue id"})
    area = fields.String(load_default=None, metadata={"description": "GSO code of the area"})
    start = fields.Date(load_default=None, metadata={"description": "inspected on or after"})
    end = fields.Date(load_default=None, metadata={"description": "inspected on or before"})
    status = fields.String(load_default=None, validate=validate.OneOf(INSPECTION_STATUSES))
    agency = fields.String(load_default=None, validate=validate.OneOf(AGENCY_CODES))
    team = fields.Integer(load_default=None)
    client_key = fields.String(load_default=None, validate=validate.Length(max=64))


class PhotoForm(Schema):
    item = fields.String(
        load_default=None, validate=validate.Length(max=32), metadata={"description": "item code"}
    )
    caption = fields.String(load_default=None, validate=validate.Length(max=300))


class PhotoFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


# ---------------------------------------------------------------- answers


class LocationOut(Schema):
    latitude = fields.Float()
    longitude = fields.Float()
    accuracy_m = fields.Float()
    captured_at = fields.DateTime(allow_none=True)
    distance_m = fields.Float(allow_none=True)


class MemberOut(Schema):
    user_id = fields.Integer(allow_none=True)
    name = fields.String()
    agency = fields.String()
    lead = fields.Boolean()


class AnswerOut(Schema):
    item = fields.String()
    answer = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    amended = fields.Boolean()


class ViolationOut(Schema):
    id = fields.Integer()
    code = fields.String()
    decree = fields.String()
    article = fields.Integer()
    clause = fields.String(allow_none=True)
    point = fields.String(allow_none=True)
    legal_basis = fields.String()
    title = fields.String()
    offender = fields.String()
    offender_name = fields.String(allow_none=True)
    fine_vnd = fields.Integer(allow_none=True)
    fine_min = fields.Integer(allow_none=True)
    fine_max = fields.Integer(allow_none=True)
    measures = fields.List(fields.String())
    remedy = fields.String(allow_none=True)
    remedy_deadline = fields.Date(allow_none=True)
    item = fields.String(allow_none=True)
    amended = fields.Boolean()


class PhotoOut(Schema):
    id = fields.Integer()
    item = fields.String(allow_none=True)
    caption = fields.String(allow_none=True)
    sha256 = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    created_at = fields.DateTime()
    url = fields.String()
    thumbnail_url = fields.String()


class SignatureOut(Schema):
    role = fields.String()
    name = fields.String(allow_none=True)
    refused = fields.Boolean()
    refusal_reason = fields.String(allow_none=True)
    signed_at = fields.DateTime()
    sha256 = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)


class AmendmentOut(Schema):
    id = fields.Integer()
    reason = fields.String()
    changes = fields.Dict()
    by = fields.String(allow_none=True)
    at = fields.DateTime()


class InspectionOut(Schema):
    id = fields.Integer()
    client_key = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(INSPECTION_STATUSES))
    venue = fields.Dict(metadata={"description": "id, name, address, sector"})
    inspected_at = fields.DateTime()
    inspected_on = fields.Date()
    submitted_at = fields.DateTime(allow_none=True)
    team = fields.Dict(allow_none=True)
    members = fields.List(fields.Nested(MemberOut))
    agencies = fields.List(fields.String())
    checklist_template = fields.Dict()
    checklist = fields.List(fields.Nested(AnswerOut))
    violations = fields.List(fields.Nested(ViolationOut))
    location = fields.Nested(LocationOut, allow_none=True)
    submit_location = fields.Nested(LocationOut, allow_none=True)
    presence = fields.String(allow_none=True, validate=validate.OneOf(PRESENCE))
    presence_reason = fields.String(allow_none=True)
    distance_m = fields.Float(allow_none=True)
    representative = fields.Dict()
    notes = fields.String(allow_none=True)
    signatures = fields.List(fields.Nested(SignatureOut))
    photos = fields.List(fields.Nested(PhotoOut))
    amendments = fields.List(fields.Nested(AmendmentOut))
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    problems = fields.Dict(
        metadata={"description": "what still blocks submitting: {field: [messages]}"}
    )
    created_by = fields.String(allow_none=True)
    updated_at = fields.DateTime()
    links = fields.Dict()


class InspectionSummaryOut(Schema):
    id = fields.Integer()
    status = fields.String()
    venue_id = fields.Integer()
    venue_name = fields.String()
    inspected_at = fields.DateTime()
    inspected_on = fields.Date()
    team = fields.String(allow_none=True)
    violations = fields.Integer()
    presence = fields.String(allow_none=True)
    client_key = fields.String(allow_none=True)
