"""What the report pages share: where a request points (window, area) and the pickers."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ...accounts.services import scope_of
from ...errors import Forbidden, NotFound
from .. import access, compute
from ..schedule import plan_units
from ..windows import Window, calendar_windows, title, window


def where(window_key: str):
    """(window, scope, area) of a page: 404 for an unknown window or an area outside."""
    w = window(window_key)
    scope = scope_of(current_user)
    code = request.values.get("area") or None
    area = access.readable_area(scope, code, w.end, current_user.home_area)
    return w, scope, area


def may_write(scope, area) -> bool:
    """Whether the account enters and sends this unit's report (its own unit)."""
    try:
        access.check_unit_writer(current_user.role, scope, area)
    except Forbidden:
        return False
    return True


def pickers(w: Window, scope) -> dict:
    """The windows of the year and the units the account may choose between."""
    options = [(x.key, title(x)) for x in calendar_windows(w.year)]
    if w.key not in dict(options):
        options.insert(0, (w.key, title(w)))
    try:
        units = plan_units(compute.plan_of(w), w, scope)
    except NotFound:  # no plan for the year: the page says so
        units = []
    return {"windows": options, "units": units}
