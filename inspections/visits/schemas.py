"""Payloads of inspections: the document the phone sends (in), what the API answers (out),
list filters, and the checklist template file."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from marshmallow import Schema, fields, pre_dump, validate

from ..accounts.models import AGENCY_CODES
from ..venues.models import SECTOR_CODES
from ..violations.models import MEASURES, OFFENDER_TYPES
from ..violations.services import legal_basis
from .models import ANSWERS, INSPECTION_STATUSES, PRESENCE, SIGNATURE_ROLES
from .reading import AsItStands

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
#
# The one definition of what the API answers: the schemas read the inspection's rows (the
# inspection itself through reading.AsItStands, so amendments are applied) and build links
# with url_for.


def _locale() -> str:
    return str(get_locale())


def _code(attribute: str):
    """The code of a related row (agency, sector, checklist item), or None without one."""

    def read(obj):
        related = getattr(obj, attribute)
        return related.code if related is not None else None

    return fields.Function(read)


class VenueRefOut(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    sector = _code("sector")


class TeamRefOut(Schema):
    id = fields.Integer()
    name = fields.String()


class TemplateRefOut(Schema):
    id = fields.Integer()
    sector = _code("sector")
    version = fields.Integer()


class LocationOut(Schema):
    latitude = fields.Float()
    longitude = fields.Float()
    accuracy_m = fields.Float()
    captured_at = fields.DateTime(allow_none=True)
    distance_m = fields.Float(allow_none=True)


class MemberOut(Schema):
    user_id = fields.Integer(allow_none=True)
    name = fields.String(attribute="full_name")
    agency = _code("agency")
    lead = fields.Boolean(attribute="is_lead")


class AgencyCodeOut(Schema):
    code = fields.String()


class AnswerOut(Schema):
    item = _code("item")
    answer = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    amended = fields.Function(lambda a: a.amendment_id is not None)


class ViolationOut(Schema):
    id = fields.Integer()
    code = fields.String(attribute="legal.code")
    decree = fields.String(attribute="legal.decree")
    article = fields.Integer(attribute="legal.article")
    clause = fields.String(attribute="legal.clause", allow_none=True)
    point = fields.String(attribute="legal.point", allow_none=True)
    legal_basis = fields.Function(lambda v: legal_basis(v.legal, _locale()))
    title = fields.Function(lambda v: v.legal.title(_locale()))
    offender = fields.String(attribute="offender_type")
    offender_name = fields.String(allow_none=True)
    fine_vnd = fields.Integer(allow_none=True)
    fine_min = fields.Function(lambda v: v.legal.fine_range(v.offender_type)[0])
    fine_max = fields.Function(lambda v: v.legal.fine_range(v.offender_type)[1])
    measures = fields.List(fields.String())
    remedy = fields.String(allow_none=True)
    remedy_deadline = fields.Date(allow_none=True)
    item = _code("item")
    amended = fields.Function(lambda v: v.amendment_id is not None)


class PhotoOut(Schema):
    id = fields.Integer()
    item = _code("item")
    caption = fields.String(allow_none=True)
    sha256 = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    created_at = fields.DateTime()
    url = fields.Function(
        lambda p: url_for("visits.photo", inspection_id=p.inspection_id, photo_id=p.id)
    )
    thumbnail_url = fields.Function(
        lambda p: url_for("visits.photo", inspection_id=p.inspection_id, photo_id=p.id, thumb=1)
    )


class SignatureOut(Schema):
    role = fields.String()
    name = fields.String(attribute="signer_name", allow_none=True)
    refused = fields.Boolean()
    refusal_reason = fields.String(allow_none=True)
    signed_at = fields.DateTime()
    sha256 = fields.String(allow_none=True)
    image_url = fields.Function(
        lambda s: (
            url_for("visits.signature", inspection_id=s.inspection_id, role=s.role)
            if s.stored_name
            else None
        )
    )


class AmendmentOut(Schema):
    id = fields.Integer()
    reason = fields.String()
    changes = fields.Dict()
    by = fields.Function(lambda a: a.created_by.full_name if a.created_by else None)
    at = fields.DateTime(attribute="created_at")


class RepresentativeOut(Schema):
    name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)


class LinksOut(Schema):
    self = fields.Function(lambda i: url_for("visits_api.get_inspection", inspection_id=i.id))
    page = fields.Function(lambda i: url_for("visits.detail", inspection_id=i.id))
    minutes = fields.Function(lambda i: url_for("visits.minutes", inspection_id=i.id))


class InspectionOut(Schema):
    """An inspection as it stands (amendments applied), with what still blocks a draft."""

    id = fields.Integer()
    client_key = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(INSPECTION_STATUSES))
    venue = fields.Nested(VenueRefOut)
    inspected_at = fields.DateTime()
    inspected_on = fields.Date()
    submitted_at = fields.DateTime(allow_none=True)
    team = fields.Nested(TeamRefOut, allow_none=True)
    members = fields.List(fields.Nested(MemberOut))
    agencies = fields.Pluck(AgencyCodeOut, "code", many=True)
    checklist_template = fields.Method("_template")
    checklist = fields.List(fields.Nested(AnswerOut))
    violations = fields.List(fields.Nested(ViolationOut))
    location = fields.Nested(LocationOut, allow_none=True)
    submit_location = fields.Nested(LocationOut, allow_none=True)
    presence = fields.String(allow_none=True, validate=validate.OneOf(PRESENCE))
    presence_reason = fields.String(allow_none=True)
    distance_m = fields.Float(allow_none=True)
    representative = fields.Nested(RepresentativeOut)
    notes = fields.String(allow_none=True)
    signatures = fields.List(fields.Nested(SignatureOut))
    photos = fields.List(fields.Nested(PhotoOut))
    amendments = fields.List(fields.Nested(AmendmentOut))
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    problems = fields.Dict(
        metadata={"description": "what still blocks submitting: {field: [messages]}"}
    )
    created_by = fields.Function(lambda i: i.created_by.full_name if i.created_by else None)
    updated_at = fields.DateTime()
    links = fields.Nested(LinksOut, attribute="inspection")

    @pre_dump
    def _as_it_stands(self, inspection, **_kw):
        return inspection if isinstance(inspection, AsItStands) else AsItStands(inspection)

    def _template(self, inspection) -> dict:
        template = inspection.checklist_template
        return TemplateRefOut().dump(template) if template is not None else {}


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
