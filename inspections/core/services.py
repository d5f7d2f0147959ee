"""Figures for the home page."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

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
    return {"venues": sum(by_status.values()), "by_status": by_status}
