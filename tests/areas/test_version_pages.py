"""The areas pages and the boundary import on two maps: split notes, codes read on their day."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from inspections.areas.models import Area
from inspections.areas.services import get_area, import_boundaries
from inspections.errors import Invalid
from inspections.extensions import db

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)
# A square around the seat of former Phường Hàm Tiến (inside today's Phường Mũi Né).
SQUARE = [[[108.20, 10.93], [108.25, 10.93], [108.25, 10.98], [108.20, 10.98], [108.20, 10.93]]]


def fc(code: str) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"gso_code": code},
                "geometry": {"type": "Polygon", "coordinates": SQUARE},
            }
        ],
    }


def test_the_unit_page_says_which_commune_was_divided(as_user):
    client = as_user("t_coord")
    html = client.get("/areas/22978").get_data(as_text=True)  # today's Xã Tuy Phong
    assert "Xã Tuy Phong" in html and "Formed on 1 July 2025 from" in html
    assert "Xã Phong Phú (22978) was divided on 1 July 2025 between" in html
    assert "Xã Phan Rí Cửa, Xã Tuy Phong" in html and "estimated" in html
    old = client.get("/areas/22978?as_of=2025-06-30").get_data(as_text=True)
    assert "Xã Phong Phú" in old and "Went on 1 July 2025 into" in old and "main part" in old
    assert "This unit was divided on 1 July 2025" in old
    whole = client.get("/areas/22918").get_data(as_text=True)
    assert "Phường Mũi Né" in whole and "Phường Hàm Tiến" in whole and "was divided" not in whole
    assert client.get("/areas/22918?as_of=1900-01-01").status_code == 422
    listing = client.get("/areas").get_data(as_text=True)
    assert "Tỉnh Lâm Đồng" in listing and "Tỉnh Đắk Nông" in listing
    assert "/areas/68?as_of=2025-07-01" in listing and "/areas/68?as_of=2025-06-30" in listing
    client.set_cookie("lang", "vi")
    vi = client.get("/areas/22978").get_data(as_text=True)
    assert "được chia tách ngày 1/7/2025" in vi
    assert "Cấp xã" in vi and "<dd>commune" not in vi  # the level in words, not its code


def test_boundaries_match_codes_within_one_map_only(create_venue):
    ham_tien = get_area("22918", as_of=BEFORE)
    venue = create_venue(lat=ham_tien.ref_lat, lon=ham_tien.ref_lon)
    before = db.session.scalar(select(Area.boundary_source).where(Area.id == ham_tien.id))
    report = import_boundaries(fc("22918"), "commune", source="official.geojson", valid_from=AFTER)
    assert report.updated == ["22918"] and report.as_of == AFTER
    mui_ne = get_area("22918")
    assert (mui_ne.boundary_source, mui_ne.is_demo_boundary) == ("official.geojson", False)
    # the former Phường Hàm Tiến, same code, other map: untouched
    assert db.session.scalar(select(Area.boundary_source).where(Area.id == ham_tien.id)) == before
    db.session.refresh(venue)
    assert venue.commune_2025.code == "22918" and venue.commune.name == "Phường Hàm Tiến"
    # the default of the commune level is today's map; districts only exist on the former one
    dry = import_boundaries(fc("22918"), "commune", source="official.geojson", dry_run=True)
    assert dry.unchanged == ["22918"]
    try:
        import_boundaries(fc("593"), "district", source="x.geojson", valid_from=AFTER)
    except Invalid as exc:
        assert "as_of=2025-06-30" in exc.message
    else:
        raise AssertionError("districts of today's map were accepted")


def test_former_commune_boundaries_rebuild_todays_units(runner, tmp_path):
    path = tmp_path / "communes.geojson"
    path.write_text(json.dumps(fc("22918")), encoding="utf-8")
    result = runner.invoke(
        args=["areas", "import", str(path), "--level", "commune", "--valid-from", "2025-06-30"]
    )
    assert result.exit_code == 0, result.output
    assert "map of 30/06/2025" in result.output
    assert "today's units rebuilt from these boundaries: 1" in result.output
    ham_tien = get_area("22918", as_of=BEFORE)
    assert ham_tien.boundary_source == "communes.geojson"
    mui_ne = get_area("22918")
    assert mui_ne.boundary_source == "demo"  # still built with two demo neighbours
    refused = runner.invoke(
        args=["areas", "import", str(path), "--level", "district", "--valid-from", "2025-07-01"]
    )
    assert refused.exit_code == 1 and "no districts" in refused.output
    located = runner.invoke(args=["areas", "locate", "10.955", "108.2247", "--as-of", "2026-01-01"])
    assert located.exit_code == 0 and "22918 Phường Mũi Né" in located.output
