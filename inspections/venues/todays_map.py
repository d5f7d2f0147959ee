"""Venues' addresses on today's administrative map (``Venue.address_2025``).

Written by the venue write path (``services.create_venue``, ``update_venue``, ``write_batch``)
once the venue's unit on today's map is known (the areas room places it at flush), and by
``flask venues reindex`` after units or boundaries change. The rule itself (what is kept of
the written address) is ``addresses.todays_address``.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from ..areas.models import Area
from ..extensions import db
from .addresses import compose_address, province_key, todays_address
from .models import Venue, search_parts, search_text_of

BATCH = 500


def _province_keys() -> tuple[str, ...]:
    names = db.session.scalars(select(Area.name).where(Area.level == "province"))
    return tuple(sorted({province_key(n) for n in names}))


def set_todays_addresses(venue_ids: list[int] | None = None) -> int:
    """Recompute address_2025 of these venues (None: every venue); returns how many changed."""
    unit, province = aliased(Area), aliased(Area)
    provinces = _province_keys()
    q = (
        select(
            Venue.id,
            Venue.address,
            Venue.house_no,
            Venue.street,
            Venue.address_commune,
            Venue.address_2025,
            Venue.name,
            Venue.registration_no,
            Venue.security_cert_no,
            Venue.owner_name,
            Venue.owner_phone,
            Venue.search_text,
            unit.name.label("unit_name"),
            province.name.label("province_name"),
        )
        .outerjoin(unit, unit.id == Venue.commune_2025_id)
        .outerjoin(province, province.id == unit.parent_id)
        .order_by(Venue.id)
    )
    ids = None if venue_ids is None else sorted(set(venue_ids))
    changed: list[int] = []
    last_id = 0
    while True:
        page = q.where(Venue.id > last_id)
        if ids is not None:
            chunk = [i for i in ids if i > last_id][:BATCH]
            if not chunk:
                break
            page = page.where(Venue.id.in_(chunk))
        rows = db.session.execute(page.limit(BATCH)).all()
        if not rows:
            break
        last_id = rows[-1].id
        for row in rows:
            written = row.address or compose_address(row.house_no, row.street, row.address_commune)
            value = todays_address(written, row.unit_name, row.province_name, provinces=provinces)
            found_by = search_text_of(search_parts(row, value))  # as _derive writes it
            if value != row.address_2025 or found_by != row.search_text:
                db.session.execute(
                    update(Venue)
                    .where(Venue.id == row.id)
                    .values(address_2025=value, search_text=found_by)
                    .execution_options(synchronize_session=False)
                )
                changed.append(row.id)
    if changed:
        done = set(changed)
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Venue) and obj.id in done:
                db.session.expire(obj, ["address_2025", "search_text"])
    return len(changed)
