"""Figures for the home page."""

from __future__ import annotations

from sqlalchemy import func, select

from ..accounts.permissions import P, role_allows
from ..accounts.services import scope_of
from ..extensions import db
from ..venues.models import Venue


def home_summary(user) -> dict:
    """Counts of venues by status within the user's area, overdue remedies and tips."""
    scope = scope_of(user)
    rows = db.session.execute(
        select(Venue.status, func.count().label("n"))
        .where(scope.venues(Venue), Venue.merged_into_id.is_(None))
        .group_by(Venue.status)
    ).all()
    by_status = {r.status: r.n for r in rows}
    summary = {"venues": sum(by_status.values()), "by_status": by_status}
    if role_allows(user.role, P.VIOLATIONS_READ):
        from ..violations.followup import overdue_count

        summary["overdue_remedies"] = overdue_count(user)
    if role_allows(user.role, P.TIPS_READ):
        from ..clock import today
        from ..tips.services import in_time_share

        on = today()
        summary["tips"] = in_time_share(scope, on.replace(month=1, day=1), on)
    return summary
