"""Accounts scoped to today's units: an account of today's Phường Mũi Né (22918) sees exactly
the venues whose today's unit is Mũi Né, whatever their former commune; an account of the
former district of Phan Thiết (593) sees the same venues as before the reorganisation.

Venues at the seats of former communes:
  H Hàm Tiến (22918 before)  → Phường Mũi Né (22918), district 593
  M Mũi Né (22915)           → Phường Mũi Né,          district 593
  T Thiện Nghiệp (22957)     → Phường Mũi Né,          district 593
  P Phú Thủy (22936)         → another of today's wards, district 593
  L Tân An (23235, La Gi)    → Phường La Gi,           district 594
"""

from __future__ import annotations

from datetime import date

import pytest

from inspections.accounts.scope import Scope, scope_of
from inspections.accounts.services import create_user, save_team, team_clause_in, update_user
from inspections.areas.services import get_area
from inspections.coverage import periods, rule
from inspections.extensions import db
from tests.conftest import TEST_PASSWORD, login, user
from tests.violations.conftest import record_violation  # noqa: F401

BEFORE = date(2025, 6, 30)


@pytest.fixture
def venues(create_venue, create_inspection, record_violation):  # noqa: F811
    def at(name: str, code: str):
        seat = get_area(code, as_of=BEFORE)
        return create_venue(name=name, lat=seat.ref_lat, lon=seat.ref_lon)

    v = {
        "H": at("Venue H", "22918"),
        "M": at("Venue M", "22915"),
        "T": at("Venue T", "22957"),
        "P": at("Venue P", "22936"),
        "L": at("Venue L", "23235"),
    }
    assert {k for k, x in v.items() if x.commune_2025.code == "22918"} == {"H", "M", "T"}
    assert {k for k, x in v.items() if x.district.code == "593"} == {"H", "M", "T", "P"}
    for key in v:
        record_violation(v[key], date(2026, 3, 2))
    create_inspection(v["M"], on=date(2026, 4, 1))
    return v


def _account(username: str, area: str | None):
    u = create_user(
        username=username,
        password=TEST_PASSWORD,
        role="coordinator",
        agency_code="police",
        area_code=area,
        full_name=f"Test {username}",
    )
    db.session.flush()
    return u


def _names(rows) -> set[str]:
    return {r["name"] if isinstance(r, dict) else r for r in rows}


def test_a_todays_commune_scope_reads_the_venues_unit_on_todays_map(venues):
    mui_ne = _account("mui.ne", "22918")
    assert mui_ne.home_area.valid_from == date(2025, 7, 1)
    scope = scope_of(mui_ne)
    assert scope == Scope.of(mui_ne.home_area) and scope.column_name == "commune_2025_id"
    assert not scope.on_former_map
    assert {k for k, v in venues.items() if scope.allows_venue(v)} == {"H", "M", "T"}
    former = scope_of(user("t_coord_pt"))
    assert former.column_name == "district_id" and former.on_former_map
    assert {k for k, v in venues.items() if former.allows_venue(v)} == {"H", "M", "T", "P"}
    # province 68 sees everything, as province 60 did
    assert _account("lam.dong", "68").home_area.code == "68"
    assert scope_of(user("lam.dong")).everything


def test_venue_list_api_coverage_and_register_of_a_todays_commune(venues, client):
    _account("mui.ne", "22918")
    expected = {"Venue H", "Venue M", "Venue T"}
    for username, want in (
        ("mui.ne", expected),
        ("t_coord_pt", expected | {"Venue P"}),  # the former district: as before
    ):
        login(client, username)
        api = client.get("/api/v1/venues?per_page=100").json
        assert _names(api) == want, username
        page = client.get("/venues").get_data(as_text=True)
        assert all(name in page for name in want) and "Venue L" not in page
        register = client.get("/api/v1/violations").json
        assert {r["venue_name"] for r in register} == want, username
        cov = client.get("/api/v1/coverage?period=2026&level=commune").json
        assert cov["totals"]["venues_in_scope"] == len(want), username
        listed = client.get(f"/api/v1/coverage/venues?period=2026&area={cov['totals']['code']}")
        assert listed.status_code == 200 and _names(listed.json["venues"]) == want, username
    # the Mũi Né account's figures are its unit's
    login(client, "mui.ne")
    cov = client.get("/api/v1/coverage?period=2026").json
    assert (cov["totals"]["code"], cov["totals"]["name"]) == ("22918", "Phường Mũi Né")
    assert [r["code"] for r in cov["rows"]] == ["22918"]
    assert (cov["totals"]["venues_in_scope"], cov["totals"]["venues_inspected"]) == (3, 3)
    # and by the former map it sees the former communes its venues lay in
    old = client.get("/api/v1/coverage?period=2026&level=commune&as_of=2025-06-30").json
    assert {r["code"] for r in old["rows"] if r["venues_in_scope"]} == {"22915", "22918", "22957"}
    assert old["totals"]["venues_in_scope"] == 3
    # another unit's venue is out of reach
    assert client.get(f"/api/v1/venues/{venues['P'].id}").status_code == 404


def test_the_figures_of_a_todays_commune_equal_its_accounts(venues):
    period = periods.parse_key("2026")
    unit = get_area("22918")
    mine = rule.coverage(period, "commune", scope=Scope.of(unit))
    everything = rule.coverage(period, "commune", scope=Scope())
    row = next(r for r in everything.rows if r.code == "22918")
    assert (mine.totals.in_scope, mine.totals.inspected) == (row.in_scope, row.inspected) == (3, 3)


def test_teams_of_a_todays_commune(venues):
    mui_ne = _account("mui.ne", "22918")
    scope = scope_of(mui_ne)
    team = save_team(
        None,
        name="Tổ Mũi Né",
        lead_agency_code="police",
        active_from=date(2026, 1, 1),
        area_codes=["22918"],
        scope=scope,
    )
    db.session.flush()
    assert team.areas[0].valid_from == date(2025, 7, 1)
    from inspections.accounts.models import Team

    inside = set(db.session.scalars(db.select(Team.id).where(team_clause_in(scope))))
    assert team.id in inside


def test_re_scoping_keeps_a_former_commune_until_another_unit_is_chosen(venues):
    # an account of the former Phường Hàm Tiến (22918 until 30/06/2025)
    ham_tien = get_area("22918", as_of=BEFORE)
    u = _account("ham.tien", None)
    u.home_area_id = ham_tien.id
    db.session.flush()
    db.session.refresh(u)
    assert scope_of(u).column_name == "commune_id"
    assert {k for k, v in venues.items() if scope_of(u).allows_venue(v)} == {"H"}
    # saving the form with the same code keeps the former commune
    update_user(
        u,
        full_name=u.full_name,
        role=u.role,
        agency_code="police",
        area_code="22918",
        phone=None,
        active=True,
    )
    assert u.home_area_id == ham_tien.id


def test_the_admin_lists_accounts_to_re_scope(venues, client):
    _account("mui.ne", "22918")
    login(client, "t_admin")
    html = client.get("/admin/users?former=1").get_data(as_text=True)
    # t_insp, t_insp_pt, t_insp_lagi, t_viewer, t_coord_pt: homes on the former map
    for name in ("t_insp", "t_insp_lagi", "t_viewer", "t_coord_pt"):
        assert f">{name}</a>" in html
    assert ">mui.ne</a>" not in html and ">t_admin</a>" not in html
    assert "5 accounts are scoped to units of the map before 1/7/2025" in html


def test_the_offline_pack_of_a_team_of_todays_commune(venues, client):
    """An inspector of a team covering today's Phường Mũi Né carries exactly its venues."""
    u = create_user(
        username="insp.mui.ne",
        password=TEST_PASSWORD,
        role="inspector",
        agency_code="police",
        area_code="22918",
        full_name="Kiểm tra Mũi Né",
    )
    save_team(
        None,
        name="Tổ Mũi Né",
        lead_agency_code="police",
        active_from=date(2026, 1, 1),
        member_usernames=[u.username],
        lead_username=u.username,
        area_codes=["22918"],
    )
    db.session.flush()
    login(client, u.username)
    pack = client.get("/api/v1/offline/pack").json
    assert {v["name"] for v in pack["venues"]} == {"Venue H", "Venue M", "Venue T"}
    assert [a["code"] for a in pack["areas"]] == ["22918"]
