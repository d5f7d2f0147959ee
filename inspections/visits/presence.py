"""GPS proof of presence: the fixes at the start and at submit, their distance to the venue
(measured by the database), and what an inspector must explain when they prove nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..areas.services import check_coordinates
from ..dbtypes import utcnow
from ..extensions import db
from ..spatial import distance_m, point_expr
from ..venues.models import Venue
from .models import Inspection

FIXES = ("start", "submit")


def set_fix(inspection: Inspection, which: str, loc: dict) -> None:
    """Record a GPS fix and its distance to the venue, measured by the database."""
    check_coordinates(loc["latitude"], loc["longitude"])
    dist = db.session.scalar(
        select(distance_m(Venue.location, point_expr(loc["latitude"], loc["longitude"]))).where(
            Venue.id == inspection.venue_id
        )
    )
    setattr(inspection, f"{which}_latitude", loc["latitude"])
    setattr(inspection, f"{which}_longitude", loc["longitude"])
    setattr(inspection, f"{which}_accuracy_m", loc["accuracy_m"])
    setattr(inspection, f"{which}_fix_at", loc.get("captured_at") or utcnow())
    setattr(inspection, f"{which}_distance_m", float(dist) if dist is not None else None)


@dataclass
class Fix:
    """One recorded GPS fix."""

    latitude: float
    longitude: float
    accuracy_m: float | None
    captured_at: datetime | None
    distance_m: float | None


def fix_of(inspection: Inspection, which: str) -> Fix | None:
    """The fix at the start or at submit, or None when there was none."""
    latitude = getattr(inspection, f"{which}_latitude")
    if latitude is None:
        return None
    return Fix(
        latitude=latitude,
        longitude=getattr(inspection, f"{which}_longitude"),
        accuracy_m=getattr(inspection, f"{which}_accuracy_m"),
        captured_at=getattr(inspection, f"{which}_fix_at"),
        distance_m=getattr(inspection, f"{which}_distance_m"),
    )


@dataclass
class Presence:
    """Where the GPS fixes put the team relative to the venue."""

    status: str  # on_site | off_site | imprecise | no_gps
    distance_m: float | None = None
    accuracy_m: float | None = None
    limit_m: float = 200


def presence_of(inspection: Inspection) -> Presence:
    """On site when either fix (start or submit), allowing for its accuracy, lies within
    OFFSITE_DISTANCE_M of the venue; a fix too imprecise to tell proves nothing."""
    limit = float(current_app.config["OFFSITE_DISTANCE_M"])
    max_accuracy = float(current_app.config["GPS_MAX_ACCURACY_M"])
    fixes = [
        (getattr(inspection, f"{w}_distance_m"), getattr(inspection, f"{w}_accuracy_m"))
        for w in FIXES
        if getattr(inspection, f"{w}_distance_m") is not None
    ]
    if not fixes:
        return Presence("no_gps", limit_m=limit)
    precise = [(d, a) for d, a in fixes if (a or 0) <= max_accuracy]
    if not precise:
        d, a = min(fixes, key=lambda f: f[1] or 0)
        return Presence("imprecise", d, a, limit)
    d, a = min(precise, key=lambda f: f[0] - (f[1] or 0))
    return Presence("on_site" if d - (a or 0) <= limit else "off_site", d, a, limit)


def presence_message(p: Presence) -> str | None:
    """What the inspector must explain, or None when the fix proves presence."""
    if p.status == "on_site":
        return None
    if p.status == "off_site":
        return _(
            "The GPS position is %(d)s from the venue's registered location (more than "
            "%(limit)s m). Say why to submit it as off-site.",
            d=distance_label(p.distance_m),
            limit=int(p.limit_m),
        )
    if p.status == "imprecise":
        return _(
            "The GPS position is too imprecise (±%(acc)s) to prove presence. Wait for a "
            "better fix outdoors, or say why.",
            acc=distance_label(p.accuracy_m),
        )
    return _("No GPS position was captured. Allow location access and retry, or say why.")


def distance_label(metres: float | None) -> str:
    """ "35 m" or "1,3 km"."""
    if metres is None:
        return "?"
    if metres < 1000:
        return f"{round(metres):d} m"
    return f"{metres / 1000:.1f} km"
