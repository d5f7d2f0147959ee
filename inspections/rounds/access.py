"""Who sees and who plans a round.

A coordinator (ROUNDS_MANAGE) plans and sees the rounds of the teams of their area (the teams'
rule of accounts/services.team_clause_in: a district or commune coordinator only their own
area's teams). Anyone else sees the rounds of the teams they belong to, and only those: an
unannounced round (đột xuất) is therefore shown to its team and the coordinators alone.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from ..accounts.models import Team, TeamMember
from ..accounts.permissions import P, role_allows
from ..accounts.services import scope_of, team_clause_in
from ..errors import NotFound, OutsideScope
from ..extensions import db
from .models import Round


def _missing() -> str:
    return _("This page or object does not exist, or is outside your area.")


def manages(user) -> bool:
    """Whether the account plans rounds (coordinators, administrators)."""
    return role_allows(getattr(user, "role", None), P.ROUNDS_MANAGE)


def member_clause(user):
    """WHERE clause: rounds of a team the user belongs to."""
    return exists(
        select(TeamMember.team_id).where(
            TeamMember.team_id == Round.team_id, TeamMember.user_id == user.id
        )
    )


def managed_clause(user):
    """WHERE clause: rounds of the teams inside the coordinator's area."""
    return Round.team_id.in_(select(Team.id).where(team_clause_in(scope_of(user))))


def visible_clause(user):
    """WHERE clause: the rounds the user may see."""
    return managed_clause(user) if manages(user) else member_clause(user)


def get_round(user, round_id: int, *, manage: bool = False) -> Round:
    """The round if the user may see it (plan it, with manage=True); NotFound otherwise."""
    found = db.session.get(Round, round_id)
    if found is None:
        raise NotFound(_missing())
    clause = managed_clause(user) if manage else visible_clause(user)
    if manage and not manages(user):
        clause = None
    ok = clause is not None and db.session.scalar(
        select(Round.id).where(Round.id == round_id, clause)
    )
    if not ok:
        raise OutsideScope(_missing(), object_type="round", object_id=round_id)
    return found


def is_member(user, team_id: int) -> bool:
    """Whether the user is a member of the team."""
    return (
        db.session.scalar(
            select(TeamMember.user_id).where(
                TeamMember.team_id == team_id, TeamMember.user_id == user.id
            )
        )
        is not None
    )
