"""Figures for the home page."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.permissions import P, can
from ..accounts.services import scope_of
from ..extensions import db
from ..venues.models import Venue


def home_summary() -> dict:
    """Counts of venues by status within the user's area."""
    scope = scope_of(current_user)
    rows = db.session.execute(
        select(Venue.status, func.count())
        .where(scope.venues(Venue), Venue.merged_into_id.is_(None))
        .group_by(Venue.status)
    ).all()
    by_status = dict(rows)
    summary = {"venues": sum(by_status.values()), "by_status": by_status}
    if can(P.VIOLATIONS_READ):
        from ..violations.followup import overdue_count

        summary["overdue_remedies"] = overdue_count(current_user)
    if can(P.TIPS_READ):
        from ..clock import today
        from ..tips.services import in_time_share

        on = today()
        summary["tips"] = in_time_share(scope, on.replace(month=1, day=1), on)
    return summary
