"""Demo accounts: an administrator and one account per role, for trying the app."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from ..errors import Invalid
from ..extensions import db
from .models import User
from .services import check_password_rules, create_user

DEMO_USERS = [
    # username, role, agency, area, full name. December 2026: the province is Lâm Đồng (68,
    # Bình Thuận merged into it on 1 July 2025) and the standing agency the Department of
    # Health (since March 2025); the district team's inspector and viewer keep the former
    # district of Phan Thiết, as the demo's teams do.
    ("admin", "admin", "health", "68", "Quản trị hệ thống"),
    ("dieuphoi", "coordinator", "health", "68", "Nguyễn Thị Điều Phối"),
    ("kiemtra", "inspector", "labour", "593", "Trần Văn Kiểm Tra"),
    ("congan", "reviewer", "police", "68", "Lê Minh Công An"),
    ("vanhoa", "reviewer", "culture", "68", "Phạm Thu Văn Hóa"),
    ("xem", "viewer", "district_committee", "593", "Võ Văn Xem"),
]


def new_demo_password() -> str:
    """A random password every demo account accepts (none of their names inside it)."""

    while True:
        candidate = secrets.token_urlsafe(9)
        try:
            for username, *_rest in DEMO_USERS:
                check_password_rules(candidate, username)
        except Invalid:
            continue
        if not any(u in candidate.lower() for u in ("kt5", "kt6")):  # district inspectors
            return candidate


def ensure_demo_accounts(password: str) -> int:
    """Create the demo accounts that do not exist yet, all with one password."""
    created = 0
    for username, role, agency, area, name in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        create_user(
            username=username,
            password=password,
            role=role,
            agency_code=agency,
            area_code=area,
            full_name=name,
        )
        created += 1
    return created
