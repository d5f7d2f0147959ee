"""Fixtures for inspections: a team in district 593, a venue, a complete inspection document."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from inspections.extensions import db
from inspections.visits.models import ChecklistTemplate
from tests.conftest import login, phan_thiet_team

VN = ZoneInfo("Asia/Ho_Chi_Minh")
VENUE_LAT, VENUE_LON = 10.9290, 108.1020
KARAOKE_ITEMS = [f"KAR-{i:02d}" for i in range(1, 11)]
# The demo data stop at "today": tests of it freeze the clock on this day, so they are the
# same whatever day they run on (06:00 on 15/10/2026 in the province).
DEMO_DAY = datetime(2026, 10, 14, 23, 0, tzinfo=UTC)


def png_data_url(size=(240, 90)) -> str:
    """A small drawn signature as a PNG data URL."""
    img = Image.new("RGBA", size, (255, 255, 255, 0))
    for x in range(20, 200):
        img.putpixel((x, 40 + (x % 17)), (10, 30, 60, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def jpeg_bytes(size=(800, 600), color=(180, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=80)
    return out.getvalue()


def iso(at: datetime) -> str:
    return at.astimezone(VN).isoformat()


def recent(hours: float = 1) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


@pytest.fixture
def team(app):
    """Đoàn 593 with t_insp (lead) and t_insp_pt, active since 2024, covering 593."""
    return phan_thiet_team()


@pytest.fixture
def venue(create_venue):
    return create_venue(
        name="Karaoke Hoàng Gia", lat=VENUE_LAT, lon=VENUE_LON, opened_on=date(2020, 1, 1)
    )


@pytest.fixture
def make_doc(team, venue):
    """make_doc(**overrides): a complete, submittable inspection body for the venue."""

    def _doc(**over):
        body = {
            "venue_id": venue.id,
            "inspected_at": iso(recent()),
            "team_id": team.id,
            "members": [
                {"user_id": team.memberships[0].user_id, "lead": True},
                {"user_id": team.memberships[1].user_id},
                {"name": "Phạm Thu Hà", "agency": "culture"},
            ],
            "agencies": ["district_committee"],
            "location": {"latitude": VENUE_LAT + 0.0002, "longitude": VENUE_LON, "accuracy_m": 12},
            "checklist": [{"item": code, "answer": "compliant"} for code in KARAOKE_ITEMS],
            "violations": [],
            "representative": {"name": "Nguyễn Văn Chủ", "role": "Chủ cơ sở"},
            "signatures": [
                {"role": "lead", "image": png_data_url()},
                {
                    "role": "representative",
                    "refused": True,
                    "refusal_reason": "Không ký, 2 người chứng kiến",
                },
            ],
            "status": "draft",
        }
        body.update(over)
        return body

    return _doc


@pytest.fixture
def api(client, as_user):
    """api(method, url, json=..., key=..., user="t_insp") with the session cookie and CSRF."""
    from tests.conftest import csrf_token

    state = {"user": None, "token": None}

    def _call(method, url, json=None, key=None, user="t_insp", **kw):
        if state["user"] != user:
            login(client, user)
            state["user"], state["token"] = user, csrf_token(client, "/")
        headers = {"X-CSRFToken": state["token"], **kw.pop("headers", {})}
        if key:
            headers["Idempotency-Key"] = key
        return client.open(url, method=method, json=json, headers=headers, **kw)

    return _call


def new_key() -> str:
    return str(uuid.uuid4())


def template_version(sector_code="karaoke") -> ChecklistTemplate:
    from inspections.venues.models import Sector

    return db.session.scalar(
        db.select(ChecklistTemplate)
        .join(Sector)
        .where(Sector.code == sector_code)
        .order_by(ChecklistTemplate.version.desc())
    )
