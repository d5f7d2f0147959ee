"""The area scope of an account: which venues and units it sees, on the map of its home area.

An account's home area is a unit of one administrative map (``areas/versions.py``): the
province (either version: everything), a former district or commune (before 1 July 2025), or
one of today's communes. The scope reads the venue column of that map: a former district's
account keeps seeing the venues whose ``district_id`` is its district (the same venues as
before the reorganisation, now in its successors); an account of today's Phường Mũi Né sees
the venues whose ``commune_2025_id`` is that unit, whatever their former commune.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import false, or_, select, true

from ..areas.models import Area
from ..areas.versions import day_of, in_force_clause, version_of
from ..errors import NotFound
from ..extensions import db

# The Venue column of a level when a scope is built without its map (the former map's).
_FORMER_COLUMNS = {"district": "district_id", "commune": "commune_id"}


@dataclass(frozen=True)
class Scope:
    """What part of the province a user sees: everything, or one unit of one map."""

    level: str | None = None
    area_id: int | None = None
    # The Venue column holding the venue's unit on the map of the scope's area
    # (None: the former map's column of the level).
    column: str | None = None

    @classmethod
    def of(cls, area: Area | None) -> Scope:
        """The scope of an account whose home is the area (a province: everything)."""
        if area is None or area.level == "province":
            return cls()
        column = version_of(day_of(area)).column_name(area.level)
        return cls(level=area.level, area_id=area.id, column=column)

    @property
    def everything(self) -> bool:
        return self.area_id is None

    @property
    def column_name(self) -> str | None:
        """The Venue column the scope compares with its area (None for everything)."""
        if self.everything:
            return None
        return self.column or _FORMER_COLUMNS.get(self.level or "")

    @property
    def on_former_map(self) -> bool:
        """Whether the scope's area is a unit of the map before 1 July 2025."""
        return self.column_name in _FORMER_COLUMNS.values()

    def venue_column(self, venue_cls):
        """The column of venue_cls (the Venue model or an alias) the scope reads."""
        name = self.column_name
        return getattr(venue_cls, name) if name else None

    def venues(self, venue_cls):
        """A WHERE clause keeping venues inside the scope."""
        if self.everything:
            return true()
        column = self.venue_column(venue_cls)
        return false() if column is None else column == self.area_id

    def areas(self, area_cls=Area):
        """A WHERE clause keeping areas that lie inside the scope (or contain it)."""
        if self.everything:
            return true()
        return or_(area_cls.id == self.area_id, area_cls.parent_id == self.area_id)

    def allows_area(self, area: Area | None) -> bool:
        """True when the area lies inside the scope (the same rule as areas())."""
        if self.everything:
            return True
        return area is not None and self.area_id in (area.id, area.parent_id)

    def allows_venue(self, venue) -> bool:
        if self.everything:
            return True
        name = self.column_name
        return name is not None and getattr(venue, name) == self.area_id


def scope_of(user) -> Scope:
    """The user's scope from their home area (province or none = everything)."""
    return Scope.of(getattr(user, "home_area", None))


def home_area_for(code: str, today: date, keep: Area | None = None) -> Area:
    """The unit an account's home area code names: the unit in force today with that code,
    else its latest version (a former district: its code was not reused). ``keep`` is the
    account's current home: the same code leaves it as it is (a former commune whose code
    today's map reused stays the former commune until the admin chooses another unit)."""
    code = str(code).strip()
    if keep is not None and keep.code == code:
        return keep
    area = db.session.scalars(
        select(Area).where(Area.code == code, in_force_clause(today)).order_by(Area.id)
    ).first()
    if area is None:
        area = db.session.scalars(
            select(Area).where(Area.code == code).order_by(Area.valid_from.desc())
        ).first()
    if area is None:
        raise NotFound(_("Unknown area code %(code)s.", code=code), field="area")
    return area


def former_map_clause(user_cls):
    """WHERE clause on User: accounts whose home area is a unit of the former map below the
    province (to re-scope to today's units)."""
    former = select(Area.id).where(
        Area.level.in_(("district", "commune")), Area.valid_to.is_not(None)
    )
    return user_cls.home_area_id.in_(former)
