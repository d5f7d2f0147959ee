"""Rounds: the write path's checks (nothing half-saved), progress derived from inspections,
outcomes kept once per key, carrying unfinished venues, conflicts between teams."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspections.errors import Conflict, Invalid, NotFound
from inspections.extensions import db
from inspections.rounds import access, outcomes, progress, services
from inspections.rounds.models import Round, RoundOutcome, RoundVenue
from tests.conftest import user
from tests.rounds.helpers import make_round


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_round_with_venues_in_order(world):
    r = make_round(world, venues=("B", "A"))
    assert r.id and r.kind == "month" and not r.unannounced
    assert [rv.venue_id for rv in r.venues] == [world["v"]["B"].id, world["v"]["A"].id]
    assert [rv.position for rv in r.venues] == [1, 2]
    assert r.status_on(world["today"]) == "active"
    assert r.status_on(world["end"] + timedelta(days=1)) == "closed"
    assert r.status_on(world["start"] - timedelta(days=1)) == "planned"


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"venues": ("A", "L")}, "venue_ids", "Outside the team's area: Karaoke L"),
        ({"venues": ("A", "C")}, "venue_ids", "Closed before the round starts"),
        ({"ends_on_shift": -40}, "ends_on", "ends before it starts"),
        ({"title": "  "}, "title", "title"),
    ],
)
def test_bad_rounds_are_refused_and_nothing_is_saved(world, kw, field, words):
    before = (_count(Round), _count(RoundVenue))
    values = dict(kw)
    if "ends_on_shift" in values:
        values["ends_on"] = world["start"] + timedelta(days=values.pop("ends_on_shift"))
    with pytest.raises(Invalid) as err:
        make_round(world, **values)
    assert err.value.field == field and words in err.value.message
    assert (_count(Round), _count(RoundVenue)) == before


def test_venue_closed_during_the_round_is_accepted(world):
    v = world["v"]["A"]
    v.closed_on = world["start"] + timedelta(days=3)
    db.session.flush()
    assert make_round(world, venues=("A",)).venues[0].venue_id == v.id


def test_district_coordinator_plans_only_their_teams(world):
    r = make_round(world, username="t_coord_pt")  # team 593, coordinator of 593
    assert r.team_id == world["team"].id
    with pytest.raises(Invalid) as err:
        make_round(world, username="t_coord_pt", team_id=world["lagi"].id, venues=("L",))
    assert err.value.field == "team_id"
    with pytest.raises(NotFound):
        access.get_round(
            user("t_coord_pt"), make_round(world, team_id=world["lagi"].id, venues=("L",)).id
        )
    with pytest.raises(NotFound):  # inspectors do not plan
        make_round(world, username="t_insp")


def test_visibility_team_members_and_coordinators(world):
    r = make_round(world, unannounced=True)
    assert access.get_round(user("t_insp"), r.id) is r
    assert access.get_round(user("t_coord"), r.id) is r
    for outsider in ("t_insp_lagi", "t_viewer", "t_review"):
        with pytest.raises(NotFound):
            access.get_round(user(outsider), r.id)
    with pytest.raises(NotFound):  # a member may see, not plan
        access.get_round(user("t_insp"), r.id, manage=True)


def test_update_rechecks_the_list_against_new_dates(world):
    r = make_round(world, venues=("A",))
    world["v"]["A"].closed_on = world["start"] + timedelta(days=2)
    db.session.flush()
    with pytest.raises(Invalid) as err:
        services.save_round(
            user("t_coord"),
            r,
            team_id=r.team_id,
            title=r.title,
            starts_on=world["start"] + timedelta(days=5),
            ends_on=r.ends_on,
        )
    assert "Closed before" in err.value.message
    db.session.refresh(r)
    assert r.starts_on == world["start"]


def test_done_is_read_from_inspections_and_counts_for_every_round(world, create_inspection):
    a, b = world["v"]["A"], world["v"]["B"]
    r1 = make_round(world, venues=("A", "B"))
    r2 = make_round(world, title="Chiến dịch", kind="campaign", venues=("A",))
    create_inspection(a, on=world["today"])
    create_inspection(b, on=world["start"] - timedelta(days=1))  # before the round: not done
    outcomes.record_outcome(
        user("t_insp"), r1, venue_id=b.id, kind="refused", reason="Không mở cửa"
    )
    c1, c2 = progress.counts(r1), progress.counts(r2)
    assert (c1.planned, c1.done, c1.could_not, c1.todo) == (2, 1, 1, 0)
    assert (c2.planned, c2.done, c2.could_not) == (1, 1, 0)
    states = {s.venue_id: (s.state, s.outcome) for s in progress.venue_states(r1)}
    assert states == {a.id: ("done", None), b.id: ("could_not", "refused")}


def test_outcome_checks_and_idempotency(world):
    r = make_round(world, venues=("A",))
    insp = user("t_insp")
    with pytest.raises(Invalid) as err:
        outcomes.record_outcome(insp, r, venue_id=world["v"]["B"].id, kind="closed", reason="x")
    assert err.value.field == "venue_id"
    with pytest.raises(Conflict):
        outcomes.record_outcome(
            user("t_insp_lagi"), r, venue_id=world["v"]["A"].id, kind="closed", reason="x"
        )
    first, made = outcomes.record_outcome(
        insp,
        r,
        venue_id=world["v"]["A"].id,
        kind="closed",
        reason="Đóng cửa",
        client_key="k-123456789",
    )
    again, made2 = outcomes.record_outcome(
        insp,
        r,
        venue_id=world["v"]["A"].id,
        kind="closed",
        reason="Đóng cửa",
        client_key="k-123456789",
    )
    assert made and not made2 and again.id == first.id
    assert _count(RoundOutcome) == 1


def test_fill_from_what_to_inspect_next(world, create_inspection):
    a, b = world["v"]["A"], world["v"]["B"]
    create_inspection(a, on=world["today"] - timedelta(days=400))  # seen before: after B
    r = make_round(world, venues=())
    services.set_venues(user("t_coord"), r, [], fill_limit=10)
    ids = [rv.venue_id for rv in r.venues]
    assert ids[:2] == [b.id, a.id]
    assert world["v"]["C"].id not in ids and world["v"]["L"].id not in ids


def test_carry_unfinished_into_the_next_month(world, create_inspection):
    a, b = world["v"]["A"], world["v"]["B"]
    r = make_round(world, venues=("A", "B"))
    create_inspection(a, on=world["today"])
    new = services.carry_unfinished(user("t_coord"), r)
    assert [rv.venue_id for rv in new.venues] == [b.id]
    assert new.carried_from_id == r.id and new.starts_on == world["end"] + timedelta(days=1)
    assert new.team_id == r.team_id


def test_conflicts_between_teams(world, create_venue):
    r = make_round(world, venues=("A",))
    # a province-wide team (no areas) plans the same venue
    from inspections.accounts.services import save_team

    province = save_team(
        None,
        name="Đoàn tỉnh",
        lead_agency_code="police",
        active_from=world["start"],
        member_usernames=["t_review"],
    )
    other = make_round(world, team_id=province.id, title="Đợt tỉnh", venues=("A",))
    found = progress.conflicts(r, world["today"])
    assert [(c.venue_id, c.round_id) for c in found] == [(world["v"]["A"].id, other.id)]


def test_projection_after_the_round(world):
    r = make_round(world, venues=("A", "B"))
    (p,) = progress.projection(r)
    assert p.code == "593" and p.in_scope >= 2 and p.after == p.inspected + 2


def test_an_ended_round_keeps_its_list_but_may_be_renamed(world):
    r = make_round(
        world,
        starts_on=world["start"] - timedelta(days=40),
        ends_on=world["start"] - timedelta(days=10),
        venues=("A",),
    )
    ids = [world["v"]["A"].id]
    coord = user("t_coord")
    values = {"team_id": r.team_id, "starts_on": r.starts_on, "ends_on": r.ends_on}
    services.save_round(coord, r, title="Tên mới", venue_ids=ids, **values)
    assert r.title == "Tên mới"
    with pytest.raises(Conflict):
        services.set_venues(coord, r, [*ids, world["v"]["B"].id])


def test_changes_are_audited(world):
    from inspections.audit.models import AuditEvent

    r = make_round(world, venues=("A",))
    outcomes.record_outcome(
        user("t_insp"), r, venue_id=world["v"]["A"].id, kind="not_found", reason="Sai địa chỉ"
    )
    db.session.flush()
    kinds = set(
        db.session.scalars(
            select(AuditEvent.object_type).where(
                AuditEvent.object_type.in_(["round", "round_venue", "round_outcome"])
            )
        )
    )
    assert kinds == {"round", "round_venue", "round_outcome"}


def test_carry_into_an_existing_round_of_the_team(world):
    a, b = world["v"]["A"], world["v"]["B"]
    r = make_round(world, venues=("A", "B"))
    nxt = make_round(
        world,
        title="Tháng sau",
        starts_on=world["end"] + timedelta(days=1),
        ends_on=world["end"] + timedelta(days=28),
        venues=("B",),
    )
    assert services.carry_targets(r, world["today"]) == [nxt]
    services.carry_unfinished(user("t_coord"), r, into_id=nxt.id)
    assert [rv.venue_id for rv in nxt.venues] == [b.id, a.id]
    with pytest.raises(Invalid):
        services.carry_unfinished(user("t_coord"), r, into_id=r.id)
