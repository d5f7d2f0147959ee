"""Demo teams and inspections: one interagency team per district, inspections with violations
over 2024–2026, drawn with a fixed random seed.

The plan is built from the venues' registration numbers (not database ids), so it is the same
on every database; each inspection carries a stable ``client_key`` ("demo:<reg no>:<n>") and
is created once. Inspections dated after today are left out until their day has passed.
Per district and year a share of the venues is inspected (YEAR_RATES): in 2024 some districts
reach the plan's 20 % and some do not, and about a third of the venues are never inspected.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, literal, select, update

from .. import clock
from ..accounts.demo import ensure_demo_accounts
from ..accounts.models import Agency, Team, User
from ..accounts.services import create_user, save_team
from ..areas.models import Area
from ..extensions import db
from ..spatial import distance_m
from ..venues.models import Venue
from ..violations.models import LegalViolation
from ..violations.services import ViolationEntry, add_violation
from .checklists import template_for
from .models import (
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionMember,
    inspection_agency,
)

DEMO_SEED = 2024
KEY_PREFIX = "demo:"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TEAM_AGENCIES = (
    ("labour", "ld"),
    ("police", "ca"),
    ("culture", "vh"),
    ("district_committee", "ub"),
)
# Share of each district's venues inspected per year, by district in code order (593–602).
YEAR_RATES = {
    2024: (0.31, 0.26, 0.22, 0.14, 0.24, 0.11, 0.21, 0.08, 0.17, 0.25),
    2025: (0.27, 0.2, 0.24, 0.19, 0.15, 0.22, 0.12, 0.21, 0.2, 0.16),
    2026: (0.23, 0.18, 0.14, 0.25, 0.21, 0.13, 0.22, 0.1, 0.24, 0.19),
}
NEVER_SHARE = 0.34  # venues no demo inspection ever visits: the never-inspected list
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc", "Quốc", "Thu", "Đức", "Kim")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam",
         "Phong", "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy", "Khoa", "Linh")  # fmt: skip
OFFSITE_REASONS = (
    "Cơ sở đã chuyển sang địa chỉ mới, chưa cập nhật vị trí trong hệ thống.",
    "Lập biên bản tại trụ sở UBND xã do cơ sở mất điện.",
)
NO_GPS_REASONS = ("Điện thoại không bắt được GPS trong tầng hầm.",)
CANCEL_REASONS = ("Cơ sở đóng cửa khi đoàn đến, sẽ kiểm tra lại.", "Nhập trùng cuộc kiểm tra.")
# The remedy an inspector writes for an offence (by the start of its catalogue code); an
# offence without one here gets no remedy, only its fine.
REMEDIES = {
    "ND38-2021-D15-6b": "Tháo chốt cài bên trong cửa phòng hát",
    "ND38-2021-D15-6a": "Ngừng sử dụng phòng hát không đủ diện tích tối thiểu",
    "ND38-2021-D15-6c": "Tháo thiết bị báo động lắp đặt trái quy định",
    "ND38-2021-D15-6dd": "Làm thủ tục điều chỉnh giấy phép theo đúng số phòng",
    "ND38-2021-D15-6d": "Thay nội dung hình ảnh phù hợp với lời bài hát",
    "ND38-2021-D15-6e": "Chấp hành đúng khung giờ hoạt động của vũ trường",
    "ND38-2021-D15-5": "Chấp hành đúng khung giờ hoạt động 8 giờ–24 giờ",
    "ND38-2021-D15-1": "Nhân viên mặc đồng phục, đeo bảng tên khi làm việc",
    "ND38-2021-D15-2": "Cấp đồng phục, bảng tên cho nhân viên",
    "ND12-2022-D9": "Ký hợp đồng lao động bằng văn bản với người lao động",
}


def remedy_for(code: str) -> str | None:
    """The demo's remedy for an offence, by the longest code prefix that names one."""
    for prefix in sorted(REMEDIES, key=len, reverse=True):
        if code.startswith(prefix):
            return REMEDIES[prefix]
    return None


@dataclass
class PlannedInspection:
    key: str
    registration_no: str
    at: datetime
    status: str
    presence: str
    offset_m: float
    accuracy_m: float
    bearing: float
    answers: list[tuple[str, str]] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    reason: str | None = None
    cancel_reason: str | None = None


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _districts() -> list[Area]:
    return list(
        db.session.scalars(select(Area).where(Area.level == "district").order_by(Area.code))
    )


def ensure_demo_inspectors(password: str | None) -> int:
    """Four inspectors per district (labour, police, culture, district committee)."""
    if not password:
        return 0
    ensure_demo_accounts(password)
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo names
    existing = set(db.session.scalars(select(User.username).where(User.username.like("kt%"))))
    created = 0
    for district in _districts():
        for agency, suffix in TEAM_AGENCIES:
            name = _person(rng)
            username = f"kt{district.code}{suffix}"
            if username in existing:
                continue
            create_user(
                username=username,
                password=password,
                role="inspector",
                agency_code=agency,
                area_code=district.code,
                full_name=name,
            )
            created += 1
    return created


def ensure_demo_teams() -> tuple[int, dict[int, Team]]:
    """One team per district with the demo inspectors who exist; returns (created, teams)."""
    created, teams = 0, {}
    users = {u.username: u for u in db.session.scalars(select(User))}
    for district in _districts():
        decision = f"DEMO-{district.code}/QĐ-UBND"
        team = db.session.scalar(select(Team).where(Team.decision_no == decision))
        members = [f"kt{district.code}{s}" for _a, s in TEAM_AGENCIES]
        if district.code == "593":
            members.append("kiemtra")
        members = [u for u in members if u in users and users[u].role == "inspector"]
        lead = members[0] if members else None
        if team is not None:
            have = {m.user.username for m in team.memberships}
            if have != set(members):
                save_team(
                    team,
                    name=team.name,
                    lead_agency_code="labour",
                    active_from=team.active_from,
                    member_usernames=members,
                    lead_username=lead,
                    area_codes=[district.code],
                    decision_no=decision,
                )
                created += 1
            teams[district.id] = team
            continue
        teams[district.id] = save_team(
            None,
            name=f"Đoàn kiểm tra liên ngành {district.name}",
            lead_agency_code="labour",
            active_from=date(2024, 1, 1),
            member_usernames=members,
            lead_username=lead,
            area_codes=[district.code],
            decision_no=decision,
        )
        created += 1
    return created, teams


def _in_year(venue: Venue, year: int) -> bool:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return (venue.opened_on or start) <= end and (
        venue.closed_on is None or venue.closed_on >= start
    )


def plan(venues: list[Venue], districts: list[Area], items: dict, catalogue: list) -> list:
    """The demo inspections, identical on every run and database (no writes)."""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data
    by_district: dict[int | None, list[Venue]] = {}
    for v in sorted(venues, key=lambda v: v.registration_no or ""):
        by_district.setdefault(v.district_id, []).append(v)
    out: list[PlannedInspection] = []
    counter: dict[str, int] = {}
    for rank, district in enumerate(districts):
        pool = by_district.get(district.id, [])
        never = {v.registration_no for v in pool if rng.random() < NEVER_SHARE}
        for year, rates in YEAR_RATES.items():
            in_scope = [v for v in pool if _in_year(v, year)]
            candidates = [v for v in in_scope if v.registration_no not in never]
            rng.shuffle(candidates)
            chosen = candidates[: round(rates[rank % len(rates)] * len(in_scope))]
            for venue in chosen:
                visits = 2 if rng.random() < 0.08 else 1
                for _n in range(visits):
                    out.append(_one(rng, venue, year, items, catalogue, counter))
                if rng.random() < 0.05:
                    extra = _one(rng, venue, year, items, catalogue, counter)
                    extra.status, extra.cancel_reason = "cancelled", rng.choice(CANCEL_REASONS)
                    extra.violations = []
                    out.append(extra)
    return out + _return_visits(out)


RETURN_SHARE = 0.25  # of the inspections that found violations


def _return_visits(planned: list[PlannedInspection]) -> list[PlannedInspection]:
    """Re-inspections that find a violation again, as repeat offenders ("tái phạm") are found:
    a quarter of the inspections that found violations are followed 30 to 75 days later by one
    that finds the first of them again. Drawn from a generator of their own, so the rest of
    the demo is the same with or without them."""
    rng = random.Random(DEMO_SEED + 1)  # noqa: S311 - reproducible demo data
    out = []
    for p in planned:
        if p.status != "submitted" or not p.violations or rng.random() >= RETURN_SHARE:
            continue
        at = p.at + timedelta(days=rng.randrange(30, 76), hours=rng.randrange(-3, 4))
        found = dict(p.violations[0])
        if found["remedy"]:
            found["remedy_deadline"] = at.date() + timedelta(days=15)
        out.append(
            replace(p, key=f"{p.key}:again", at=at, answers=list(p.answers), violations=[found])
        )
    return out


def _one(rng, venue: Venue, year: int, items: dict, catalogue: list, counter: dict):
    reg = venue.registration_no
    assert reg is not None  # demo venues are found by their DEMO- number
    counter[reg] = counter.get(reg, 0) + 1
    start = max(date(year, 1, 2), venue.opened_on or date(year, 1, 2))
    end = min(date(year, 12, 30), venue.closed_on or date(year, 12, 30))
    day = start + timedelta(days=rng.randrange(0, max(1, (end - start).days)))
    at = datetime.combine(day, time(rng.randrange(8, 22), rng.choice((0, 15, 30, 45))), TZ)
    roll = rng.random()
    presence, offset, reason = "on_site", rng.uniform(3, 70), None
    if roll < 0.04:
        presence, offset, reason = "off_site", rng.uniform(600, 2500), rng.choice(OFFSITE_REASONS)
    elif roll < 0.06:
        presence, reason = "no_gps", rng.choice(NO_GPS_REASONS)
    planned = PlannedInspection(
        key=f"{KEY_PREFIX}{reg}:{counter[reg]}",
        registration_no=reg,
        at=at,
        status="submitted",
        presence=presence,
        offset_m=offset,
        accuracy_m=rng.uniform(6, 45),
        bearing=rng.uniform(0, 360),
        reason=reason,
    )
    sector_items = items.get(venue.sector_id, [])
    for code, proposes in sector_items:
        r = rng.random()
        answer = "not_compliant" if r < 0.09 else "not_applicable" if r < 0.16 else "compliant"
        planned.answers.append((code, answer))
        if answer != "not_compliant":
            continue
        usable = [
            lv
            for lv in catalogue
            if lv.code in proposes
            and lv.in_force_on(day)
            and venue.sector.code in lv.sectors
            and lv.fine_individual_min is not None
        ]
        if not usable or rng.random() < 0.35:
            continue
        lv = usable[0] if rng.random() < 0.6 else rng.choice(usable)
        offender = (
            "organisation"
            if "organisation" in lv.offender_types and rng.random() < 0.5
            else "individual"
        )
        low, high = lv.fine_range(offender)
        steps = max(0, (high - low) // 500_000)
        fine = low + 500_000 * rng.randrange(0, steps + 1)
        remedy = rng.random() < 0.6 and remedy_for(lv.code) is not None
        planned.violations.append(
            {
                "code": lv.code,
                "item": code,
                "offender": offender,
                "fine_vnd": min(fine, high),
                "remedy": remedy_for(lv.code) if remedy else None,
                "remedy_deadline": day + timedelta(days=rng.choice((15, 30, 60)))
                if remedy
                else None,
                "measures": ["remedy"] if remedy else [],
            }
        )
    return planned


def load_demo_inspections(password: str | None = None) -> int:
    """Seed step: demo inspectors (when a password is given), teams and inspections."""
    changed = ensure_demo_inspectors(password)
    created_teams, teams = ensure_demo_teams()
    changed += created_teams
    venues = list(
        db.session.scalars(
            select(Venue).where(
                Venue.registration_no.like("DEMO-%"), Venue.district_id.is_not(None)
            )
        )
    )
    if not venues:
        return changed
    districts = _districts()
    today = clock.today()
    items: dict[int, list] = {}
    templates: dict[int, ChecklistTemplate] = {}
    for sector_id in {v.sector_id for v in venues}:
        template = template_for(sector_id, date(2024, 1, 1))
        if template is None:
            continue
        templates[sector_id] = template
        items[sector_id] = [(i.code, list(i.proposes)) for i in template.items]
    catalogue = list(db.session.scalars(select(LegalViolation).order_by(LegalViolation.code)))
    planned = plan(venues, districts, items, catalogue)
    existing = set(
        db.session.scalars(
            select(Inspection.client_key).where(Inspection.client_key.like(f"{KEY_PREFIX}%"))
        )
    )
    by_reg = {v.registration_no: v for v in venues}
    legal = {lv.code: lv for lv in catalogue}
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    fallback_rng = random.Random(DEMO_SEED + 1)  # noqa: S311
    fallback = [(_person(fallback_rng), code) for code, _s in TEAM_AGENCIES]
    creator = db.session.scalar(select(User).where(User.username == "admin"))
    item_ids = {t.id: {i.code: i.id for i in t.items} for t in templates.values()}
    batch = []
    for p in planned:
        if p.key in existing or p.at.date() >= today:
            continue
        venue = by_reg[p.registration_no]
        template = templates.get(venue.sector_id)
        if template is None:
            continue
        team = teams.get(venue.district_id) if venue.district_id is not None else None
        batch.append(
            _build(
                p, venue, team, template, item_ids[template.id], legal, agencies, fallback, creator
            )
        )
    # One flush (batched INSERTs), then every distance in one UPDATE run by the database.
    db.session.add_all(batch)
    db.session.flush()
    _measure_distances()
    _link_agencies()
    return changed + len(batch)


def _build(p, venue, team, template, item_ids, legal, agencies, fallback, creator) -> Inspection:
    at_utc = p.at.astimezone(UTC)
    members = []
    people = (
        [(m.user.full_name, m.user.agency.code, m.user_id, m.is_lead) for m in team.memberships]
        if team and len(team.memberships) >= 3
        else [(name, code, None, i == 0) for i, (name, code) in enumerate(fallback)]
    )
    for i, (name, code, user_id, lead) in enumerate(people):
        members.append(
            InspectionMember(
                full_name=name,
                agency_id=agencies[code].id,
                user_id=user_id,
                is_lead=lead,
                sort_order=i,
            )
        )
    inspection = Inspection(
        venue_id=venue.id,
        venue=venue,
        team_id=team.id if team else None,
        status=p.status,
        inspected_at=at_utc,
        inspected_on=p.at.date(),
        submitted_at=at_utc + timedelta(minutes=50) if p.status != "draft" else None,
        created_by_id=(members[0].user_id if members and members[0].user_id else None)
        or (creator.id if creator else None),
        client_key=p.key,
        checklist_template_id=template.id,
        members=members,
        answers=[
            InspectionAnswer(item_id=item_ids[code], answer=answer) for code, answer in p.answers
        ],
        presence=p.presence,
        presence_reason=p.reason,
        representative_name="Chủ cơ sở",
        cancelled_at=at_utc + timedelta(hours=2) if p.status == "cancelled" else None,
        cancel_reason=p.cancel_reason,
    )
    if p.presence != "no_gps":
        lat, lon = _offset(venue, p.offset_m, p.bearing)
        inspection.start_latitude, inspection.start_longitude = lat, lon
        inspection.start_accuracy_m, inspection.start_fix_at = round(p.accuracy_m, 1), at_utc
    for i, v in enumerate(p.violations):
        entry = ViolationEntry(
            legal=legal[v["code"]],
            offender_type=v["offender"],
            offender_name=None,
            fine_vnd=v["fine_vnd"],
            measures=v["measures"],
            remedy=v["remedy"],
            remedy_deadline=v["remedy_deadline"],
            item_id=item_ids.get(v["item"]),
        )
        add_violation(inspection, entry, i)
    return inspection


def _offset(venue: Venue, metres: float, bearing: float) -> tuple[float, float]:
    import math

    from geoalchemy2.shape import to_shape

    pt = to_shape(venue.location)
    dlat = metres * math.cos(math.radians(bearing)) / 111_320
    dlon = metres * math.sin(math.radians(bearing)) / (111_320 * math.cos(math.radians(pt.y)))
    return round(pt.y + dlat, 6), round(pt.x + dlon, 6)


def _measure_distances() -> None:
    """start_distance_m of demo inspections, computed by the database in one statement."""
    point = func.ST_GeomFromText(
        literal("POINT(")
        + cast(Inspection.start_longitude, String)
        + literal(" ")
        + cast(Inspection.start_latitude, String)
        + literal(")"),
        4326,
    )
    distance = (
        select(distance_m(Venue.location, point))
        .where(Venue.id == Inspection.venue_id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Inspection)
        .where(
            Inspection.client_key.like(f"{KEY_PREFIX}%"),
            Inspection.start_latitude.is_not(None),
            Inspection.start_distance_m.is_(None),
        )
        .values(start_distance_m=distance)
        .execution_options(synchronize_session=False)
    )


def _link_agencies() -> None:
    """inspection_agency from the members, for demo inspections that have none yet."""
    rows = db.session.execute(
        select(InspectionMember.inspection_id, InspectionMember.agency_id)
        .join(Inspection, Inspection.id == InspectionMember.inspection_id)
        .where(Inspection.client_key.like(f"{KEY_PREFIX}%"))
        .where(
            ~select(inspection_agency.c.inspection_id)
            .where(inspection_agency.c.inspection_id == Inspection.id)
            .exists()
        )
        .distinct()
    ).all()
    if rows:
        db.session.execute(
            inspection_agency.insert(),
            [{"inspection_id": row.inspection_id, "agency_id": row.agency_id} for row in rows],
        )
