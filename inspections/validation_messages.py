"""marshmallow's own messages ("Missing data for required field.", "Not a valid date."...) in
the reader's language, for every schema of the project (pages, API, flask-smorest's own).

marshmallow formats every message it raises with ``str.format`` (fields in ``make_error``,
validators in ``_format_error``). The defaults are replaced by :class:`Message`, a ``str`` whose
``format`` looks the English text up in the catalogue first, so a message is translated when it
is raised, in the locale of that request. ``install()`` runs before any schema is defined
(``inspections/__init__.py``): fields copy their class's messages when they are created.
"""

from __future__ import annotations

import inspect

from flask_babel import gettext
from marshmallow import fields, validate

# Range.__init__ formats its messages once with the comparison words only ("Must be
# {min_op} {{min}}."): that partial formatting must stay English and translatable.
_PARTIAL_KEYS = {"min_op", "max_op"}


class Message(str):
    """An English message that translates itself when marshmallow formats it."""

    __slots__ = ()

    def format(self, *args, **kwargs) -> str:
        """The message in the current locale, with its placeholders filled."""
        if kwargs and set(kwargs) <= _PARTIAL_KEYS:
            return Message(str.format(self, *args, **kwargs))
        return gettext(str(self)).format(*args, **kwargs)


def _l(text: str) -> Message:
    """Mark a marshmallow message for the catalogue (extracted like any ``_l``)."""
    return Message(text)


FIELD_MESSAGES: dict[type[fields.Field], dict[str, Message]] = {
    fields.Field: {
        "required": _l("Missing data for required field."),
        "null": _l("Field may not be null."),
        "validator_failed": _l("Invalid value."),
    },
    fields.Nested: {"type": _l("Invalid type.")},
    fields.List: {"invalid": _l("Not a valid list.")},
    fields.Tuple: {"invalid": _l("Not a valid tuple.")},
    fields.String: {
        "invalid": _l("Not a valid string."),
        "invalid_utf8": _l("Not a valid utf-8 string."),
    },
    fields.UUID: {"invalid_uuid": _l("Not a valid UUID.")},
    fields.Number: {"invalid": _l("Not a valid number."), "too_large": _l("Number too large.")},
    fields.Integer: {"invalid": _l("Not a valid integer.")},
    fields.Float: {
        "special": _l("Special numeric values (nan or infinity) are not permitted."),
    },
    fields.Decimal: {
        "special": _l("Special numeric values (nan or infinity) are not permitted."),
    },
    fields.Boolean: {"invalid": _l("Not a valid boolean.")},
    fields.DateTime: {
        "invalid": _l("Not a valid date and time."),
        "invalid_awareness": _l("Not a valid date and time."),
        "format": _l('"{input}" cannot be formatted as a date and time.'),
    },
    fields.Date: {
        "invalid": _l("Not a valid date."),
        "format": _l('"{input}" cannot be formatted as a date.'),
    },
    fields.Time: {
        "invalid": _l("Not a valid time."),
        "format": _l('"{input}" cannot be formatted as a time.'),
    },
    fields.TimeDelta: {"invalid": _l("Not a valid period of time.")},
    fields.Mapping: {"invalid": _l("Not a valid mapping type.")},
    fields.Url: {"invalid": _l("Not a valid URL.")},
    fields.Email: {"invalid": _l("Not a valid email address.")},
    fields.Enum: {"unknown": _l("Must be one of: {choices}.")},
}
VALIDATOR_MESSAGES: dict[type[validate.Validator], dict[str, Message]] = {
    # Range: the English comparison words are put into these by Range.__init__; the full
    # sentences below are the catalogue's msgids.
    validate.Range: {
        "message_min": _l("Must be {min_op} {{min}}."),
        "message_max": _l("Must be {max_op} {{max}}."),
        "message_all": _l("Must be {min_op} {{min}} and {max_op} {{max}}."),
    },
    validate.Length: {
        "message_min": _l("Shorter than minimum length {min}."),
        "message_max": _l("Longer than maximum length {max}."),
        "message_all": _l("Length must be between {min} and {max}."),
        "message_equal": _l("Length must be {equal}."),
    },
    validate.OneOf: {"default_message": _l("Must be one of: {choices}.")},
    validate.Regexp: {"default_message": _l("String does not match expected pattern.")},
    validate.Equal: {"default_message": _l("Must be equal to {other}.")},
    validate.URL: {"default_message": _l("Not a valid URL.")},
    validate.Email: {"default_message": _l("Not a valid email address.")},
    validate.Predicate: {"default_message": _l("Invalid input.")},
    validate.NoneOf: {"default_message": _l("Invalid input.")},
    validate.ContainsOnly: {
        "default_message": _l("One or more of the choices you made was not in: {choices}."),
    },
}
# The sentences Range builds (see above), listed so the catalogue has them.
RANGE_SENTENCES = (
    _l("Must be greater than or equal to {min}."),
    _l("Must be greater than {min}."),
    _l("Must be less than or equal to {max}."),
    _l("Must be less than {max}."),
    _l("Must be greater than or equal to {min} and less than or equal to {max}."),
    _l("Must be greater than {min} and less than {max}."),
    _l("Must be greater than or equal to {min} and less than {max}."),
    _l("Must be greater than {min} and less than or equal to {max}."),
)


def install() -> None:
    """Put the translatable messages in place of marshmallow's English defaults."""
    for cls, messages in FIELD_MESSAGES.items():
        own = dict(cls.__dict__.get("default_error_messages", {}))
        own.update(messages)
        cls.default_error_messages = own
    for validator, messages in VALIDATOR_MESSAGES.items():
        for name, message in messages.items():
            setattr(validator, name, message)


def english_defaults() -> set[str]:
    """Every English message marshmallow ships (what a translated page must never show)."""
    found: set[str] = set()
    for obj in vars(fields).values():
        if inspect.isclass(obj) and issubclass(obj, fields.Field):
            found.update(str(m) for m in obj.__dict__.get("default_error_messages", {}).values())
    for messages in VALIDATOR_MESSAGES.values():
        found.update(str(m) for m in messages.values())
    found.update(str(m) for m in RANGE_SENTENCES)
    return {m for m in found if "{" not in m}
