"""Saved filters of the venue list, and the venues one of them finds for a round.

A saved filter keeps exactly the venue list's query arguments; they are checked by the list's
own schema (venues.schemas.VenueQuery) when saved and again when used, and applied with the
user's scope at use time, so a filter never reveals venues outside the user's area.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from ..accounts.services import scope_of
from ..areas.services import area_on
from ..errors import Invalid, NotFound
from ..extensions import db
from ..forms import plain_messages
from ..uow import transactional
from ..venues.schemas import VenueQuery
from .access import manages
from .models import SavedFilter

NAME_MAX = 120
# what a saved filter may not keep: paging, and the "near me" point of one moment
NOT_KEPT = ("page", "page_size", "per_page", "format", "near", "csrf_token")


def _load(args: dict) -> dict:
    """The filter's arguments as the venue list loads them; 422 naming the bad argument."""
    try:
        loaded = VenueQuery().load(dict(args))
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        field, problems = next(iter(plain_messages(messages).items()))
        raise Invalid(
            _(
                "The filter's “%(field)s” is not valid: %(message)s",
                field=field,
                message=str(problems[0]),
            ),
            field="args",
        ) from None
    if loaded.get("area"):
        try:
            area_on(loaded["area"], loaded.get("as_of"))
        except NotFound:
            raise Invalid(_("The filter's area does not exist."), field="args") from None
    return loaded


def clean_args(raw: dict) -> dict:
    """The arguments to keep: blanks and paging dropped, ids as a list."""
    out: dict = {}
    for key, value in raw.items():
        if key in NOT_KEPT:
            continue
        if isinstance(value, list):
            values = [str(v).strip() for v in value if str(v).strip()]
            if values:
                out[key] = values if key == "ids" else values[0]
        elif value is not None and str(value).strip():
            out[key] = [str(value).strip()] if key == "ids" else str(value).strip()
    return out


@transactional
def save_filter(user, name: str, raw_args: dict) -> SavedFilter:
    """Save the venue list's current arguments under a name, for the user's own use."""
    if not manages(user):
        raise NotFound(_("This page or object does not exist, or is outside your area."))
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Give the filter a name."), field="name")
    if len(name) > NAME_MAX:
        raise Invalid(_("A name may have at most %(n)s characters.", n=NAME_MAX), field="name")
    args = clean_args(raw_args)
    _load(args)
    saved = SavedFilter(owner_id=user.id, name=name, args=args)
    db.session.add(saved)
    db.session.flush()
    return saved


def filters_of(user) -> list[SavedFilter]:
    """The user's own saved filters, by name."""
    return list(
        db.session.scalars(
            select(SavedFilter)
            .where(SavedFilter.owner_id == user.id)
            .order_by(SavedFilter.name, SavedFilter.id)
        )
    )


def get_filter(user, filter_id: int) -> SavedFilter:
    """One of the user's own filters; another user's is not found."""
    found = db.session.get(SavedFilter, filter_id)
    if found is None or found.owner_id != user.id:
        raise NotFound(_("This page or object does not exist, or is outside your area."))
    return found


def venue_ids(user, filter_id: int, today: date, where, limit: int) -> list[int]:
    """The venues the user's own filter finds (in the list's order), with the user's scope
    at use time and the extra clause ``where`` (the team's area), at most ``limit``."""
    from ..venues import queries  # its aliases need every model mapped first

    saved = get_filter(user, filter_id)
    args = _load(saved.args)
    q = queries.id_select(args, scope_of(user), today).where(where).limit(limit)
    return list(db.session.scalars(q))
