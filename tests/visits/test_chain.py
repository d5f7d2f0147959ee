"""Each venue's chain of submitted inspections (visits/chain.py), which coverage reads.

The chain must follow every way an inspection enters or leaves the count: created submitted,
a draft submitted, cancelled, re-dated, deleted, moved by a venue merge. The random walk checks
the chain against a plain GROUP BY of the same inspections after every step.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from inspections.accounts.services import Scope
from inspections.coverage import periods, rule
from inspections.extensions import db
from inspections.venues.models import Venue
from inspections.venues.services import merge_venues
from inspections.visits import lifecycle
from inspections.visits.chain import OPEN_END, broken_links
from inspections.visits.models import Inspection
from tests.conftest import dispose_database, make_app, new_database_url, user

LAT, LON = 10.9290, 108.1020


def links(venue) -> dict[int, date | None]:
    """inspection id -> next_submitted_on as stored, for one venue."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Inspection.id, Inspection.next_submitted_on).where(Inspection.venue_id == venue.id)
    )
    return {r.id: r.next_submitted_on for r in rows}


def test_chain_follows_submit_cancel_delete_and_merge(create_venue, create_inspection):
    v = create_venue(name="Karaoke Chuỗi", lat=LAT, lon=LON, opened_on=date(2020, 1, 1))
    a = create_inspection(v, on=date(2024, 1, 10))
    d = create_inspection(v, on=date(2024, 2, 1), status="draft")
    b = create_inspection(v, on=date(2024, 3, 5))
    c1 = create_inspection(v, on=date(2024, 4, 1))
    c2 = create_inspection(v, on=date(2024, 4, 1))  # same day: ordered by id
    assert links(v) == {
        a.id: date(2024, 3, 5),
        d.id: None,
        b.id: date(2024, 4, 1),
        c1.id: date(2024, 4, 1),
        c2.id: OPEN_END,
    }

    # The draft is submitted: it joins the chain between a and b.
    d = db.session.get(Inspection, d.id)
    d.status = "submitted"
    db.session.flush()
    assert links(v)[a.id] == date(2024, 2, 1)
    assert links(v)[d.id] == date(2024, 3, 5)

    # b is cancelled through the service: it leaves the chain, d now leads to c1.
    lifecycle.cancel(user("t_admin"), db.session.get(Inspection, b.id), "Nhập nhầm ngày kiểm tra")
    chain = links(v)
    assert chain[b.id] is None
    assert chain[d.id] == date(2024, 4, 1)

    # The latest is deleted: the one before it becomes the open end.
    assert db.session.get(Venue, v.id).last_submitted_on == date(2024, 4, 1)
    db.session.delete(db.session.get(Inspection, c2.id))
    db.session.flush()
    assert links(v)[c1.id] == OPEN_END
    # ... and when that one is cancelled, the venue's latest date goes back to d's.
    c1 = db.session.get(Inspection, c1.id)
    c1.status = "cancelled"
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Venue, v.id).last_submitted_on == date(2024, 2, 1)
    assert links(v)[d.id] == OPEN_END
    c1.status = "submitted"  # back, for the merge below
    db.session.flush()

    # A duplicate venue with a later inspection is merged into v: the chains join.
    dup = create_venue(name="Karaoke Chuoi", lat=LAT, lon=LON, opened_on=date(2020, 1, 1))
    e = create_inspection(dup, on=date(2024, 5, 2))
    early = create_inspection(dup, on=date(2023, 12, 1))
    assert links(dup) == {e.id: OPEN_END, early.id: date(2024, 5, 2)}
    merge_venues(dup, v, reason="trùng", scope=Scope())
    db.session.flush()
    chain = links(v)
    assert chain[early.id] == date(2024, 1, 10)
    assert chain[c1.id] == date(2024, 5, 2)
    assert chain[e.id] == OPEN_END
    assert links(dup) == {}
    assert db.session.get(Venue, v.id).last_submitted_on == date(2024, 5, 2)
    assert db.session.get(Venue, dup.id).last_submitted_on is None
    assert broken_links(db.session.connection()) == 0


def reference_last(period, baseline) -> dict[int, date]:
    """The latest submitted inspection per venue in [min(start, baseline), end], by GROUP BY."""
    lower = min(period.start, baseline) if baseline else date(1900, 1, 1)
    rows = db.session.execute(
        select(Inspection.venue_id, func.max(Inspection.inspected_on).label("last_on"))
        .where(
            Inspection.status == "submitted",
            Inspection.inspected_on >= lower,
            Inspection.inspected_on <= period.end,
        )
        .group_by(Inspection.venue_id)
    )
    return {r.venue_id: r.last_on for r in rows}


def chain_last(period, baseline) -> dict[int, date]:
    """The same from the venues' latest dates and the chains, as the figure sets read it."""
    li, last_on = rule.last_inspections(period, baseline)
    rows = db.session.execute(
        select(Venue.id, last_on.label("last_on"))
        .select_from(Venue)
        .outerjoin(li, li.c.venue_id == Venue.id)
        .where(last_on.is_not(None))
    ).all()
    assert len(rows) == len({r.id for r in rows}), "a venue must appear once"
    return {r.id: _day(r.last_on) for r in rows}


def lookup_last(period) -> dict[int, date]:
    """The same again, one venue at a time, as the venue lists read it."""
    rows = db.session.execute(
        select(Venue.id, rule.last_inspected_on(period).label("last_on")).where(
            rule.last_inspected_on(period).is_not(None)
        )
    )
    return {r.id: _day(r.last_on) for r in rows}


def _day(value) -> date:
    """A date as the database returned it (SQLite gives text for computed dates)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def test_random_walk_keeps_the_chain_equal_to_group_by(create_venue, create_inspection):
    rng = random.Random(20241215)
    venues = [
        create_venue(name=f"Spa Chuỗi {i}", lat=LAT, lon=LON, opened_on=date(2020, 1, 1))
        for i in range(5)
    ]
    statuses = ["submitted", "submitted", "submitted", "draft", "cancelled"]
    for _ in range(25):
        on = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 900))
        create_inspection(rng.choice(venues), on=on, status=rng.choice(statuses))
    checks = [
        (periods.parse_key(key), baseline)
        for key in ("2024", "2024-Q2", "2024-06", "report:2024-Y", "2023", "2025-Q1", "2026")
        for baseline in (None, date(2023, 6, 1), date(2024, 3, 1))
    ]
    merged: set[int] = set()
    for step in range(40):
        ids = db.session.scalars(select(Inspection.id).order_by(Inspection.id)).all()
        insp = db.session.get(Inspection, rng.choice(ids))
        action = rng.choice(["submit", "cancel", "redate", "delete", "add", "merge"])
        if action == "submit" and insp.status == "draft":
            insp.status = "submitted"
        elif action == "cancel" and insp.status == "submitted":
            insp.status = "cancelled"
        elif action == "redate":
            insp.inspected_on = insp.inspected_on + timedelta(days=rng.randrange(-200, 200))
        elif action == "delete":
            db.session.delete(insp)
        elif action == "add":
            on = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 900))
            create_inspection(rng.choice(venues), on=on, status=rng.choice(statuses))
        elif action == "merge":
            live = [v for v in venues if v.id not in merged]
            if len(live) > 2:
                dup, kept = rng.sample(live, 2)
                merge_venues(dup, kept, reason="trùng", scope=Scope())
                merged.add(dup.id)
        db.session.flush()
        assert broken_links(db.session.connection()) == 0, f"step {step}: {action}"
        for period, baseline in checks:
            assert chain_last(period, baseline) == reference_last(period, baseline), (
                f"step {step} ({action}), {period.key}, baseline {baseline}"
            )
            if baseline is None:
                assert lookup_last(period) == reference_last(period, None), (
                    f"step {step} ({action}), {period.key}, one venue at a time"
                )


def test_relink_command_repairs_a_hand_edited_database(runner, create_venue, create_inspection):
    v = create_venue(name="Quán bar Sửa tay", lat=LAT, lon=LON, opened_on=date(2020, 1, 1))
    first = create_inspection(v, on=date(2024, 2, 1))
    create_inspection(v, on=date(2024, 8, 1))
    # SQL that bypasses the app: the first inspection loses its link.
    db.session.execute(
        update(Inspection).where(Inspection.id == first.id).values(next_submitted_on=None)
    )
    db.session.execute(update(Venue).where(Venue.id == v.id).values(last_submitted_on=None))
    result = runner.invoke(args=["relink-inspections", "--check"])
    assert result.exit_code == 1
    assert "broken link: 2" in result.output
    result = runner.invoke(args=["relink-inspections"])
    assert result.exit_code == 0, result.output
    assert "relinked: 2" in result.output
    assert links(v)[first.id] == date(2024, 8, 1)
    assert db.session.get(Venue, v.id).last_submitted_on == date(2024, 8, 1)
    assert runner.invoke(args=["relink-inspections", "--check"]).exit_code == 0


def test_two_submissions_at_once_leave_one_chain(db_kind, tmp_path):
    """Two teams submit inspections of one venue at the same moment (separate transactions):
    the second waits for the first, then links its inspection after the first one's."""
    if db_kind != "postgis":
        pytest.skip("SQLite lets one transaction write at a time: the two cannot overlap")
    import threading
    from datetime import UTC, datetime, time

    from flask_migrate import upgrade
    from sqlalchemy.orm import Session

    from inspections.spatial import point
    from inspections.venues.models import Sector

    def inspection(venue_id, on):
        at = datetime.combine(on, time(10, 0), UTC)
        return Inspection(
            venue_id=venue_id, status="submitted", inspected_at=at, inspected_on=on, submitted_at=at
        )

    url = new_database_url(db_kind, tmp_path, "chain")
    try:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            with Session(db.engine) as s:
                sector = Sector(code="karaoke", name_vi="Karaoke", name_en="Karaoke")
                s.add(sector)
                s.flush()
                venue = Venue(
                    name="Karaoke Hai Đoàn",
                    search_text="karaoke hai doan",
                    sector_id=sector.id,
                    location=point(LAT, LON),
                    status="operating",
                )
                s.add(venue)
                s.flush()
                s.add(inspection(venue.id, date(2024, 1, 5)))
                s.commit()
                vid = venue.id
            first, second = Session(db.engine), Session(db.engine)
            first.add(inspection(vid, date(2024, 3, 1)))
            first.flush()  # relinked, the venue held until commit

            def submit_second():
                with app.app_context():
                    second.add(inspection(vid, date(2024, 2, 1)))
                    second.flush()
                    second.commit()

            thread = threading.Thread(target=submit_second)
            thread.start()
            thread.join(timeout=1.5)
            assert thread.is_alive(), "the second submission must wait for the first"
            first.commit()
            thread.join(timeout=20)
            assert not thread.is_alive()
            first.close()
            second.close()
            with db.engine.connect() as conn:
                chain = conn.execute(
                    select(Inspection.inspected_on, Inspection.next_submitted_on)
                    .where(Inspection.venue_id == vid)
                    .order_by(Inspection.inspected_on)
                ).all()
                latest = conn.scalar(select(Venue.last_submitted_on).where(Venue.id == vid))
                broken = broken_links(conn)
            assert [(r.inspected_on, r.next_submitted_on) for r in chain] == [
                (date(2024, 1, 5), date(2024, 2, 1)),
                (date(2024, 2, 1), date(2024, 3, 1)),
                (date(2024, 3, 1), OPEN_END),
            ]
            assert latest == date(2024, 3, 1)
            assert broken == 0
            db.engine.dispose()
    finally:
        dispose_database(url)
