"""At 23:30 UTC on 1 December the province (Asia/Ho_Chi_Minh, UTC+7) is already on
2 December: the pages that default to or compare with "today" use the province's day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from inspections import clock
from inspections.accounts.services import save_team
from tests.visits.conftest import VENUE_LAT, VENUE_LON

LATE_EVENING_UTC = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
PROVINCE_DAY = date(2026, 12, 2)


@pytest.fixture
def late_evening(monkeypatch):
    """Freeze the app's clock at 23:30 UTC on 01/12/2026 (06:30 on 02/12 in the province)."""
    monkeypatch.setattr(clock, "utcnow", lambda: LATE_EVENING_UTC)
    assert clock.today() == PROVINCE_DAY
    return LATE_EVENING_UTC


def test_the_violation_page_defaults_to_the_provinces_day(
    late_evening, as_user, client, create_venue, record_violation
):
    venue = create_venue()
    v = record_violation(
        venue, date(2026, 11, 20), remedy="Tháo chốt cửa", deadline=date(2026, 12, 1)
    )
    as_user("t_review")
    html = client.get(f"/violations/{v.id}").get_data(as_text=True)
    # the follow-up and payment forms start on 02/12/2026, and a follow-up may be dated then
    assert 'name="on" value="2026-12-02" max="2026-12-02"' in html
    assert 'name="paid_on" value="2026-12-02"' in html
    # a remedy due on 01/12 is overdue on the province's 02/12 (not yet by the UTC date)
    register = client.get("/violations").get_data(as_text=True)
    assert '<span class="badge text-bg-danger">Overdue</span>' in register


def test_the_inspection_form_uses_the_provinces_day(late_evening, as_user, client, create_venue):
    venue = create_venue(name="Karaoke Nửa Đêm", lat=VENUE_LAT, lon=VENUE_LON)
    # a team whose decision takes effect on 02/12/2026 is offered on the new-inspection form
    save_team(
        None,
        name="Đoàn ra quân 2/12",
        lead_agency_code="labour",
        active_from=PROVINCE_DAY,
        member_usernames=["t_insp", "t_insp_pt"],
        lead_username="t_insp",
        area_codes=["593"],
    )
    as_user("t_insp")
    html = client.get(f"/inspections/new?venue={venue.id}").get_data(as_text=True)
    assert "Đoàn ra quân 2/12" in html
