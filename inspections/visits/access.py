"""Who may see and change an inspection: the area scope, the team, the role."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import TeamMember
from ..accounts.permissions import P, role_allows
from ..accounts.services import scope_of
from ..errors import Forbidden, NotFound, OutsideScope
from ..extensions import db
from ..venues.models import Venue
from .models import Inspection


def is_admin(user) -> bool:
    """Administrators may record for any team."""
    return getattr(user, "role", None) == "admin"


def visible_clause(user):
    """WHERE clause (with Venue joined) keeping the inspections a user may see."""
    return scope_of(user).venues(Venue)


def get_inspection(inspection_id: int, user, *, for_update: bool = False) -> Inspection:
    """An inspection the user may see; outside their area it does not exist for them."""
    q = (
        select(Inspection)
        .join(Venue, Venue.id == Inspection.venue_id)
        .where(Inspection.id == inspection_id, visible_clause(user))
    )
    if for_update:
        q = q.with_for_update(of=Inspection)
    found = db.session.scalar(q)
    if found is None:
        message = _("This inspection does not exist or is outside your area.")
        if db.session.get(Inspection, inspection_id) is not None:
            raise OutsideScope(message, object_type="inspection", object_id=inspection_id)
        raise NotFound(message)
    return found


def venue_for(user, venue_id: int) -> Venue:
    """A venue the user may see (404 outside their area)."""
    from ..venues.services import get_venue

    try:
        return get_venue(venue_id, scope_of(user))
    except NotFound as exc:
        exc.field = "venue_id"  # the API names the field that pointed at it
        raise


def can_inspect(user, venue: Venue) -> bool:
    """May this user start an inspection of this venue?"""
    return (
        role_allows(getattr(user, "role", None), P.INSPECTIONS_WRITE)
        and scope_of(user).allows_venue(venue)
        and venue.merged_into_id is None
    )


def can_edit(user, inspection: Inspection) -> bool:
    """Members of the inspection (its team, its creator, listed members) and admins."""
    if not role_allows(getattr(user, "role", None), P.INSPECTIONS_WRITE):
        return False
    if not scope_of(user).allows_venue(inspection.venue):
        return False
    if is_admin(user) or inspection.created_by_id == user.id:
        return True
    if any(m.user_id == user.id for m in inspection.members):
        return True
    return inspection.team_id is not None and bool(
        db.session.scalar(
            select(TeamMember.user_id).where(
                TeamMember.team_id == inspection.team_id, TeamMember.user_id == user.id
            )
        )
    )


def require_edit(user, inspection: Inspection) -> None:
    """Refuse users who may see but not change an inspection."""
    if not can_edit(user, inspection):
        raise Forbidden(_("Only the members of the inspection's team can change it."))
