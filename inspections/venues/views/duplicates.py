"""Possible duplicates: the list, merging a pair, and dismissing one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.permissions import P, requires
from ...errors import InspectionsError, NotFound
from .. import duplicates as dup
from .. import services
from ..models import Venue
from . import bp
from .common import user_scope


@bp.get("/venues/duplicates")
@requires(P.VENUES_WRITE)
def duplicates():
    pairs = dup.find_pairs(user_scope())
    counts = dup.inspection_counts(pairs)
    return render_template("venues/duplicates.html", pairs=pairs, inspections=counts)


def _pair_from_form() -> tuple[Venue, Venue]:
    try:
        keep_id = int(request.form.get("keep", ""))
        other_id = int(request.form.get("other", ""))
    except ValueError:
        raise NotFound(_("Choose the two venues.")) from None
    scope = user_scope()
    return services.get_venue(keep_id, scope), services.get_venue(other_id, scope)


@bp.post("/venues/duplicates/merge")
@requires(P.VENUES_WRITE)
def merge():
    try:
        kept, other = _pair_from_form()
        reason = (request.form.get("reason") or "").strip()[:500] or None
        moved = services.merge_venues(
            other, kept, reason=reason, scope=user_scope(), user=current_user
        )
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("venues.duplicates"))
    flash(
        _(
            "#%(a)s was merged into #%(b)s (%(n)s inspections moved).",
            a=other.id,
            b=kept.id,
            n=moved,
        ),
        "success",
    )
    return redirect(url_for("venues.duplicates"))


@bp.post("/venues/duplicates/dismiss")
@requires(P.VENUES_WRITE)
def dismiss():
    try:
        a, b = _pair_from_form()
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("venues.duplicates"))
    dup.dismiss(a, b, user=current_user)
    flash(_("Marked as two different venues."), "info")
    return redirect(url_for("venues.duplicates"))
