"""Demo follow-ups: remedies followed up (some with an evidence photo, some escalated, some
left overdue), fines paid, reviewer notes on repeat offenders, and tips.

Deterministic (one seeded random generator over rows in id order) and idempotent: nothing is
added once demo follow-ups exist ("DEMO-" receipt numbers and the demo tips' marker).
"""

from __future__ import annotations

import io
import random
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from .. import storage
from ..accounts.models import User
from ..clock import today
from ..extensions import db
from ..tips.models import Tip
from ..venues.models import Venue
from .followup import recorded_on, sync_unsynced
from .models import FinePayment, FollowupFile, RecordedViolation, ReviewerNote, ViolationFollowup
from .repeat import default_months, offenders_query, window_start

DEMO_SEED = 2027
TIP_MARKER = "[demo]"
EVIDENCE_PHOTOS = 12
TIP_SUMMARIES = (
    "Người dân phản ánh cơ sở có tiếp viên ngồi cùng khách sau 24 giờ.",
    "Đường dây nóng báo phòng hát có khóa chốt bên trong.",
    "Tin nhắn báo cơ sở xoa bóp hoạt động sau giờ quy định.",
    "Báo địa phương phản ánh nhà nghỉ không đăng ký lưu trú cho khách.",
    "Công an xã chuyển tin báo về nghi vấn môi giới mại dâm.",
)


def _photo(rng: random.Random) -> bytes:
    out = io.BytesIO()
    color = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
    Image.new("RGB", (320, 240), color).save(out, "JPEG", quality=70)
    return out.getvalue()


def load_demo_followups() -> int:
    """Seed step: register bookkeeping for the demo rows, then the demo follow-up data."""
    changed = sync_unsynced()
    done = db.session.scalar(
        select(func.count()).select_from(FinePayment).where(FinePayment.receipt_no.like("DEMO-%"))
    ) or db.session.scalar(
        select(func.count()).select_from(Tip).where(Tip.summary.like(f"{TIP_MARKER}%"))
    )
    demo_venues = select(Venue.id).where(Venue.registration_no.like("DEMO-%"))
    rows = list(
        db.session.scalars(
            select(RecordedViolation)
            .where(
                RecordedViolation.in_register.is_(True), RecordedViolation.venue_id.in_(demo_venues)
            )
            .order_by(RecordedViolation.id)
        )
    )
    if done or not rows:
        return changed
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data
    on = today()
    reviewer = db.session.scalar(
        select(User).where(User.role == "reviewer").order_by(User.id)
    ) or db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    who = reviewer.id if reviewer else None
    photos = 0
    for v in rows:
        recorded = recorded_on(v)
        if v.remedy and v.remedy_deadline and v.remedy_deadline < on - timedelta(days=20):
            roll = rng.random()
            if roll < 0.8:
                day = max(recorded, v.remedy_deadline - timedelta(days=rng.randrange(0, 10)))
                step = ViolationFollowup(
                    violation_id=v.id,
                    kind="remedied",
                    on=day,
                    note="Đã khắc phục theo biên bản.",
                    created_by_id=who,
                )
                db.session.add(step)
                v.remedy_status, v.remedied_on = "remedied", day
                if photos < EVIDENCE_PHOTOS:
                    db.session.flush()
                    data = _photo(rng)
                    sha, stored = storage.save(data, "jpg", owner_id=v.id, folder="followups")
                    db.session.add(
                        FollowupFile(
                            followup_id=step.id,
                            sha256=sha,
                            content_type="image/jpeg",
                            size_bytes=len(data),
                            stored_name=stored,
                        )
                    )
                    photos += 1
                changed += 1
            elif roll < 0.88:
                db.session.add(
                    ViolationFollowup(
                        violation_id=v.id,
                        kind="escalated",
                        on=v.remedy_deadline + timedelta(days=5),
                        note="Không khắc phục; đề nghị UBND huyện đình chỉ hoạt động.",
                        created_by_id=who,
                    )
                )
                v.remedy_status = "escalated"
                changed += 1
            # the rest stays open past its deadline: the overdue list
        if v.fine_vnd and recorded < on - timedelta(days=30) and rng.random() < 0.7:
            paid = min(on, recorded + timedelta(days=rng.randrange(3, 25)))
            db.session.add(
                FinePayment(
                    violation_id=v.id,
                    paid_on=paid,
                    receipt_no=f"DEMO-BL-{v.id:06d}",
                    amount_vnd=v.fine_vnd,
                    created_by_id=who,
                )
            )
            v.paid_on = paid
            changed += 1
    start = window_start(on, default_months())
    repeaters = [
        row.venue_id
        for row in db.session.execute(
            offenders_query(start, [Venue.registration_no.like("DEMO-%")]).limit(3)
        )
    ]
    if reviewer:
        for venue_id in repeaters:
            db.session.add(
                ReviewerNote(
                    venue_id=venue_id,
                    body="Cơ sở tái phạm nhiều lần: đề nghị kiểm tra đột xuất và "
                    "xem xét thu hồi giấy chứng nhận ANTT.",
                    audience_roles="",
                    audience_agencies=",culture,police,",
                    author_id=reviewer.id,
                )
            )
            changed += 1
    venues = list(
        db.session.scalars(
            select(Venue).where(Venue.id.in_(demo_venues)).order_by(Venue.id).limit(400)
        )
    )
    for i in range(12):
        venue = venues[rng.randrange(len(venues))] if venues else None
        received = on - timedelta(days=rng.randrange(5, 200))
        due = received + timedelta(days=30)
        closed = None
        if i % 4 != 0:  # three quarters closed, most in time
            closed = min(on, received + timedelta(days=rng.randrange(3, 28 if i % 5 else 45)))
        db.session.add(
            Tip(
                venue_id=venue.id if venue else None,
                district_id=venue.district_id if venue else None,
                received_on=received,
                source=rng.choice(("citizen", "hotline", "agency", "media")),
                summary=f"{TIP_MARKER} {rng.choice(TIP_SUMMARIES)}",
                classification=rng.choice(("prostitution", "prostitution", "licence", "drugs")),
                due_on=due,
                closed_on=closed,
                outcome=rng.choice(("confirmed", "unfounded")) if closed else None,
                verification="Đã kiểm tra xác minh tại cơ sở." if closed else None,
                created_by_id=who,
            )
        )
        changed += 1
    db.session.flush()
    return changed
