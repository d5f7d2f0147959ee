"""The seed: complete, idempotent, deterministic demo data, rebuildable demo boundaries."""

import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from inspections import seeding
from inspections.accounts.models import Agency
from inspections.areas.models import Area
from inspections.areas.versions import in_force_clause
from inspections.extensions import db
from inspections.venues import demo
from inspections.venues.models import SECTOR_CODES, Sector, Venue

ROOT = Path(__file__).resolve().parent.parent


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_reference_data_is_complete():
    former, today = in_force_clause(date(2025, 6, 30)), in_force_clause(date(2025, 7, 1))
    # the former map: Bình Thuận, Lâm Đồng and Đắk Nông; Bình Thuận's districts and communes
    assert count(Area, Area.level == "province", former) == 3
    assert count(Area, Area.level == "district", former) == 10
    assert count(Area, Area.level == "commune", former) == 121
    assert count(Area, Area.geom.is_not(None), Area.level != "province", former) == 131
    # today's map: Lâm Đồng, its 124 units, polygons for the 45 on former Bình Thuận
    assert count(Area, Area.level == "province", today) == 1
    assert count(Area, Area.level == "district", today) == 0
    assert count(Area, Area.level == "commune", today) == 124
    assert count(Area, Area.geom.is_not(None), Area.level == "commune", today) == 45
    assert set(db.session.scalars(select(Sector.code))) == set(SECTOR_CODES)
    assert set(db.session.scalars(select(Agency.code))) == {
        "labour",
        "police",
        "culture",
        "health",
        "border_guard",
        "district_committee",
    }
    mui_ne = db.session.scalar(select(Area).where(Area.code == "22915"))
    assert mui_ne.parent.code == "593" and mui_ne.successor_codes == "22918"


def test_seed_twice_changes_nothing():
    assert seeding.run(demo=False) == 0


def test_demo_venues_are_deterministic_and_idempotent():
    communes = list(  # the former communes: today's units have no seat to place venues at
        db.session.scalars(
            select(Area)
            .where(Area.level == "commune", Area.ref_lat.is_not(None))
            .order_by(Area.code)
        )
    )
    first, second = demo.plan(communes), demo.plan(communes)
    assert first == second
    assert 1100 <= len(first) <= 1300
    assert len({v["sector"] for v in first}) == 7
    created = demo.load_demo_venues()
    assert created == len(first)
    assert demo.load_demo_venues() == 0
    assert count(Venue, Venue.district_id.is_(None)) == 0
    per_district = dict(
        db.session.execute(
            select(Venue.district_id, func.count()).group_by(Venue.district_id)
        ).all()
    )
    assert len(per_district) == 10


def test_cli_seed_is_idempotent(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "seed done: 0 changes" in result.output


def test_demo_boundaries_rebuild_identically(runner, tmp_path):
    result = runner.invoke(args=["areas", "build-demo", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("demo_districts.geojson", "demo_communes.geojson"):
        built = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        committed = json.loads((ROOT / "seed_data" / "areas" / name).read_text(encoding="utf-8"))
        assert built == committed, f"{name} is stale: run flask areas build-demo"
