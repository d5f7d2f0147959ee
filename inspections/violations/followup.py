"""Follow-up of recorded violations: register bookkeeping, remedy follow-ups with evidence,
fine payments, reviewer notes, overdue remedies.

Rules (each refused with a clear message, nothing written):
- a follow-up or payment is dated on or after the inspection that found the violation, and
  not in the future; a re-inspection linked to it is a submitted inspection of the same venue;
- "remedied" needs at least one evidence photo (checked and stored like inspection photos);
- a payment needs a fine, and payments never add up to more than the fine;
- a note is 1 to NOTE_MAX characters and is seen by its author, administrators and the roles
  and agencies the author chose (all readers of violations when none was chosen).

Amendments: when an amendment replaces a violation row, its follow-ups, payments and notes
move to the replacing row (the remedy is the same obligation, corrected); a violation withdrawn
by an amendment keeps them, shown as withdrawn on the venue timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import CursorResult

from .. import storage
from ..accounts.services import scope_of
from ..clock import today
from ..errors import Conflict, Invalid, NotFound, OutsideScope
from ..extensions import db
from ..i18n import fmt_date, fmt_vnd
from ..uow import transactional
from ..venues.models import Venue
from ..visits import files
from ..visits.models import Inspection, inspection_agency
from .models import (
    FOLLOWUP_STATUS,
    NOTE_MAX,
    FinePayment,
    FollowupFile,
    RecordedViolation,
    ReviewerNote,
    ViolationFollowup,
)

EVIDENCE_MAX_FILES = 5


# ---------------------------------------------------------------- register bookkeeping


def sync_register(inspection_ids: list[int]) -> None:
    """Bring the register columns of these inspections' violations up to date (after submit,
    cancel, amend), moving follow-ups of replaced rows to the rows that replace them."""
    if not inspection_ids:
        return
    db.session.flush()
    rows = db.session.execute(
        select(RecordedViolation, Inspection.status, Inspection.inspected_on)
        .join(Inspection, Inspection.id == RecordedViolation.inspection_id)
        .where(RecordedViolation.inspection_id.in_(inspection_ids))
        .order_by(RecordedViolation.id)
    ).all()
    by_id = {found.RecordedViolation.id: found.RecordedViolation for found in rows}
    masks: dict[int, int] = {}
    for link in db.session.execute(
        select(inspection_agency.c.inspection_id, inspection_agency.c.agency_id).where(
            inspection_agency.c.inspection_id.in_(inspection_ids)
        )
    ):
        bits = masks.get(link.inspection_id, 0) | agency_bit(link.agency_id)
        masks[link.inspection_id] = bits
    for found in rows:
        row, status = found.RecordedViolation, found.status
        row.inspected_on = found.inspected_on
        row.agency_mask = masks.get(row.inspection_id, 0)
        row.in_register = row.superseded_by_id is None and status == "submitted"
        old = by_id.get(row.supersedes_id) if row.supersedes_id else None
        if old is not None and row.superseded_by_id is None:
            _carry(old, row)
        if not row.remedy:
            row.remedy_status = None
        elif row.remedy_status is None:
            row.remedy_status = "open"
    db.session.flush()


def agency_bit(agency_id: int) -> int:
    """The bit of an agency in agency_mask (the few agencies have small ids)."""
    if not 0 <= agency_id < 62:
        raise ValueError(f"agency id {agency_id} does not fit the agency mask")
    return 1 << agency_id


def _carry(old: RecordedViolation, new: RecordedViolation) -> None:
    moved = 0
    for model in (ViolationFollowup, FinePayment, ReviewerNote):
        result = db.session.execute(
            update(model)
            .where(model.violation_id == old.id)
            .values(violation_id=new.id)
            .execution_options(synchronize_session=False)
        )
        # an UPDATE without RETURNING answers a CursorResult; execute() is typed as a plain Result
        moved += cast(CursorResult, result).rowcount or 0
    if moved or old.remedy_status not in (None, "open"):
        new.remedy_status = old.remedy_status if new.remedy else None
        new.remedied_on = old.remedied_on
        new.paid_on = old.paid_on


# ---------------------------------------------------------------- reading


def get_violation(violation_id: int, user) -> RecordedViolation:
    """A recorded violation of a venue in the user's area (404 otherwise)."""
    row = db.session.get(RecordedViolation, violation_id)
    if row is None:
        raise NotFound(_("No such violation."))
    venue = db.session.get(Venue, row.venue_id)
    if venue is None or not scope_of(user).allows_venue(venue):
        raise OutsideScope(
            _("No such violation."), object_type="recorded_violation", object_id=violation_id
        )
    return row


def status_expr(on: date):
    """SQL: the remedy status with "overdue" derived (open past its deadline)."""
    return case(
        (
            and_(
                RecordedViolation.remedy_status == "open",
                RecordedViolation.remedy_deadline < on,
            ),
            "overdue",
        ),
        else_=RecordedViolation.remedy_status,
    )


def recorded_on(violation: RecordedViolation) -> date:
    """The day the violation was recorded (its register copy, else its inspection's day)."""
    return violation.inspected_on or violation.inspection.inspected_on


def status_of(row: RecordedViolation, on: date | None = None) -> str | None:
    """The same in Python for one row already loaded."""
    on = on or today()
    if row.remedy_status == "open" and row.remedy_deadline and row.remedy_deadline < on:
        return "overdue"
    return row.remedy_status


def overdue_clause(on: date) -> ColumnElement[bool]:
    return and_(
        RecordedViolation.in_register.is_(True),
        RecordedViolation.remedy_status == "open",
        RecordedViolation.remedy_deadline < on,
    )


def overdue_by_commune(user, on: date | None = None) -> Sequence[Row[int | None, int]]:
    """Rows of (area_id: the venue's commune on today's map, n: overdue remedies) in the
    user's area, one GROUP BY."""
    on = on or today()
    return db.session.execute(
        select(Venue.commune_2025_id.label("area_id"), func.count().label("n"))
        .select_from(RecordedViolation)
        .join(Venue, Venue.id == RecordedViolation.venue_id)
        .where(overdue_clause(on), scope_of(user).venues(Venue))
        .group_by(Venue.commune_2025_id)
    ).all()


def overdue_count(user, on: date | None = None) -> int:
    """Overdue remedies in the user's area (the coordinator's home tile)."""
    q = select(func.count()).select_from(RecordedViolation).where(overdue_clause(on or today()))
    scope = scope_of(user)
    if not scope.everything:
        q = q.join(Venue, Venue.id == RecordedViolation.venue_id).where(scope.venues(Venue))
    return db.session.execute(q).scalar_one()


def followups_of(violation: RecordedViolation) -> list[ViolationFollowup]:
    return list(
        db.session.scalars(
            select(ViolationFollowup)
            .where(ViolationFollowup.violation_id == violation.id)
            .order_by(ViolationFollowup.on.desc(), ViolationFollowup.id.desc())
        )
    )


def payments_of(violation: RecordedViolation) -> list[FinePayment]:
    return list(
        db.session.scalars(
            select(FinePayment)
            .where(FinePayment.violation_id == violation.id)
            .order_by(FinePayment.paid_on.desc(), FinePayment.id.desc())
        )
    )


def paid_total(violation: RecordedViolation) -> int:
    return db.session.execute(
        select(func.coalesce(func.sum(FinePayment.amount_vnd), 0)).where(
            FinePayment.violation_id == violation.id
        )
    ).scalar_one()


# ---------------------------------------------------------------- writing


def _check_day(violation: RecordedViolation, on: date, field: str) -> None:
    start = recorded_on(violation)
    if on < start:
        raise Invalid(
            _(
                "This is dated before the violation was recorded (%(day)s).",
                day=fmt_date(start),
            ),
            field=field,
        )
    if on > today():
        raise Invalid(_("This date is in the future."), field=field)


def _require_current(violation: RecordedViolation) -> None:
    if not violation.in_register:
        raise Conflict(
            _("This violation was corrected or withdrawn; follow up the current record."),
            field="violation",
        )


@transactional
def add_followup(
    user,
    violation: RecordedViolation,
    *,
    kind: str,
    on: date,
    note: str | None = None,
    inspection_id: int | None = None,
    evidence: list[bytes] | None = None,
) -> ViolationFollowup:
    """Record a follow-up step; it sets the remedy status (remedied, escalated, open)."""
    _require_current(violation)
    evidence = [data for data in (evidence or []) if data]
    if kind in FOLLOWUP_STATUS and not violation.remedy:
        raise Invalid(_("This violation has no remedy to follow up."), field="kind")
    _check_day(violation, on, "on")
    inspection = None
    if inspection_id is not None:
        inspection = db.session.get(Inspection, inspection_id)
        if (
            inspection is None
            or inspection.venue_id != violation.venue_id
            or inspection.status != "submitted"
        ):
            raise Invalid(_("Link a submitted inspection of this venue."), field="inspection_id")
        if inspection.inspected_on < recorded_on(violation):
            raise Invalid(
                _("The re-inspection is dated before the violation."), field="inspection_id"
            )
    if kind == "reinspected" and inspection is None:
        raise Invalid(_("Choose the re-inspection."), field="inspection_id")
    if kind == "remedied" and not evidence:
        raise Invalid(_("Add at least one photo of the evidence."), field="file")
    if len(evidence) > EVIDENCE_MAX_FILES:
        raise Invalid(_("At most %(n)s photos per follow-up.", n=EVIDENCE_MAX_FILES), field="file")
    checked = []
    for data in evidence:
        files.check_size(len(data))
        fmt, _w, _h = files.sniff(data)
        checked.append((data, *files.FORMATS[fmt]))
    followup = ViolationFollowup(
        violation_id=violation.id,
        kind=kind,
        on=on,
        note=(note or "").strip() or None,
        inspection_id=inspection.id if inspection else None,
        created_by_id=user.id,
    )
    db.session.add(followup)
    db.session.flush()
    for data, content_type, ext in checked:
        sha, stored = storage.save(data, ext, owner_id=violation.id, folder="followups")
        db.session.add(
            FollowupFile(
                followup_id=followup.id,
                sha256=sha,
                content_type=content_type,
                size_bytes=len(data),
                stored_name=stored,
            )
        )
    status = FOLLOWUP_STATUS.get(kind)
    if status:
        violation.remedy_status = status
        violation.remedied_on = on if status == "remedied" else None
    db.session.flush()
    return followup


def get_file(file_id: int, user) -> FollowupFile:
    """An evidence file of a violation in the user's area (404 otherwise)."""
    row = db.session.get(FollowupFile, file_id)
    if row is None:
        raise NotFound(_("No such file."))
    get_violation(row.followup.violation_id, user)
    return row


@transactional
def add_payment(
    user, violation: RecordedViolation, *, paid_on: date, receipt_no: str, amount_vnd: int
) -> FinePayment:
    """Record that (part of) the fine was paid."""
    _require_current(violation)
    if not violation.fine_vnd:
        raise Invalid(_("This violation has no fine: there is nothing to pay."), field="amount_vnd")
    _check_day(violation, paid_on, "paid_on")
    receipt_no = (receipt_no or "").strip()
    if not receipt_no:
        raise Invalid(_("Give the receipt number."), field="receipt_no")
    already = paid_total(violation)
    if already + amount_vnd > violation.fine_vnd:
        raise Invalid(
            _(
                "Payments would add up to %(total)s, more than the fine of %(fine)s.",
                total=fmt_vnd(already + amount_vnd),
                fine=fmt_vnd(violation.fine_vnd),
            ),
            field="amount_vnd",
        )
    payment = FinePayment(
        violation_id=violation.id,
        paid_on=paid_on,
        receipt_no=receipt_no,
        amount_vnd=amount_vnd,
        created_by_id=user.id,
    )
    db.session.add(payment)
    violation.paid_on = max(paid_on, violation.paid_on or paid_on)
    db.session.flush()
    return payment


@transactional
def add_note(
    user,
    venue: Venue,
    body: str,
    *,
    violation: RecordedViolation | None = None,
    roles: list[str] | None = None,
    agencies: list[str] | None = None,
) -> ReviewerNote:
    """A reviewer's note on a venue or one of its violations, for the chosen audience."""
    body = (body or "").strip()
    if not body:
        raise Invalid(_("Write the note."), field="body")
    if len(body) > NOTE_MAX:
        raise Invalid(
            _(
                "The note is %(n)s characters long; the limit is %(max)s.",
                n=len(body),
                max=NOTE_MAX,
            ),
            field="body",
        )
    if violation is not None and violation.venue_id != venue.id:
        raise Invalid(_("This violation is not of this venue."), field="violation")
    note = ReviewerNote(
        venue_id=venue.id,
        violation_id=violation.id if violation else None,
        body=body,
        audience_roles=_members(roles),
        audience_agencies=_members(agencies),
        author_id=user.id,
    )
    db.session.add(note)
    db.session.flush()
    return note


def _members(values: list[str] | None) -> str:
    values = sorted(set(values or []))
    return "," + ",".join(values) + "," if values else ""


def visible_notes_clause(user):
    """SQL: notes this user may read (author, administrators, the chosen audience)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role == "admin":
        return true()
    agency = user.agency.code if user.agency else ""
    return or_(
        ReviewerNote.author_id == user.id,
        and_(
            or_(
                ReviewerNote.audience_roles == "",
                ReviewerNote.audience_roles.like(f"%,{user.role},%"),
            ),
            or_(
                ReviewerNote.audience_agencies == "",
                ReviewerNote.audience_agencies.like(f"%,{agency},%"),
            ),
        ),
    )


def notes_for(user, *, venue_id: int | None = None, violation_id: int | None = None):
    """Notes of a venue (all of it) or of one violation that the user may read, newest first."""
    q = select(ReviewerNote).where(visible_notes_clause(user))
    if violation_id is not None:
        q = q.where(ReviewerNote.violation_id == violation_id)
    elif venue_id is not None:
        q = q.where(ReviewerNote.venue_id == venue_id)
    return list(db.session.scalars(q.order_by(ReviewerNote.created_at.desc()).limit(200)))


def sync_unsynced() -> int:
    """Register columns for rows written without the services (demo seed, bulk loads): one
    UPDATE with correlated subqueries, the same on both databases."""
    inspection = Inspection.__table__
    day = (
        select(inspection.c.inspected_on)
        .where(inspection.c.id == RecordedViolation.inspection_id)
        .scalar_subquery()
    )
    status = (
        select(inspection.c.status)
        .where(inspection.c.id == RecordedViolation.inspection_id)
        .scalar_subquery()
    )
    result = db.session.execute(
        update(RecordedViolation)
        .where(RecordedViolation.inspected_on.is_(None))
        .values(
            inspected_on=day,
            in_register=and_(RecordedViolation.superseded_by_id.is_(None), status == "submitted"),
            remedy_status=case((RecordedViolation.remedy.is_not(None), "open"), else_=None),
            agency_mask=select(
                func.coalesce(func.sum(literal(1).op("<<")(inspection_agency.c.agency_id)), 0)
            )
            .where(inspection_agency.c.inspection_id == RecordedViolation.inspection_id)
            .scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    # an UPDATE without RETURNING answers a CursorResult; Session.execute is typed as a plain Result
    return cast(CursorResult, result).rowcount or 0
