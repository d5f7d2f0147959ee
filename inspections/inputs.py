"""Guards every request passes before a view sees it: bounded ids, no control characters.

Two classes of bad input used to reach the database and come back as 500s: an id beyond the
database's integer range (``/venues/2147483648``), and text with a NUL byte (``?q=%00``), which
PostgreSQL refuses. Both are answered here, once, for every route: an id out of range matches no
route (404), and text with control characters other than tab and line breaks is refused (422).
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from .errors import Invalid

# The largest id a column can hold on both databases (PostgreSQL INTEGER).
MAX_ID = 2**31 - 1
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Paging parameters of every list, page or API: whole numbers in these ranges.
PAGING = {"page": 100_000, "per_page": 1_000, "page_size": 1_000}


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a non-negative integer that fits the id columns."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def has_control(value) -> bool:
    """True when a string (or a string inside a list or dict) holds a control character."""
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(has_control(k) or has_control(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_control(v) for v in value)
    return False


def _unrouted() -> bool:
    """No route takes this request: it ends as a 404 or 405 whatever its input holds."""
    return request.routing_exception is not None


def refuse_control_characters() -> None:
    """Refuse a request whose query, form or JSON text holds a control character (422)."""
    if _unrouted():
        return
    where = None
    if any(has_control(k) or has_control(v) for k, v in request.args.items(multi=True)):
        where = "query"
    elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if any(has_control(k) or has_control(v) for k, v in request.form.items(multi=True)):
                where = "form"
        elif request.is_json and has_control(request.get_json(silent=True)):
            where = "json"
    if where:
        raise Invalid(
            _("Text may not contain control characters (such as a NUL byte)."),
            field=where,
        )


def refuse_empty_changes() -> None:
    """An API PATCH or PUT without a body changes nothing: refuse it rather than answer 200."""
    if (
        not _unrouted()
        and request.method in ("PATCH", "PUT")
        and request.path.startswith("/api/")
        and not request.get_data(cache=True)
    ):
        raise Invalid(_("The request needs a JSON body with the fields to change."), field="json")


def refuse_bad_paging() -> None:
    """Refuse a page number or page size that is not a whole number in its range (422)."""
    if _unrouted():
        return
    for name, largest in PAGING.items():
        for value in request.args.getlist(name):
            text = value.strip()
            if not (text.isascii() and text.isdigit() and 1 <= int(text) <= largest):
                raise Invalid(
                    _(
                        "%(name)s must be a whole number from 1 to %(max)s.",
                        name=name,
                        max=largest,
                    ),
                    field=name,
                )


def init_converters(app: Flask) -> None:
    """The bounded id converter, before any route is added."""
    app.url_map.converters["int"] = BoundedIntConverter
