"""Saved venue filters: saved from the venue list (checked by the list's own schema), a round
filled from one (only the team's area, with the coordinator's scope), another user's refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inspections.errors import Invalid, NotFound
from inspections.extensions import db
from inspections.rounds import filters, services
from inspections.rounds.models import Round, SavedFilter
from tests.conftest import csrf_token, user
from tests.rounds.helpers import make_round


def _ids(found):
    return [rv.venue_id for rv in found.venues]


def test_save_a_filter_from_the_venue_list(world, as_user):
    coord = as_user("t_coord")
    coord.set_cookie("lang", "vi")
    page = coord.get("/venues?sector=karaoke&status=open").get_data(as_text=True)
    assert "Lưu bộ lọc" in page and 'name="query" value="sector=karaoke&amp;status=open"' in page
    token = csrf_token(coord, "/venues")
    res = coord.post(
        "/rounds/filters",
        data={
            "csrf_token": token,
            "name": "Karaoke đang hoạt động",
            "query": "sector=karaoke&status=open&page=2&q=",
        },
    )
    assert res.status_code == 302
    saved = db.session.scalars(select(SavedFilter)).one()
    assert saved.owner_id == user("t_coord").id and saved.name == "Karaoke đang hoạt động"
    assert saved.args == {"sector": "karaoke", "status": "open"}
    listed = coord.get("/rounds/filters").get_data(as_text=True)
    assert "Karaoke đang hoạt động" in listed and "sector=karaoke" in listed
    form = coord.get("/rounds/new").get_data(as_text=True)
    assert f'<option value="{saved.id}"' in form

    bad = coord.post(
        "/rounds/filters",
        data={"csrf_token": token, "name": "Sai", "query": "sector=casino&status=open"},
    )
    assert bad.status_code == 422
    assert "Bộ lọc có giá trị “sector” không hợp lệ" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SavedFilter)) == 1


def test_inspectors_cannot_save_filters(world, as_user):
    insp = as_user("t_insp")
    insp.set_cookie("lang", "vi")
    assert "Lưu bộ lọc" not in insp.get("/venues").get_data(as_text=True)
    assert insp.get("/rounds/filters").status_code == 403


@pytest.mark.parametrize(
    "args, words",
    [
        ({"sector": "casino"}, "sector"),
        ({"inspected": "maybe"}, "inspected"),
        ({"colour": "red"}, "colour"),
        ({"area": "99999"}, "area"),
    ],
)
def test_bad_arguments_are_refused(world, args, words):
    with pytest.raises(Invalid) as exc:
        filters.save_filter(user("t_coord"), "Sai", args)
    assert exc.value.field == "args" and words in exc.value.message
    with pytest.raises(Invalid):
        filters.save_filter(user("t_coord"), "  ", {"sector": "karaoke"})
    assert db.session.scalar(select(func.count()).select_from(SavedFilter)) == 0


def test_fill_a_round_from_a_saved_filter(world):
    v = world["v"]
    coord = user("t_coord")
    karaoke = filters.save_filter(coord, "Karaoke", {"sector": "karaoke", "status": "open"})
    r = make_round(world, venues=("B",))
    # the coordinator's order first, then the filter's; L (La Gi) is outside the team's area
    services.set_venues(coord, r, [v["B"].id], filter_id=karaoke.id)
    assert _ids(r) == [v["B"].id, v["A"].id]
    every = filters.save_filter(coord, "Tất cả đang hoạt động", {"status": "open"})
    services.set_venues(coord, r, [], fill_limit=1, filter_id=every.id)
    assert _ids(r) == [v["A"].id]  # the list's order: by name, at most fill_limit
    # a filter that finds the closed venue C is refused like a list typed by hand
    closed = filters.save_filter(coord, "Karaoke", {"sector": "karaoke"})
    with pytest.raises(Invalid, match="Closed before the round starts"):
        services.set_venues(coord, r, [v["B"].id], filter_id=closed.id)
    assert _ids(r) == [v["A"].id]
    # the La Gi team's round: only its own venue
    lagi = make_round(world, venues=(), team_id=world["lagi"].id)
    services.set_venues(coord, lagi, [], filter_id=karaoke.id)
    assert _ids(lagi) == [v["L"].id]


def test_a_filter_is_applied_with_the_users_scope(world):
    district = user("t_coord_pt")  # 593 only
    la_gi = filters.save_filter(district, "La Gi", {"area": "594"})
    r = make_round(world, username="t_coord_pt", venues=("B",))
    with pytest.raises(Invalid, match="finds no venue"):
        services.set_venues(district, r, [world["v"]["B"].id], filter_id=la_gi.id)
    assert _ids(r) == [world["v"]["B"].id]


def test_another_users_filter_is_not_found(world):
    mine = filters.save_filter(user("t_coord"), "Của tôi", {"status": "open"})
    r = make_round(world, username="t_coord_pt", venues=("B",))
    with pytest.raises(NotFound):
        services.set_venues(user("t_coord_pt"), r, [], filter_id=mine.id)
    assert _ids(r) == [world["v"]["B"].id]


def test_api_put_venues_with_a_filter(world, client, token_for):
    v = world["v"]
    mine = filters.save_filter(
        user("t_coord_pt"), "Karaoke", {"sector": "karaoke", "status": "open"}
    )
    other = filters.save_filter(user("t_coord"), "Tỉnh", {"status": "open"})
    r = make_round(world, username="t_coord_pt", venues=("B",))
    headers = token_for("t_coord_pt")
    res = client.put(
        f"/api/v1/rounds/{r.id}/venues",
        json={"venue_ids": [v["B"].id], "filter_id": mine.id},
        headers=headers,
    )
    assert res.status_code == 200, res.json
    assert [x["venue_id"] for x in res.json["venues"]] == [v["B"].id, v["A"].id]
    refused = client.put(
        f"/api/v1/rounds/{r.id}/venues",
        json={"venue_ids": [], "filter_id": other.id},
        headers=headers,
    )
    assert refused.status_code == 404
    db.session.expire_all()
    assert _ids(db.session.get(type(r), r.id)) == [v["B"].id, v["A"].id]
    bad = client.put(
        f"/api/v1/rounds/{r.id}/venues",
        json={"venue_ids": [], "filter_id": "x"},
        headers=headers,
    )
    assert bad.status_code == 422


def test_the_round_form_fills_from_a_saved_filter(world, as_user):
    v = world["v"]
    saved = filters.save_filter(
        user("t_coord_pt"), "Karaoke", {"sector": "karaoke", "status": "open"}
    )
    coord = as_user("t_coord_pt")
    token = csrf_token(coord, "/rounds/new")
    res = coord.post(
        "/rounds/new",
        data={
            "csrf_token": token,
            "team_id": str(world["team"].id),
            "title": "Đợt từ bộ lọc",
            "kind": "month",
            "starts_on": world["start"].isoformat(),
            "ends_on": world["end"].isoformat(),
            "venue_ids": str(v["B"].id),
            "filter_id": str(saved.id),
        },
    )
    assert res.status_code == 302, res.get_data(as_text=True)
    made = db.session.scalars(select(Round).where(Round.title == "Đợt từ bộ lọc")).one()
    assert _ids(made) == [v["B"].id, v["A"].id]


def test_saved_filters_are_audited(world):
    from inspections.audit.models import AuditEvent

    saved = filters.save_filter(user("t_coord"), "Karaoke", {"sector": "karaoke"})
    db.session.flush()
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "saved_filter", AuditEvent.object_id == saved.id
        )
    ).one()
    assert event.action == "create" and "Karaoke" in str(event.changes)
