"""A venue's timeline: inspections, violations, follow-ups, fines paid, suspensions and
closures, tips, amendments and reviewer notes, newest first, each with who and when.

Each source is one SQL query that reads its newest `limit` entries; the merged list is cut to
`limit`, so a venue with a long history costs a few small indexed reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Label, select
from sqlalchemy.orm import QueryableAttribute, aliased

from ..accounts.models import User
from ..clock import local_day
from ..extensions import db
from ..i18n import fmt_date, fmt_vnd
from ..tips.models import Tip
from ..venues.models import VenueEvent
from ..visits.models import Inspection, InspectionAmendment
from . import services
from .followup import status_of, visible_notes_clause
from .models import FinePayment, RecordedViolation, ReviewerNote, ViolationFollowup

DEFAULT_LIMIT = 30
FULL_LIMIT = 500


@dataclass
class Entry:
    """One line of the timeline."""

    on: date
    at: datetime | None
    kind: str
    title: str
    detail: str | None
    who: str | None
    url: str | None = None
    tone: str = "secondary"


def _who(user_id_col: QueryableAttribute[int | None]) -> Label[str]:
    """The full name of the account in the column, as the row's `who`."""
    return select(User.full_name).where(User.id == user_id_col).scalar_subquery().label("who")


def _key(e: Entry) -> tuple[date, float]:
    at = e.at.timestamp() if e.at else 0
    return (e.on, at)


def timeline(venue, user, locale: str, limit: int = DEFAULT_LIMIT) -> tuple[list[Entry], bool]:
    """(entries newest first, whether more exist beyond `limit`)."""
    from flask import url_for

    n = limit + 1
    out: list[Entry] = []
    creator = aliased(User)
    for insp_row in db.session.execute(
        select(Inspection, creator.full_name.label("who"))
        .outerjoin(creator, creator.id == Inspection.created_by_id)
        .where(Inspection.venue_id == venue.id, Inspection.status != "draft")
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .limit(n)
    ):
        insp, who = insp_row.Inspection, insp_row.who
        cancelled = insp.status == "cancelled"
        out.append(
            Entry(
                insp.inspected_on,
                insp.inspected_at,
                "inspection",
                _("Inspection cancelled") if cancelled else _("Inspection"),
                insp.cancel_reason if cancelled else None,
                who,
                url_for("visits.detail", inspection_id=insp.id),
                "secondary" if cancelled else "primary",
            )
        )
    rows = db.session.execute(
        select(
            RecordedViolation,
            Inspection.inspected_on,
            Inspection.inspected_at,
            creator.full_name.label("who"),
        )
        .join(Inspection, Inspection.id == RecordedViolation.inspection_id)
        .outerjoin(creator, creator.id == Inspection.created_by_id)
        .where(RecordedViolation.venue_id == venue.id, Inspection.status == "submitted")
        .order_by(Inspection.inspected_on.desc(), RecordedViolation.id.desc())
        .limit(n)
    ).all()
    for v_row in rows:
        v = v_row.RecordedViolation
        parts = [services.legal_basis(v.legal, locale)]
        if v.fine_vnd:
            parts.append(_("fine %(amount)s", amount=fmt_vnd(v.fine_vnd)))
        if v.remedy:
            parts.append(
                _("remedy: %(what)s by %(day)s", what=v.remedy, day=fmt_date(v.remedy_deadline))
            )
        status = status_of(v)
        if v.superseded_by_id is not None:
            title = _("Violation (corrected or withdrawn by an amendment)")
            tone = "secondary"
        else:
            title = _("Violation")
            tone = "danger" if status == "overdue" else "warning"
        out.append(
            Entry(
                v_row.inspected_on,
                v_row.inspected_at,
                "violation",
                f"{title}: {v.legal.title(locale)}",
                " · ".join(parts),
                v_row.who,
                url_for("violations.detail", violation_id=v.id),
                tone,
            )
        )
    labels = {
        "remedied": _("Remedied"),
        "escalated": _("Escalated"),
        "reinspected": _("Re-inspected"),
        "reopened": _("Remedy open again"),
    }
    for f_row in db.session.execute(
        select(ViolationFollowup, _who(ViolationFollowup.created_by_id))
        .join(RecordedViolation, RecordedViolation.id == ViolationFollowup.violation_id)
        .where(RecordedViolation.venue_id == venue.id)
        .order_by(ViolationFollowup.on.desc(), ViolationFollowup.id.desc())
        .limit(n)
    ):
        f = f_row.ViolationFollowup
        out.append(
            Entry(
                f.on,
                f.created_at,
                "followup",
                _("Follow-up: %(what)s", what=labels.get(f.kind, f.kind)),
                f.note,
                f_row.who,
                url_for("violations.detail", violation_id=f.violation_id),
                "success" if f.kind == "remedied" else "info",
            )
        )
    for p_row in db.session.execute(
        select(FinePayment, _who(FinePayment.created_by_id))
        .join(RecordedViolation, RecordedViolation.id == FinePayment.violation_id)
        .where(RecordedViolation.venue_id == venue.id)
        .order_by(FinePayment.paid_on.desc(), FinePayment.id.desc())
        .limit(n)
    ):
        p = p_row.FinePayment
        out.append(
            Entry(
                p.paid_on,
                p.created_at,
                "payment",
                _("Fine paid: %(amount)s", amount=fmt_vnd(p.amount_vnd)),
                _("receipt %(no)s", no=p.receipt_no),
                p_row.who,
                url_for("violations.detail", violation_id=p.violation_id),
                "success",
            )
        )
    event_labels = {
        "suspended": _("Suspended"),
        "reopened": _("Reopened"),
        "closed": _("Closed"),
        "moved": _("Moved"),
        "merged_into": _("Merged into another record"),
        "merged_from": _("A duplicate record was merged in"),
        "label": _("QR label re-issued"),
    }
    for ev_row in db.session.execute(
        select(VenueEvent, _who(VenueEvent.created_by_id))
        .where(VenueEvent.venue_id == venue.id)
        .order_by(VenueEvent.on.desc(), VenueEvent.id.desc())
        .limit(n)
    ):
        ev = ev_row.VenueEvent
        out.append(
            Entry(
                ev.on,
                ev.created_at,
                "lifecycle",
                event_labels.get(ev.kind, ev.kind),
                ev.reason,
                ev_row.who,
                None,
                "dark" if ev.kind in ("suspended", "closed") else "secondary",
            )
        )
    for tip_row in db.session.execute(
        select(Tip, _who(Tip.created_by_id))
        .where(Tip.venue_id == venue.id)
        .order_by(Tip.received_on.desc(), Tip.id.desc())
        .limit(n)
    ):
        tip = tip_row.Tip
        out.append(
            Entry(
                tip.received_on,
                tip.created_at,
                "tip",
                _("Tip received") if tip.closed_on is None else _("Tip closed"),
                tip.summary[:200],
                tip_row.who,
                url_for("tips.detail", tip_id=tip.id),
                "info",
            )
        )
    for am_row in db.session.execute(
        select(
            InspectionAmendment, _who(InspectionAmendment.created_by_id), Inspection.inspected_on
        )
        .join(Inspection, Inspection.id == InspectionAmendment.inspection_id)
        .where(Inspection.venue_id == venue.id)
        .order_by(InspectionAmendment.created_at.desc(), InspectionAmendment.id.desc())
        .limit(n)
    ):
        am = am_row.InspectionAmendment
        out.append(
            Entry(
                local_day(am.created_at),
                am.created_at,
                "amendment",
                _("Inspection of %(day)s amended", day=fmt_date(am_row.inspected_on)),
                am.reason,
                am_row.who,
                url_for("visits.detail", inspection_id=am.inspection_id),
                "secondary",
            )
        )
    for note_row in db.session.execute(
        select(ReviewerNote, _who(ReviewerNote.author_id))
        .where(ReviewerNote.venue_id == venue.id, visible_notes_clause(user))
        .order_by(ReviewerNote.created_at.desc(), ReviewerNote.id.desc())
        .limit(n)
    ):
        note = note_row.ReviewerNote
        out.append(
            Entry(
                local_day(note.created_at),
                note.created_at,
                "note",
                _("Reviewer note"),
                note.body,
                note_row.who,
                url_for("violations.detail", violation_id=note.violation_id)
                if note.violation_id
                else None,
                "light",
            )
        )
    out.sort(key=_key, reverse=True)
    return out[:limit], len(out) > limit
