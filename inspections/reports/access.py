"""Which area's report an account may read, and for which unit it may enter and send.

Reading follows the account's area scope as everywhere (a unit outside it answers 404 as if
it did not exist). Entering figures and sending belong to the unit's own coordinator: a
coordinator of a district works for that district only, a province-level coordinator for the
province; administrators for any unit.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..accounts.services import Scope
from ..areas.models import Area
from ..errors import Forbidden, NotFound
from . import figures


def outside() -> NotFound:
    """The answer for a unit the account may not see (the same as an unknown one)."""
    return NotFound(_("This page or object does not exist, or is outside your area."))


def readable_area(scope: Scope, code: str | None, as_of: date, home: Area | None) -> Area:
    """The area a report is asked for (default: the account's own unit, else the province
    of the map in force), or NotFound when it is unknown or outside the account's scope."""
    area: Area | None
    if code:
        area = figures.area_by_code(code, as_of)
    elif home is not None and not scope.everything:
        area = home
    else:
        area = figures.province_on(as_of)
        if area is None:
            raise NotFound(_("No province is loaded."), field="area")
    if not figures.sees(scope, area):
        raise outside()
    return area


def check_unit_writer(role: str, scope: Scope, area: Area) -> None:
    """Refuse (403) entering or sending for a unit that is not the account's own: the unit's
    coordinator reports for it; administrators may act for any unit."""
    if role == "admin":
        return
    own = area.level == "province" if scope.everything else area.id == scope.area_id
    if not own:
        raise Forbidden(
            _(
                "Only the coordinator of %(unit)s enters and sends its report; your account "
                "reports for its own unit.",
                unit=area.name,
            ),
            field="area",
        )
