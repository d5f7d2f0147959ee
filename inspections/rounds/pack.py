"""The rounds in the phone's offline pack: the current rounds of the inspector's teams with
their venues' ids, order and state. The venues themselves are in the pack's venue list
(offline/services.py adds the round venues that list would not have)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from .access import member_clause
from .models import Round, RoundVenue
from .progress import venue_states


def current_rounds(user, today: date) -> list[Round]:
    """Rounds of the user's teams under way today."""
    return list(
        db.session.scalars(
            select(Round)
            .where(member_clause(user), Round.starts_on <= today, Round.ends_on >= today)
            .order_by(Round.ends_on, Round.id)
        )
    )


def round_venue_ids(user, today: date):
    """SELECT of the venue ids of the user's current rounds (for the pack's venue list)."""
    return (
        select(RoundVenue.venue_id)
        .join(Round, Round.id == RoundVenue.round_id)
        .where(member_clause(user), Round.starts_on <= today, Round.ends_on >= today)
    )


def pack_rounds(user, today: date) -> list[dict]:
    """The rounds part of the pack: compact (a round of 300 venues is a few kB)."""
    out = []
    for found in current_rounds(user, today):
        out.append(
            {
                "id": found.id,
                "title": found.title,
                "team": found.team.name,
                "kind": found.kind,
                "starts_on": found.starts_on.isoformat(),
                "ends_on": found.ends_on.isoformat(),
                "unannounced": found.unannounced,
                "outcomes": f"/api/v1/rounds/{found.id}/outcomes",
                # [venue id, state (d done, c could not, t not yet), outcome kind or null]
                "venues": [[s.venue_id, s.state[0], s.outcome] for s in venue_states(found)],
            }
        )
    return out
