"""Reading HTML forms through marshmallow schemas, so pages validate like the API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict

from .errors import InspectionsError


def form_dict(schema: Schema, formdata: MultiDict) -> dict:
    """Turn form data into a dict: lists for List fields, blanks dropped (= not given)."""
    out: dict = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if isinstance(field, fields.List):
            values = [v for v in formdata.getlist(key) if v.strip() != ""]
            if values or key in formdata:
                out[key] = values
        elif isinstance(field, fields.Boolean):
            if key in formdata:
                out[key] = formdata.get(key) not in ("", "0", "false", "off")
            elif not field.load_only and field.metadata.get("checkbox"):
                out[key] = False
        else:
            value = formdata.get(key)
            if value is not None and value.strip() != "":
                out[key] = value.strip()
    return out


def load_form(schema: Schema, formdata: MultiDict) -> tuple[dict | None, dict]:
    """(data, {}) when valid, else (None, {field: [messages]})."""
    try:
        return schema.load(form_dict(schema, formdata)), {}
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return None, plain_messages(messages)


def plain_messages(messages):
    """Messages as lists of plain text: a lazily translated message (a field's own
    ``error_messages``) arrives bare, and a page would list it letter by letter."""
    if isinstance(messages, dict):
        return {key: plain_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [plain_messages(m) if isinstance(m, dict) else str(m) for m in messages]
    return [str(messages)]


def domain_errors(exc: InspectionsError) -> dict:
    """A service error in the same {field: [messages]} shape as schema errors."""
    return exc.messages()
