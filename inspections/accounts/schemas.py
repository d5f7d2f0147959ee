"""Payloads of the account pages and API."""

from marshmallow import Schema, fields, validate

from ..validation_messages import _l
from .models import AGENCY_CODES
from .permissions import ROLES

USERNAME = validate.Regexp(
    r"^[a-z0-9._-]{3,40}$", error=_l("3–40 characters: lower-case letters, digits, . _ -")
)


class LoginForm(Schema):
    username = fields.String(required=True, validate=validate.Length(max=80))
    password = fields.String(required=True, validate=validate.Length(max=200))
    next = fields.String(load_default=None, validate=validate.Length(max=500))


class PasswordForm(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=200))
    new_password = fields.String(required=True, validate=validate.Length(min=10, max=200))
    confirm = fields.String(required=True, validate=validate.Length(max=200))


class UserForm(Schema):
    username = fields.String(required=True, validate=USERNAME)
    full_name = fields.String(required=True, validate=validate.Length(min=2, max=160))
    phone = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^\+?[0-9 .-]{8,20}$", error=_l("A phone number: digits, spaces, + . -")
        ),
    )
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        error_messages={"required": _l("Choose the account's role.")},
    )
    agency = fields.String(required=True, validate=validate.OneOf(AGENCY_CODES))
    area = fields.String(load_default=None, validate=validate.Length(max=16))
    password = fields.String(load_default=None, validate=validate.Length(min=10, max=200))
    active = fields.Boolean(load_default=True, metadata={"checkbox": True})


class ResetForm(Schema):
    password = fields.String(required=True, validate=validate.Length(min=10, max=200))


class TeamForm(Schema):
    name = fields.String(required=True, validate=validate.Length(min=3, max=160))
    lead_agency = fields.String(required=True, validate=validate.OneOf(AGENCY_CODES))
    active_from = fields.Date(required=True)
    active_to = fields.Date(load_default=None)
    decision_no = fields.String(load_default=None, validate=validate.Length(max=60))
    members = fields.List(fields.String(validate=validate.Length(max=80)), load_default=list)
    lead = fields.String(load_default=None, validate=validate.Length(max=80))
    areas = fields.List(fields.String(validate=validate.Length(max=16)), load_default=list)
