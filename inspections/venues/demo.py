"""A deterministic demo registry: about 1,200 plausible venues spread over the communes."""

from __future__ import annotations

import random
from datetime import date, timedelta

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from ..areas.models import Area
from ..areas.services import assign_venue_areas
from ..clock import today as local_today
from ..extensions import db
from ..spatial import point
from ..text import search_fold
from .models import Sector, Venue, VenueLicence

DEMO_SEED = 1227  # the plan's number; any fixed value keeps the demo identical everywhere
DEMO_PREFIX = "DEMO-"
TARGET_VENUES = 1200

SECTOR_WEIGHTS = {
    "karaoke": 30,
    "lodging": 26,
    "massage": 11,
    "hair_wash": 12,
    "bar": 8,
    "spa_sauna": 8,
    "dance_hall": 3,
}
PREFIXES = {
    "karaoke": ["Karaoke", "Karaoke", "Karaoke Family", "Karaoke VIP"],
    "dance_hall": ["Vũ trường", "Club"],
    "massage": ["Massage", "Massage - Xông hơi", "Tẩm quất"],
    "lodging": ["Nhà nghỉ", "Nhà nghỉ", "Khách sạn", "Nhà trọ", "Homestay", "Resort"],
    "bar": ["Bar", "Pub", "Beer club"],
    "spa_sauna": ["Spa", "Spa & Sauna", "Xông hơi"],
    "hair_wash": ["Gội đầu thư giãn", "Hớt tóc", "Salon tóc"],
}
NAMES = [
    "Hoàng Gia",
    "Thanh Bình",
    "Ngọc Lan",
    "Sóng Biển",
    "Hoa Sen",
    "Mỹ Linh",
    "Hải Âu",
    "Biển Xanh",
    "Mũi Né",
    "Đồi Cát",
    "Phú Quý",
    "Thiên Đường",
    "Bình Minh",
    "Hoàng Hôn",
    "Sao Mai",
    "Ánh Dương",
    "Trúc Xanh",
    "Hồng Nhung",
    "Kim Ngân",
    "Phương Nam",
    "Đông Hải",
    "Tây Sơn",
    "Lạc Việt",
    "Hương Dừa",
    "Thùy Dương",
    "Cát Vàng",
    "Long Hải",
    "Thanh Long",
    "Hải Đăng",
    "Vạn Phát",
    "An Khang",
    "Phát Đạt",
    "Minh Châu",
    "Bảo Ngọc",
    "Như Ý",
    "Tuấn Anh",
    "Hạnh Phúc",
    "Tình Xưa",
    "Giai Điệu",
    "Paris",
    "Sài Gòn",
    "Hà Nội",
    "Ocean",
    "Sunrise",
    "Golden",
    "Diamond",
    "Lotus",
    "Star",
    "Moonlight",
    "Paradise",
    "Royal",
    "Venus",
    "Queen",
    "Galaxy",
    "Happy",
    "Melody",
]
STREETS = [
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Lê Lợi",
    "Hai Bà Trưng",
    "Nguyễn Đình Chiểu",
    "Võ Thị Sáu",
    "Tôn Đức Thắng",
    "Thủ Khoa Huân",
    "Nguyễn Tất Thành",
    "Trần Phú",
    "Lý Thường Kiệt",
    "Ngô Quyền",
    "Phạm Văn Đồng",
    "Huỳnh Thúc Kháng",
    "Lê Duẩn",
    "Quốc lộ 1A",
    "ĐT 706B",
    "Nguyễn Văn Linh",
    "Hùng Vương",
    "Lê Hồng Phong",
]
URBAN_TYPES = {"Phường", "Thị trấn"}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Huỳnh", "Phan"]
GIVEN = ["Văn Hùng", "Thị Lan", "Minh Tuấn", "Thị Hoa", "Văn Nam", "Thị Thu", "Quốc Bảo",
         "Thị Mai", "Đức Anh", "Thị Hằng", "Văn Tài", "Ngọc Ánh"]  # fmt: skip
# Licences each sector usually holds (Decree 54/2019 permits, fire safety, food safety).
SECTOR_LICENCES = {
    "karaoke": ("karaoke_dance", "fire_safety"),
    "dance_hall": ("karaoke_dance", "fire_safety", "alcohol"),
    "bar": ("alcohol", "food_safety"),
    "lodging": ("lodging", "fire_safety"),
    "massage": ("fire_safety",),
    "spa_sauna": ("fire_safety",),
    "hair_wash": (),
}
CAPACITY = {"karaoke": (3, 20), "dance_hall": (1, 4), "massage": (4, 20), "lodging": (5, 60),
            "bar": (20, 120), "spa_sauna": (4, 16), "hair_wash": (3, 10)}  # fmt: skip


def _choose_sector(rng: random.Random) -> str:
    codes = list(SECTOR_WEIGHTS)
    return rng.choices(codes, weights=[SECTOR_WEIGHTS[c] for c in codes])[0]


def _place(rng: random.Random, commune: Area, cell: BaseGeometry | None) -> tuple[float, float]:
    """A point near the commune seat, inside its (demo or official) cell when there is one."""
    seat_lat, seat_lon = commune.ref_lat, commune.ref_lon
    if seat_lat is None or seat_lon is None:  # load_demo_venues reads communes with a seat
        raise ValueError(f"{commune} has no seat to place demo venues around")
    for _ in range(40):
        lat = seat_lat + rng.gauss(0, 0.008)
        lon = seat_lon + rng.gauss(0, 0.008)
        if cell is None or cell.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)
    return seat_lat, seat_lon


def plan(communes: list[Area], target: int = TARGET_VENUES) -> list[dict]:
    """The demo venues as plain dicts, identical on every run (no database access)."""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not secrets
    weights = [6 if c.unit_type in URBAN_TYPES else 1.6 for c in communes]
    total_w = sum(weights)
    counts = [max(1, round(target * w / total_w)) for w in weights]
    cells = {c.id: (to_shape(c.geom) if c.geom is not None else None) for c in communes}
    venues: list[dict] = []
    n = 0
    for commune, count in zip(communes, counts, strict=True):
        for _ in range(count):
            n += 1
            sector = _choose_sector(rng)
            name = f"{rng.choice(PREFIXES[sector])} {rng.choice(NAMES)}"
            lat, lon = _place(rng, commune, cells[commune.id])
            opened = date(2008, 1, 1) + timedelta(days=rng.randrange(0, 17 * 365))
            status, closed = "operating", None
            roll = rng.random()
            if roll < 0.06:
                status = "closed"
                closed = min(opened + timedelta(days=rng.randrange(200, 3000)), date(2026, 9, 30))
            elif roll < 0.09:
                status = "suspended"
            venues.append(
                {
                    "registration_no": f"{DEMO_PREFIX}{n:05d}",
                    "name": name,
                    "sector": sector,
                    "address": f"{rng.randrange(1, 450)} {rng.choice(STREETS)}, {commune.name}",
                    "lat": lat,
                    "lon": lon,
                    "status": status,
                    "opened_on": opened,
                    "closed_on": closed,
                }
            )
    return venues


def papers(rec: dict, today: date) -> dict:
    """Owner, size, security certificate and licences of a demo venue (the same each day;
    expiry dates move with today so the "licence expiring" list always has a few)."""
    rng = random.Random(f"{DEMO_SEED}-{rec['registration_no']}")  # noqa: S311 - demo data
    serial = int(rec["registration_no"].removeprefix(DEMO_PREFIX))  # unique numbers
    low, high = CAPACITY[rec["sector"]]
    out: dict = {
        "owner_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
        "owner_phone": f"09{rng.randrange(10**7, 10**8)}",
        "capacity": rng.randrange(low, high + 1),
        "licences": [],
    }
    if rng.random() < 0.8:
        issued = max(rec["opened_on"], date(2017, 1, 1)) + timedelta(days=rng.randrange(0, 200))
        out["security_cert_no"] = f"{serial:04d}/GCN-ANTT"
        out["security_cert_on"] = min(issued, today)
    for n, kind in enumerate(SECTOR_LICENCES[rec["sector"]]):
        if rng.random() < 0.75:
            expires = today + timedelta(days=rng.randrange(-90, 4 * 365))
            out["licences"].append(
                VenueLicence(
                    kind=kind,
                    number=f"{serial:04d}/GP-{n + 1}",
                    issued_on=expires - timedelta(days=5 * 365),
                    expires_on=expires,
                )
            )
    return out


def load_demo_venues() -> int:
    """Insert the demo venues that are not there yet; returns how many were created."""
    communes = list(
        db.session.scalars(
            select(Area)
            .where(Area.level == "commune", Area.ref_lat.is_not(None))
            .options(undefer(Area.geom))
            .order_by(Area.code)
        )
    )
    existing = set(
        db.session.scalars(
            select(Venue.registration_no).where(Venue.registration_no.like(f"{DEMO_PREFIX}%"))
        )
    )
    sectors = {s.code: s.id for s in db.session.scalars(select(Sector))}
    today = local_today()
    new = []
    for rec in plan(communes):
        if rec["registration_no"] in existing:
            continue
        venue = Venue(
            name=rec["name"],
            search_text=search_fold(f"{rec['name']} {rec['address']}"),
            sector_id=sectors[rec["sector"]],
            address=rec["address"],
            registration_no=rec["registration_no"],
            location=point(rec["lat"], rec["lon"]),
            status=rec["status"],
            opened_on=rec["opened_on"],
            closed_on=rec["closed_on"],
            **papers(rec, today),
        )
        db.session.add(venue)
        new.append(venue)
    db.session.flush()
    new_ids = [v.id for v in new]
    if new_ids:
        assign_venue_areas(new_ids)
    return len(new_ids)


def demo_count() -> int:
    """How many demo venues exist (for messages)."""
    return db.session.execute(
        select(func.count()).select_from(Venue).where(Venue.registration_no.like(f"{DEMO_PREFIX}%"))
    ).scalar_one()
