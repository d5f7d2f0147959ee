"""Recompute the venues' derived columns after the folding rules or the units change
(``flask --app inspections venues reindex``): search text, name key, today's address."""

from __future__ import annotations

from sqlalchemy import select, update

from ..extensions import db
from ..uow import transactional
from .models import Venue, name_key, search_parts, search_text_of
from .todays_map import set_todays_addresses

BATCH = 500


@transactional
def reindex_search_text() -> int:
    """Rewrite search_text and name_key of every venue whose stored value is stale; returns
    how many changed. The audit trail leaves these derived columns out."""
    changed = 0
    columns = (
        Venue.id,
        Venue.name,
        Venue.address,
        Venue.address_2025,
        Venue.registration_no,
        Venue.security_cert_no,
        Venue.owner_name,
        Venue.owner_phone,
        Venue.search_text,
        Venue.name_key,
    )
    last_id = 0
    while True:
        rows = db.session.execute(
            select(*columns).where(Venue.id > last_id).order_by(Venue.id).limit(BATCH)
        ).all()
        if not rows:
            return changed + set_todays_addresses()
        last_id = rows[-1].id
        for row in rows:
            text = search_text_of(search_parts(row, row.address_2025))
            key = name_key(row.name)
            if (text, key) != (row.search_text, row.name_key):
                db.session.execute(
                    update(Venue)
                    .where(Venue.id == row.id)
                    .values(search_text=text, name_key=key)
                    .execution_options(synchronize_session=False)
                )
                changed += 1
