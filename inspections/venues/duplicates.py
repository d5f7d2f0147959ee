"""Possible duplicates in the registry, for a coordinator to merge or dismiss.

Two venues are listed together when they share a registration number, a certificate or
licence number with the same date (such numbers restart every year), or when they stand
within 50 m of each other with the same or a very similar name.

"Very similar" is a trigram score computed the same way on every database (in Python, on
the few pairs the database already found within 50 m): both names are folded (no accents,
lower case), the words every venue of a sector carries ("karaoke", "nhà nghỉ", "massage"...)
are dropped, and the score is the Dice coefficient of the two sets of three-letter pieces,
2·|A∩B| / (|A|+|B|). "Hoàng Gia" and "Hoang Gia 2" score 0.91, "Hoàng Gia" and
"Hoàng Hôn" 0.67, "Hoàng Gia" and "Sóng Biển" 0.1. Pairs scoring at least SIMILAR (0.75)
are listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import aliased

from ..accounts.services import Scope
from ..extensions import db
from ..spatial import distance_m, within_m
from ..uow import transactional
from .models import Venue, VenueDistinctPair, VenueLicence, name_key

RADIUS_M = 50
SIMILAR = 0.75
# 50 m is under 0.0006° of latitude, and of longitude anywhere in Vietnam: a cheap box test
# that lets SQLite skip most pairs before the exact distance (PostGIS uses its index anyway).
BOX_DEG = 0.0006
GENERIC_WORDS = {
    "karaoke", "family", "vip", "vu", "truong", "club", "massage", "xong", "hoi", "tam",
    "quat", "nha", "nghi", "khach", "san", "tro", "homestay", "resort", "hotel", "motel",
    "bar", "pub", "beer", "spa", "sauna", "goi", "dau", "thu", "gian", "hot", "toc", "salon",
    "co", "so", "quan", "dich", "kinh", "doanh", "cafe", "ca", "phe", "and",
}  # fmt: skip


def _core(name: str) -> str:
    words = [w for w in name_key(name).split() if w not in GENERIC_WORDS]
    return " ".join(words) or name_key(name)


def trigrams(text: str) -> set[str]:
    """Three-letter pieces of each word padded with spaces (as PostgreSQL's pg_trgm does)."""
    grams: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the trigrams of two names without their sector words (0–1)."""
    ta, tb = trigrams(_core(a)), trigrams(_core(b))
    if not ta or not tb:
        return 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


@dataclass
class Pair:
    """Two venues that may be one, and why."""

    a: Venue
    b: Venue
    reasons: list[str]
    distance_m: float | None
    score: float


def find_pairs(scope: Scope, limit: int = 200) -> list[Pair]:
    """Possible duplicate pairs inside the scope, strongest evidence first."""
    a, b = aliased(Venue), aliased(Venue)
    live = [
        a.merged_into_id.is_(None),
        b.merged_into_id.is_(None),
        a.id < b.id,
        scope.venues(a),
        scope.venues(b),
    ]
    found: dict[tuple[int, int], dict] = {}

    def note(low: int, high: int, reason: str, dist=None, score=None):
        entry = found.setdefault((low, high), {"reasons": [], "dist": None, "score": 0.0})
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)
        if dist is not None:
            entry["dist"] = dist
        if score is not None:
            entry["score"] = max(entry["score"], score)

    # Certificate and licence numbers restart every year at many offices ("45/GCN"): they
    # only count as the same paper when the dates do not differ.
    same_day = or_(
        a.security_cert_on.is_(None), b.security_cert_on.is_(None),
        a.security_cert_on == b.security_cert_on,
    )  # fmt: skip
    for col, label, extra in (
        (Venue.registration_no, "registration", true()),
        (Venue.security_cert_no, "certificate", same_day),
    ):
        ca, cb = getattr(a, col.key), getattr(b, col.key)
        for row in db.session.execute(
            select(a.id.label("low"), b.id.label("high"))
            .where(*live, ca.is_not(None), ca != "", func.upper(ca) == func.upper(cb), extra)
            .limit(limit * 4)
        ):
            note(row.low, row.high, label)
    la, lb = aliased(VenueLicence), aliased(VenueLicence)
    for row in db.session.execute(
        select(a.id.label("low"), b.id.label("high"))
        .select_from(la)
        .join(
            lb,
            and_(
                lb.number == la.number,
                lb.kind == la.kind,
                lb.venue_id > la.venue_id,
                or_(la.issued_on.is_(None), lb.issued_on.is_(None), la.issued_on == lb.issued_on),
            ),
        )
        .join(a, a.id == la.venue_id)
        .join(b, b.id == lb.venue_id)
        .where(*live)
        .distinct()
        .limit(limit * 4)
    ):
        note(row.low, row.high, "licence")
    near = (
        select(
            a.id.label("low"),
            b.id.label("high"),
            a.name.label("name_a"),
            b.name.label("name_b"),
            distance_m(a.location, b.location).label("dist"),
        )
        .where(
            *live,
            func.abs(func.ST_X(a.location) - func.ST_X(b.location)) < BOX_DEG,
            func.abs(func.ST_Y(a.location) - func.ST_Y(b.location)) < BOX_DEG,
            within_m(a.location, b.location, RADIUS_M),
        )
        .limit(limit * 20)
    )
    for row in db.session.execute(near):
        same = name_key(row.name_a) == name_key(row.name_b)
        score = 1.0 if same else similarity(row.name_a, row.name_b)
        if score >= SIMILAR:
            note(row.low, row.high, "name", float(row.dist), score)
    if not found:
        return []
    dismissed = {
        (row.low_id, row.high_id)
        for row in db.session.execute(
            select(VenueDistinctPair.low_id, VenueDistinctPair.high_id).where(
                or_(
                    *[
                        and_(VenueDistinctPair.low_id == lo, VenueDistinctPair.high_id == hi)
                        for lo, hi in list(found)[:500]
                    ]
                )
            )
        )
    }
    keys = [k for k in found if k not in dismissed]
    ids = {i for k in keys for i in k}
    venues = {v.id: v for v in db.session.scalars(select(Venue).where(Venue.id.in_(ids)))}
    pairs = [
        Pair(
            venues[lo],
            venues[hi],
            found[(lo, hi)]["reasons"],
            found[(lo, hi)]["dist"],
            found[(lo, hi)]["score"],
        )
        for lo, hi in keys
    ]
    pairs.sort(key=lambda p: (-len(p.reasons), -p.score, p.a.id))
    return pairs[:limit]


@transactional
def inspection_counts(pairs: list[Pair]) -> dict[int, int]:
    """How many inspections each venue of these pairs has (what a merge would move)."""
    from ..visits.models import Inspection

    ids = {v.id for p in pairs for v in (p.a, p.b)} or {0}
    rows = db.session.execute(
        select(Inspection.venue_id, func.count().label("n"))
        .where(Inspection.venue_id.in_(ids))
        .group_by(Inspection.venue_id)
    )
    return {row.venue_id: row.n for row in rows}


def dismiss(a: Venue, b: Venue, user=None) -> None:
    """Record that two venues are distinct, so the pair is no longer listed."""
    low, high = sorted((a.id, b.id))
    exists = db.session.scalar(
        select(VenueDistinctPair.id).where(
            VenueDistinctPair.low_id == low, VenueDistinctPair.high_id == high
        )
    )
    if not exists:
        db.session.add(
            VenueDistinctPair(low_id=low, high_id=high, decided_by_id=getattr(user, "id", None))
        )
        db.session.flush()
