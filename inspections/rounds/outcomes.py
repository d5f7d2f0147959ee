"""Could-not-inspect outcomes: the team found a venue of its round closed, could not find it,
or was refused entry. A reason and an optional photo; never an inspection.

Sent from the phone (online or from its queue) with an Idempotency-Key: the same key sent
again returns the outcome already kept.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock, storage
from ..errors import Conflict, Invalid
from ..extensions import db
from ..uow import transactional
from ..visits import files
from .access import is_member, manages
from .models import OUTCOME_KINDS, Round, RoundOutcome, RoundVenue

REASON_MAX = 2000


@transactional
def record_outcome(
    user,
    found: Round,
    *,
    venue_id: int,
    kind: str,
    reason: str,
    photo: bytes | None = None,
    client_key: str | None = None,
) -> tuple[RoundOutcome, bool]:
    """Keep a could-not-inspect outcome for a venue of the round; returns (outcome, created)."""
    if not (is_member(user, found.team_id) or manages(user)):
        raise Conflict(
            _("Only the members of the round's team record its outcomes."), field="round"
        )
    if client_key:
        same = db.session.scalar(
            select(RoundOutcome).where(
                RoundOutcome.recorded_by_id == user.id, RoundOutcome.client_key == client_key
            )
        )
        if same is not None:
            return same, False
    if found.starts_on > clock.today():
        raise Conflict(_("This round has not started yet."), field="round")
    if kind not in OUTCOME_KINDS:
        raise Invalid(_("Say why the venue could not be inspected."), field="kind")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Write what the team found."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_("At most %(n)s characters.", n=REASON_MAX), field="reason")
    listed = db.session.scalar(
        select(RoundVenue.id).where(
            RoundVenue.round_id == found.id, RoundVenue.venue_id == venue_id
        )
    )
    if listed is None:
        raise Invalid(_("This venue is not in the round."), field="venue_id")
    outcome = RoundOutcome(
        round_id=found.id,
        venue_id=venue_id,
        kind=kind,
        reason=reason,
        client_key=client_key,
        recorded_by_id=user.id,
    )
    if photo:
        files.check_size(len(photo))
        fmt, _w, _h = files.sniff(photo)
        content_type, ext = files.FORMATS[fmt]
        sha, key = storage.save(photo, ext, owner_id=found.id, folder="rounds")
        outcome.photo_key, outcome.photo_sha256, outcome.photo_type = key, sha, content_type
    db.session.add(outcome)
    db.session.flush()
    return outcome, True


def outcomes_of(found: Round) -> list[RoundOutcome]:
    """The round's outcomes, newest first."""
    return list(
        db.session.scalars(
            select(RoundOutcome)
            .where(RoundOutcome.round_id == found.id)
            .order_by(RoundOutcome.recorded_at.desc(), RoundOutcome.id.desc())
        )
    )
