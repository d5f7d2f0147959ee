"""The rounds tests' world: two teams and a few venues of Phan Thiết and La Gi."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspections import clock
from inspections.accounts.services import save_team
from tests.conftest import phan_thiet_team
from tests.coverage.test_rule import point_in


@pytest.fixture
def world(create_venue):
    """Team 593 (t_insp, t_insp_pt), team 594 (t_insp_lagi); venues A, B, C in 593 (C closed
    a year ago), L in 594; today's month as the round's period."""
    lat, lon = point_in("593")
    lat2, lon2 = point_in("594")
    today = clock.today()
    team = phan_thiet_team()
    lagi = save_team(
        None,
        name="Đoàn La Gi",
        lead_agency_code="labour",
        active_from=date(2024, 1, 1),
        member_usernames=["t_insp_lagi"],
        lead_username="t_insp_lagi",
        area_codes=["594"],
    )
    v = {
        "A": create_venue(name="Karaoke A", lat=lat, lon=lon),
        "B": create_venue(name="Massage B", lat=lat + 0.01, lon=lon, sector="massage"),
        "C": create_venue(
            name="Karaoke C",
            lat=lat,
            lon=lon + 0.01,
            status="closed",
            closed_on=today - timedelta(days=365),
        ),
        "L": create_venue(name="Karaoke L", lat=lat2, lon=lon2),
    }
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {"team": team, "lagi": lagi, "v": v, "start": start, "end": end, "today": today}
