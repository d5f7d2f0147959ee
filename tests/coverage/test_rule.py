"""The coverage rule against hand-computed expectations (the same on SpatiaLite and PostGIS).

Period 2024-Q2 = 01/04/2024 – 30/06/2024, plan 1227/KH-UBND (target 20 %, baseline 01/01/2021).
District 593 (Phan Thiết):
  A opened 10/05/2024 (mid-period), submitted 20/05          → in scope, inspected
  B closed 31/03/2024 (before), submitted 02/04               → excluded
  C closed 15/04/2024 (during), submitted 01/04 (first day)   → in scope, inspected
  D three submitted inspections in the period                 → in scope, inspected once
  E draft + cancelled in the period, submitted 01/05/2023     → in scope, not inspected, ever
  F submitted 01/07/2024 (one day after the end)              → in scope, never inspected
  G merged into A, submitted in the period                    → excluded
  H opened 01/07/2024 (after the end)                         → excluded
  I opened_on unknown, no inspection                          → in scope, never inspected
  J submitted 01/06/2020 (before the phase baseline)          → in scope, never inspected
  K massage, submitted 30/06/2024 (last day)                  → in scope, inspected
  → 8 in scope, 4 inspected (50 %), 5 ever inspected, 3 never inspected, meets 20 %.
District 594 (La Gi):
  L karaoke, only a draft in the period                       → 1 in scope, 0 inspected (0 %)
Every other district: no venues.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from inspections.accounts.services import Scope
from inspections.areas.models import Area
from inspections.coverage import lists, next_visits, periods, rule
from inspections.extensions import db

Q2 = periods.parse_key("2024-Q2")


def point_in(code: str) -> tuple[float, float]:
    """The reference point of the first commune of a district (inside its demo polygon)."""
    parent = select(Area.id).where(Area.code == code, Area.level == "district").scalar_subquery()
    lat, lon = db.session.execute(
        select(Area.ref_lat, Area.ref_lon)
        .where(Area.parent_id == parent, Area.level == "commune")
        .order_by(Area.code)
        .limit(1)
    ).one()
    return lat, lon


@pytest.fixture
def world(create_venue, create_inspection):
    """The venues and inspections of the module docstring; name -> venue id."""
    lat, lon = point_in("593")
    lat2, lon2 = point_in("594")

    def venue(name, **kw):
        kw.setdefault("opened_on", date(2019, 1, 1))
        v = create_venue(name=name, lat=lat, lon=lon, **kw)
        return v

    v = {}
    v["A"] = venue("A", opened_on=date(2024, 5, 10))
    create_inspection(v["A"], on=date(2024, 5, 20))
    v["B"] = venue("B", status="closed", closed_on=date(2024, 3, 31))
    create_inspection(v["B"], on=date(2024, 4, 2))
    v["C"] = venue("C", status="closed", closed_on=date(2024, 4, 15))
    create_inspection(v["C"], on=date(2024, 4, 1))
    v["D"] = venue("D")
    for day in (date(2024, 4, 10), date(2024, 5, 10), date(2024, 6, 10)):
        create_inspection(v["D"], on=day)
    v["E"] = venue("E")
    create_inspection(v["E"], on=date(2024, 5, 5), status="draft")
    create_inspection(v["E"], on=date(2024, 5, 6), status="cancelled")
    create_inspection(v["E"], on=date(2023, 5, 1))
    v["F"] = venue("F")
    create_inspection(v["F"], on=date(2024, 7, 1))
    v["G"] = venue("G", merged_into_id=v["A"].id)
    create_inspection(v["G"], on=date(2024, 5, 1))
    v["H"] = venue("H", opened_on=date(2024, 7, 1))
    v["I"] = venue("I", opened_on=None)
    v["J"] = venue("J")
    create_inspection(v["J"], on=date(2020, 6, 1))
    v["K"] = venue("K", sector="massage")
    create_inspection(v["K"], on=date(2024, 6, 30))
    v["L"] = create_venue(name="L", lat=lat2, lon=lon2, opened_on=date(2019, 1, 1))
    create_inspection(v["L"], on=date(2024, 5, 5), status="draft")
    assert {x.district.code for k, x in v.items() if k != "L"} == {"593"}
    assert v["L"].district.code == "594"
    return {k: x.id for k, x in v.items()}


def test_figures_by_district(world):
    cov = rule.coverage(Q2, "district", scope=Scope())
    rows = {r.code: r for r in cov.rows}
    assert len(rows) == 10
    pt = rows["593"]
    assert (pt.in_scope, pt.inspected, pt.ever_inspected, pt.never_inspected) == (8, 4, 5, 3)
    assert pt.coverage_pct == 50.0 and pt.meets_target is True and pt.needed == 0
    assert pt.ever_inspected_pct == 62.5
    lagi = rows["594"]
    assert (lagi.in_scope, lagi.inspected, lagi.ever_inspected) == (1, 0, 0)
    assert lagi.coverage_pct == 0.0 and lagi.meets_target is False and lagi.needed == 1
    empty = rows["595"]
    assert empty.in_scope == 0 and empty.coverage_pct is None and empty.meets_target is None
    assert empty.ever_inspected_pct is None and empty.needed == 0
    t = cov.totals
    assert (t.code, t.in_scope, t.inspected, t.ever_inspected, t.never_inspected) == (
        "60",
        9,
        4,
        5,
        4,
    )
    assert cov.targets.plan.number == "1227/KH-UBND"
    assert cov.targets.baseline_on == date(2021, 1, 1)


def test_lists_behind_each_figure(world):
    pt = rule.area_for("593", Scope())
    expected = {
        "in_scope": "ACDEFIJK",
        "inspected": "ACDK",
        "not_inspected": "EFIJ",
        "ever_inspected": "ACDEK",
        "never_inspected": "FIJ",
    }
    names = {v: k for k, v in world.items()}
    for figure, letters in expected.items():
        total, lines = lists.venue_lines(Q2, scope=Scope(), figure=figure, area=pt, per_page=None)
        assert total == len(letters), figure
        assert "".join(sorted(names[line.id] for line in lines)) == letters, figure
    _total, lines = lists.venue_lines(Q2, scope=Scope(), area=pt, per_page=None)
    states = {names[line.id]: line.state for line in lines}
    assert states == {
        "A": "inspected",
        "C": "inspected",
        "D": "inspected",
        "K": "inspected",
        "E": "earlier",
        "F": "never",
        "I": "never",
        "J": "never",
    }


def test_sector_breakdown_and_filter(world):
    cov = rule.coverage(Q2, "district", scope=Scope(), by_sector=True)
    pt = next(r for r in cov.rows if r.code == "593")
    assert (pt.sectors["karaoke"].in_scope, pt.sectors["karaoke"].inspected) == (7, 3)
    assert (pt.sectors["massage"].in_scope, pt.sectors["massage"].inspected) == (1, 1)
    assert (pt.in_scope, pt.inspected) == (8, 4)
    assert cov.totals.sectors["karaoke"].in_scope == 8
    massage = rule.coverage(Q2, "district", scope=Scope(), sector="massage")
    rows = {r.code: r for r in massage.rows}
    assert (rows["593"].in_scope, rows["593"].inspected, rows["593"].coverage_pct) == (1, 1, 100.0)
    assert rows["594"].in_scope == 0 and rows["594"].coverage_pct is None


def test_commune_level_adds_up_to_the_district(world):
    cov = rule.coverage(Q2, "commune", scope=Scope())
    assert sum(r.in_scope for r in cov.rows) == 9
    assert sum(r.inspected for r in cov.rows) == 4
    assert cov.totals.in_scope == 9 and cov.totals.never_inspected == 4


def test_district_account_sees_its_district_only(world, as_user):
    client = as_user("t_insp")  # district 593
    body = client.get("/api/v1/coverage?period=2024-Q2&level=district").json
    assert [r["code"] for r in body["rows"]] == ["593"]
    assert body["totals"]["code"] == "593"
    assert body["totals"]["venues_in_scope"] == 8 and body["totals"]["venues_inspected"] == 4
    assert client.get("/api/v1/coverage/venues?period=2024-Q2&area=594").status_code == 404
    assert client.get("/coverage/areas/594?period=2024-Q2").status_code == 404
    lagi = as_user("t_insp_lagi").get("/api/v1/coverage?period=2024-Q2").json
    assert [r["code"] for r in lagi["rows"]] == ["594"] and lagi["totals"]["venues_in_scope"] == 1


def test_api_json_and_geojson(world, as_user):
    client = as_user("t_coord")
    body = client.get("/api/v1/coverage?period=2024-Q2&level=district").json
    assert body["period"] == {"start": "2024-04-01", "end": "2024-06-30", "key": "2024-Q2"}
    assert body["plan"]["number"] == "1227/KH-UBND" and body["target_pct"] == 20.0
    rows = {r["code"]: r for r in body["rows"]}
    assert rows["593"] == {
        "code": "593",
        "name": "Thành phố Phan Thiết",
        "venues_in_scope": 8,
        "venues_inspected": 4,
        "coverage_pct": 50.0,
        "target_pct": 20.0,
        "meets_target": True,
        "venues_ever_inspected": 5,
        "ever_inspected_pct": 62.5,
        "never_inspected": 3,
        "needed": 0,
        "sectors": {},
    }
    assert rows["595"]["coverage_pct"] is None and rows["595"]["meets_target"] is None
    assert body["totals"]["venues_in_scope"] == 9
    geo = client.get("/api/v1/coverage.geojson?period=2024-Q2&level=district")
    assert geo.status_code == 200 and geo.mimetype == "application/geo+json"
    fc = geo.json
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 10
    props = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
    assert props["593"]["venues_inspected"] == 4 and props["593"]["status"] == "meets"
    assert props["594"]["status"] == "below" and props["595"]["status"] == "none"
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in fc["features"])
    lst = client.get("/api/v1/coverage/venues?period=2024-Q2&area=593&figure=never_inspected")
    assert lst.json["total"] == 3
    assert sorted(v["id"] for v in lst.json["venues"]) == sorted(world[k] for k in ("F", "I", "J"))


def test_what_to_inspect_next(world):
    pt = rule.area_for("593", Scope())
    plan = next_visits.next_to_inspect(Q2, pt, scope=Scope())
    names = {v: k for k, v in world.items()}
    assert plan.needed == 0 and plan.candidates == 4
    # never inspected first (no inspection at all before one before the baseline), then
    # the longest since the last inspection
    order = [names[line.id] for line in plan.venues]
    assert order[2:] == ["J", "E"] and set(order[:2]) == {"F", "I"}
    lagi = next_visits.next_to_inspect(Q2, rule.area_for("594", Scope()), scope=Scope())
    assert lagi.needed == 1 and [names[x.id] for x in lagi.venues] == ["L"]


def test_next_puts_past_offenders_first_among_equally_due(create_venue, create_inspection):
    from inspections.violations.models import LegalViolation, RecordedViolation

    lat, lon = point_in("597")
    calm = create_venue(name="Calm", lat=lat, lon=lon)
    offender = create_venue(name="Offender", lat=lat, lon=lon)
    for v in (calm, offender):
        create_inspection(v, on=date(2023, 3, 1))
    legal = db.session.scalar(select(LegalViolation).limit(1))
    recorded = create_inspection(offender, on=date(2023, 3, 1))
    db.session.add(
        RecordedViolation(
            inspection_id=recorded.id,
            venue_id=offender.id,
            legal_violation_id=legal.id,
            fine_vnd=1_000_000,
        )
    )
    draft = create_inspection(calm, on=date(2023, 3, 1), status="draft")
    db.session.add(
        RecordedViolation(inspection_id=draft.id, venue_id=calm.id, legal_violation_id=legal.id)
    )  # drafts do not count
    db.session.flush()
    plan = next_visits.next_to_inspect(Q2, rule.area_for("597", Scope()), scope=Scope())
    assert [line.id for line in plan.venues] == [offender.id, calm.id]


def test_next_with_a_start_point_gives_distances(world, as_user, create_venue):
    lat, lon = point_in("593")
    far = create_venue(name="Far", lat=lat + 0.01, lon=lon, opened_on=None)
    body = (
        as_user("t_coord")
        .get(f"/api/v1/coverage/next?period=2024-Q2&area=593&lat={lat + 0.01}&lon={lon}")
        .json
    )
    first = body["venues"][0]
    assert first["id"] == far.id and first["distance_m"] < 1
    others = [v["distance_m"] for v in body["venues"][1:3]]
    assert all(1000 < d < 1200 for d in others)  # 0.01° of latitude ≈ 1.1 km
    assert body["needed"] == 0 and body["candidates"] == 5


def test_reporting_window_boundaries(create_venue, create_inspection):
    lat, lon = point_in("596")
    days = {
        "before": date(2024, 6, 14),
        "first": date(2024, 6, 15),
        "last": date(2024, 9, 14),
        "after": date(2024, 9, 15),
    }
    ids = {}
    for name, day in days.items():
        v = create_venue(name=name, lat=lat, lon=lon)
        create_inspection(v, on=day)
        ids[v.id] = name
    window = periods.parse_key("report:2024-Q3")
    assert (window.start, window.end) == (date(2024, 6, 15), date(2024, 9, 14))
    area = rule.area_for("596", Scope())
    _n, lines = lists.venue_lines(
        window, scope=Scope(), figure="inspected", area=area, per_page=None
    )
    assert sorted(ids[line.id] for line in lines) == ["first", "last"]
    fig = rule.area_figures(window, area, scope=Scope())
    assert (fig.in_scope, fig.inspected, fig.coverage_pct) == (4, 2, 50.0)
    # the calendar quarter counts differently: 15/09 in, 14/06 and 15/06 out
    q3 = rule.area_figures(periods.parse_key("2024-Q3"), area, scope=Scope())
    assert q3.inspected == 2  # 14/09 and 15/09


def test_target_is_compared_exactly_and_needed_rounds_up(create_venue, create_inspection):
    lat, lon = point_in("597")
    venues = [create_venue(name=f"V{i}", lat=lat, lon=lon) for i in range(11)]
    create_inspection(venues[0], on=date(2024, 3, 1))
    create_inspection(venues[1], on=date(2024, 3, 2))
    fig = rule.area_figures(periods.parse_key("2024"), rule.area_for("597", Scope()), scope=Scope())
    # 2/11 = 18.2 % < 20 %; ceil(0.2 × 11) = 3 → one more
    assert fig.coverage_pct == 18.2 and fig.meets_target is False and fig.needed == 1
    create_inspection(venues[2], on=date(2024, 3, 3))
    fig = rule.area_figures(periods.parse_key("2024"), rule.area_for("597", Scope()), scope=Scope())
    assert fig.meets_target is True and fig.needed == 0


def test_next_counts_open_tips_with_past_violations(as_user, create_venue, create_inspection):
    """Among equally due venues an open tip calls for a visit first; a closed tip does not."""
    from inspections.tips.models import Tip

    lat, lon = point_in("597")
    quiet = create_venue(name="Quiet", lat=lat, lon=lon)
    tipped = create_venue(name="Tipped", lat=lat, lon=lon)
    handled = create_venue(name="Handled", lat=lat, lon=lon)
    for v in (quiet, tipped, handled):
        create_inspection(v, on=date(2023, 3, 1))
    tip = {"received_on": date(2024, 4, 1), "source": "citizen", "summary": "x"}
    db.session.add_all(
        [
            Tip(venue_id=tipped.id, classification="prostitution", due_on=date(2024, 5, 1), **tip),
            Tip(
                venue_id=handled.id,
                classification="prostitution",
                due_on=date(2024, 5, 1),
                closed_on=date(2024, 4, 20),
                outcome="unfounded",
                **tip,
            ),
        ]
    )
    db.session.flush()
    plan = next_visits.next_to_inspect(Q2, rule.area_for("597", Scope()), scope=Scope())
    assert plan.venues[0].id == tipped.id
    assert {line.id: line.open_tips for line in plan.venues} == {
        quiet.id: 0,
        tipped.id: 1,
        handled.id: 0,
    }
    body = as_user("t_coord").get("/api/v1/coverage/next?period=2024-Q2&area=597").json
    assert body["venues"][0]["id"] == tipped.id and body["venues"][0]["open_tips"] == 1
    page = as_user("t_coord").get("/coverage/areas/597?period=2024-Q2&figure=next")
    assert "1 open tip" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("in_scope", "inspected", "target", "meets", "needed"),
    [
        (5, 1, "20.00", True, 0),  # exactly the target
        (6, 1, "20.00", False, 1),  # 16.7 %: ceil(1.2) = 2 needed in all
        (1000, 199, "20.00", False, 1),  # 19.9 %
        (3, 1, "33.33", True, 0),  # 100 ≥ 99.99
        (3, 0, "33.34", False, 2),  # ceil(1.0002) = 2
        (8, 1, "12.50", True, 0),
        (7, 7, "100.00", True, 0),
        (0, 0, "20.00", None, 0),  # no venues: neither meets nor misses
    ],
)
def test_target_comparison_is_exact(in_scope, inspected, target, meets, needed):
    fig = rule.Figures("593", "PT", 1, in_scope, inspected, inspected, Decimal(target))
    assert fig.meets_target is meets
    assert fig.needed == needed


def test_target_comparisons_in_integers_equal_the_decimal_rule():
    """meets_target and needed compare in integer hundredths (thousands of rows): the same
    answers as the exact Decimal rule, for targets with two places and with more."""
    import math
    from decimal import Decimal

    from inspections.coverage.rule import Figures

    for text in ("20", "20.00", "12.34", "0", "100", "33.33", "0.01", "20.005"):
        target = Decimal(text)
        for n in range(0, 60):
            for k in range(0, n + 1):
                fig = Figures("x", "x", 1, n, k, k, target)
                assert fig.meets_target == (None if not n else k * 100 >= target * n)
                assert fig.needed == max(0, math.ceil(target * n / 100) - k)
