"""Reading inspections: the search behind the lists and the API, list rows with their
violation counts, and an inspection as it stands after its amendments (what the API's schema
dumps and the pages show)."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Agency, Team
from ..accounts.services import scope_of, teams_of
from ..areas.models import Area
from ..dbtypes import utcnow
from ..errors import Invalid
from ..extensions import db
from ..text import search_pattern
from ..venues.models import Venue
from ..violations import services as violations
from .access import visible_clause
from .amendments import current_answers, effective_scalars
from .models import Inspection, InspectionMember, inspection_agency
from .presence import fix_of, presence_of
from .readiness import problems


def status_label(status: str) -> str:
    """An inspection status in words."""
    return {
        "draft": _("draft"),
        "submitted": _("submitted"),
        "cancelled": _("cancelled"),
    }.get(status, status)


class _Reads:
    """Reads what it does not compute itself from the inspection it wraps."""

    inspection: Inspection

    def __getattr__(self, name: str):
        if name == "inspection":  # not set yet: never look it up on itself
            raise AttributeError(name)
        return getattr(self.inspection, name)


class AsItStands(_Reads):
    """An inspection with every amendment applied: current answers, violations and
    amendable fields, its GPS fixes, the presence they prove, what blocks submitting a draft."""

    def __init__(self, inspection: Inspection):
        self.inspection = inspection
        scalars = effective_scalars(inspection)
        self.representative = {
            "name": scalars["representative_name"],
            "role": scalars["representative_role"],
        }
        self.notes = scalars["notes"]
        self.location = fix_of(inspection, "start")
        self.submit_location = fix_of(inspection, "submit")
        measured = presence_of(inspection)
        # a submitted inspection keeps the presence it was submitted with
        self.presence = inspection.presence if inspection.status != "draft" else measured.status
        self.distance_m = measured.distance_m
        self.checklist = sorted(current_answers(inspection), key=lambda a: a.item.sort_order)
        self.violations = violations.current_rows(inspection)
        self.problems = problems(inspection) if inspection.status == "draft" else {}


def search(user, filters: dict):
    """SELECT of the inspections a user may see, filtered, newest first."""
    q = (
        select(Inspection)
        .join(Venue, Venue.id == Inspection.venue_id)
        .where(visible_clause(user))
        .options(selectinload(Inspection.team), selectinload(Inspection.venue))
    )
    if filters.get("venue"):
        q = q.where(Inspection.venue_id == filters["venue"])
    if filters.get("area"):
        area = db.session.scalar(
            select(Area).where(Area.code == filters["area"]).order_by(Area.valid_from.desc())
        )
        if area is None:
            raise Invalid(_("Unknown area %(code)s.", code=filters["area"]), field="area")
        col = Venue.commune_id if area.level == "commune" else Venue.district_id
        if area.level != "province":
            q = q.where(col == area.id)
    if filters.get("start"):
        q = q.where(Inspection.inspected_on >= filters["start"])
    if filters.get("end"):
        q = q.where(Inspection.inspected_on <= filters["end"])
    if filters.get("status"):
        q = q.where(Inspection.status == filters["status"])
    if filters.get("team"):
        q = q.where(Inspection.team_id == filters["team"])
    if filters.get("client_key"):
        q = q.where(Inspection.client_key == filters["client_key"])
    if filters.get("agency"):
        q = q.where(
            exists()
            .where(inspection_agency.c.inspection_id == Inspection.id)
            .where(
                inspection_agency.c.agency_id
                == select(Agency.id).where(Agency.code == filters["agency"]).scalar_subquery()
            )
        )
    if filters.get("q"):
        q = q.where(Venue.search_text.like(search_pattern(filters["q"])))
    if filters.get("mine"):
        q = q.where(
            or_(
                Inspection.created_by_id == user.id,
                exists().where(
                    and_(
                        InspectionMember.inspection_id == Inspection.id,
                        InspectionMember.user_id == user.id,
                    )
                ),
            )
        )
    return q.order_by(Inspection.inspected_at.desc(), Inspection.id.desc())


class Summary(_Reads):
    """A list row: the inspection with its current violation count."""

    def __init__(self, inspection: Inspection, violations: int):
        self.inspection = inspection
        self.violations = violations

    @property
    def venue_name(self) -> str:
        """The venue's name."""
        return self.inspection.venue.name

    @property
    def team(self) -> str | None:
        """The team's name."""
        return self.inspection.team.name if self.inspection.team else None


def summaries(inspections: list[Inspection]) -> list[Summary]:
    """List rows with their current violation counts (one GROUP BY, no N+1)."""
    counts = violations.counts_by_inspection([i.id for i in inspections])
    return [Summary(i, counts.get(i.id, 0)) for i in inspections]


def venue_inspections(venue: Venue, user, limit: int = 50) -> list[Summary]:
    """A venue's inspections, newest first, for its page."""
    if not scope_of(user).allows_venue(venue):
        return []
    rows = list(db.session.scalars(search(user, {"venue": venue.id}).limit(limit)))
    return summaries(rows)


def open_draft(user, venue: Venue) -> Inspection | None:
    """The user's own recent draft of this venue, so "Start" twice does not make two."""
    return db.session.scalar(
        select(Inspection)
        .where(
            Inspection.venue_id == venue.id,
            Inspection.status == "draft",
            Inspection.created_by_id == user.id,
            Inspection.created_at >= utcnow() - timedelta(hours=24),
        )
        .order_by(Inspection.created_at.desc())
        .limit(1)
    )


def active_teams(user, on: date) -> list[Team]:
    """Teams the user can inspect for on a day."""
    return teams_of(user, on)
