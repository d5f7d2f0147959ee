"""Both administrative maps side by side: today's units with their predecessors, the same code
naming two units, locate and venue units by version, bad unit lists refused whole."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from flask_babel import force_locale
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from inspections.areas.models import SPLIT, WHOLE, Area, AreaPredecessor
from inspections.areas.services import (
    assign_venue_areas,
    get_area,
    in_force,
    load_successor_units,
    locate,
    unit_history,
    venue_area_column,
    version_of,
)
from inspections.areas.successors import derive_successor_boundaries
from inspections.errors import Invalid, NotFound
from inspections.extensions import db
from inspections.spatial import point
from tests.conftest import shared_file

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


def units(level: str, day: date) -> list[Area]:
    return list(db.session.scalars(in_force(level, day)))


def predecessor_codes(area: Area, kind: str | None = None) -> set[str]:
    return {
        link.predecessor.code
        for link in area.predecessor_links
        if kind is None or link.kind == kind
    }


def test_todays_map_has_lam_dong_and_its_124_units():
    province = get_area("68")  # the latest version of the code
    assert (province.name, province.valid_from, province.valid_to) == ("Tỉnh Lâm Đồng", AFTER, None)
    today = units("commune", AFTER)
    assert len(today) == 124 and {u.parent_id for u in today} == {province.id}
    assert all(u.lat is not None and u.lon is not None for u in today)
    assert units("district", AFTER) == []
    assert [p.code for p in units("province", AFTER)] == ["68"]
    # the former provinces it was formed from, each whole
    former = {p.code: p for p in units("province", BEFORE)}
    assert set(former) == {"60", "67", "68"}
    assert former["68"].name == "Tỉnh Lâm Đồng" and former["67"].name == "Tỉnh Đắk Nông"
    assert {p.valid_to for p in former.values()} == {BEFORE}
    assert predecessor_codes(province, WHOLE) == {"60", "67", "68"}


def test_45_units_on_former_binh_thuan_cover_its_121_communes():
    on_binh_thuan = [u for u in units("commune", AFTER) if u.predecessor_links]
    assert len(on_binh_thuan) == 45
    assert Counter(u.unit_type for u in on_binh_thuan) == {"Phường": 8, "Xã": 36, "Đặc khu": 1}
    assert all(u.has_boundary for u in on_binh_thuan)
    former = units("commune", BEFORE)
    assert len(former) == 121
    covered = {link.predecessor_id for u in on_binh_thuan for link in u.predecessor_links}
    assert covered == {c.id for c in former}
    # the other 79 units of Lâm Đồng: a point, no polygon
    others = [u for u in units("commune", AFTER) if not u.predecessor_links]
    assert len(others) == 79 and not any(u.has_boundary for u in others)


def test_reused_codes_name_two_units_on_two_maps():
    mui_ne = get_area("22918")
    ham_tien = get_area("22918", as_of=date(2024, 5, 1))
    assert (mui_ne.name, mui_ne.valid_from) == ("Phường Mũi Né", AFTER)
    assert (ham_tien.name, ham_tien.valid_to, ham_tien.parent.code) == (
        "Phường Hàm Tiến",
        BEFORE,
        "593",
    )
    assert get_area("22918", as_of=AFTER).id == mui_ne.id
    ham_liem = get_area("23098")  # the GSO's code; it named Xã Hàm Chính before
    assert ham_liem.name == "Xã Hàm Liêm"
    assert predecessor_codes(ham_liem) == {"23095", "23098"}
    assert get_area("23098", as_of=BEFORE).name == "Xã Hàm Chính"
    assert predecessor_codes(mui_ne, WHOLE) == {"22915", "22918", "22957"}
    phu_quy = get_area("23272", as_of=date(2026, 1, 1))
    ngu_phung = get_area("23272", as_of=BEFORE)
    assert (phu_quy.name, phu_quy.unit_type) == ("Đặc khu Phú Quý", "Đặc khu")
    assert ngu_phung.name == "Xã Ngũ Phụng" and ngu_phung.parent.code == "602"
    district_602 = get_area("602")
    assert predecessor_codes(phu_quy) == {c.code for c in district_602.children}
    with pytest.raises(NotFound) as exc:
        get_area("593", as_of=date(2026, 1, 1))  # districts are gone
    assert "593" in exc.value.message


# Spellings of the former GSO list (the reference file) that vietnamadminunits writes with
# today's usage (y for i, the tone mark on the main vowel): the same units.
SPELLINGS = {"23140": "Xã Thuận Quý", "23218": "Xã Vũ Hòa"}
# The reference file codes today's Xã Hàm Liêm as vietnamadminunits does; the GSO list (the
# authority for codes, packaged by vietnam-provinces) gives 23098: see seed_data/README.md.
GSO_CODES = {"23095": "23098"}


def test_seed_agrees_with_the_reference_file():
    data = json.loads(shared_file("binh_thuan_admin_units.json").read_text(encoding="utf-8"))
    for ref in data["new_units_2025_from_binh_thuan"]:
        unit = get_area(GSO_CODES.get(ref["code"], ref["code"]), as_of=AFTER)
        assert (unit.name, unit.unit_type) == (ref["name"], ref["type"]), ref["code"]
        assert unit.area_km2 == pytest.approx(ref["area_km2"])
    for district in data["districts"]:
        for commune in district["communes"]:
            old = get_area(commune["gso_code"], as_of=BEFORE)
            assert old.name == SPELLINGS.get(old.code, commune["name"])
            links = {link.successor.code: link for link in old.successor_links}
            expected = {GSO_CODES.get(m["code"], m["code"]): m for m in commune["merged_into_2025"]}
            assert set(links) == set(expected)
            for code, m in expected.items():
                link = links[code]
                assert link.kind == (SPLIT if len(links) > 1 else WHOLE)
                assert link.main_part == bool(m["partial_default"])


def test_divided_communes_are_cut_between_their_successors():
    phong_phu = get_area("22978", as_of=BEFORE)  # Xã Phong Phú: Phan Rí Cửa and Tuy Phong
    links = {link.successor.code: link for link in phong_phu.successor_links}
    assert set(links) == {"22972", "22978"}
    assert {link.kind for link in links.values()} == {SPLIT}
    assert links["22972"].main_part and not links["22978"].main_part
    old = to_shape(db.session.scalar(select(Area.geom).where(Area.id == phong_phu.id)))
    parts = {
        code: to_shape(db.session.scalar(select(Area.geom).where(Area.id == link.successor_id)))
        for code, link in links.items()
    }
    # the two parts make the whole commune, without overlap
    shared = [parts[c].intersection(old).area for c in parts]
    assert sum(shared) == pytest.approx(old.area, rel=1e-3)
    assert parts["22972"].intersection(parts["22978"]).area < old.area * 1e-3
    for unit in (get_area("22972"), get_area("22978")):
        assert unit.boundary_source == "demo"  # approximate: demo polygons, and a cut


def test_a_union_of_whole_communes_is_their_union():
    mui_ne = get_area("22918")
    new = to_shape(db.session.scalar(select(Area.geom).where(Area.id == mui_ne.id)))
    olds = [
        to_shape(db.session.scalar(select(Area.geom).where(Area.id == link.predecessor_id)))
        for link in mui_ne.predecessor_links
    ]
    assert new.area == pytest.approx(sum(o.area for o in olds), rel=1e-4)
    assert derive_successor_boundaries() == 0  # built once; the same on a second run


def test_locate_on_each_map():
    today = locate(10.933, 108.287)  # the seat of former Phường Mũi Né
    assert (today.district.code, today.commune.code) == ("593", "22915")
    assert (today.unit.code, today.unit.name) == ("22918", "Phường Mũi Né")
    assert today.province.code == "68" and today.province.valid_from == AFTER
    before = locate(10.933, 108.287, as_of=date(2024, 3, 1))
    assert before.unit.id == before.commune.id and before.province.code == "60"
    assert version_of(date(2024, 3, 1)).key == "former" and version_of(AFTER).key == "2025"
    # Đà Lạt is in today's province, but no boundary of its units is loaded
    with pytest.raises(Invalid) as exc:
        locate(11.94, 108.44)
    assert "km" in exc.value.message


def test_locate_api_and_area_api_by_day(as_user):
    client = as_user("t_coord")
    today = client.get("/api/v1/areas/locate?lat=10.955306&lon=108.224757").json
    assert today["commune"]["code"] == "22918" and today["commune"]["name"] == "Phường Hàm Tiến"
    assert today["unit"]["name"] == "Phường Mũi Né" and today["province"]["code"] == "68"
    old = client.get("/api/v1/areas/locate?lat=10.955306&lon=108.224757&as_of=2024-01-01").json
    assert old["unit"]["name"] == "Phường Hàm Tiến" and old["province"]["code"] == "60"
    assert client.get("/api/v1/areas/22918").json["name"] == "Phường Mũi Né"
    ham_tien = client.get("/api/v1/areas/22918?as_of=2025-06-30").json
    assert ham_tien["name"] == "Phường Hàm Tiến"
    assert ham_tien["successors"] == [
        {"code": "22918", "name": "Phường Mũi Né", "kind": "whole", "main_part": False}
    ]
    listed = client.get("/api/v1/areas?level=commune&as_of=2026-01-01&page_size=50")
    assert int(json.loads(listed.headers["X-Pagination"])["total"]) == 124
    assert client.get("/api/v1/areas/22918?as_of=1900-01-01").status_code == 422
    fc = client.get("/api/v1/areas/boundaries.geojson?level=commune").json
    assert len(fc["features"]) == 45  # today's map by default
    fc = client.get("/api/v1/areas/boundaries.geojson?level=commune&as_of=2025-06-30").json
    assert len(fc["features"]) == 121


def test_a_venue_belongs_to_one_unit_on_each_map(create_venue):
    ham_tien = get_area("22918", as_of=BEFORE)
    venue = create_venue(lat=ham_tien.ref_lat, lon=ham_tien.ref_lon)
    assert (venue.district.code, venue.commune.name) == ("593", "Phường Hàm Tiến")
    assert venue.commune_2025.name == "Phường Mũi Né"
    history = unit_history(venue)
    assert history.label == (
        "Phường Mũi Né (before 1/7/2025: Phường Hàm Tiến, Thành phố Phan Thiết)"
    )
    assert not history.divided and {a.code for a in history.predecessors} == {
        "22915",
        "22918",
        "22957",
    }
    with force_locale("vi"):
        assert unit_history(venue).label == (
            "Phường Mũi Né (trước 1/7/2025: Phường Hàm Tiến, Thành phố Phan Thiết)"
        )
    # moving the venue moves it on today's map too, whoever writes the location
    la_gi = get_area("23235", as_of=AFTER)  # Phường La Gi
    seat = get_area("23235", as_of=BEFORE)  # former Phường Tân An, whole into La Gi
    venue.location = point(seat.ref_lat, seat.ref_lon)
    db.session.flush()
    assert venue.commune_2025_id == la_gi.id
    assert venue_area_column("commune", AFTER).key == "commune_2025_id"
    assert venue_area_column("commune", BEFORE).key == "commune_id"


def _inside(code: str) -> tuple[float, float]:
    """A point well inside today's unit's part of divided Xã Phong Phú."""
    old = to_shape(
        db.session.scalar(select(Area.geom).where(Area.id == get_area("22978", BEFORE).id))
    )
    new = to_shape(db.session.scalar(select(Area.geom).where(Area.id == get_area(code).id)))
    part = old.intersection(new).buffer(-0.002)
    pt = part.representative_point()
    return pt.y, pt.x


def test_venues_of_a_divided_commune_follow_the_cut(create_venue):
    south = create_venue(name="Phía Phan Rí Cửa", lat=_inside("22972")[0], lon=_inside("22972")[1])
    north = create_venue(name="Phía Tuy Phong", lat=_inside("22978")[0], lon=_inside("22978")[1])
    assert south.commune.name == north.commune.name == "Xã Phong Phú"
    assert south.commune_2025.code == "22972" and north.commune_2025.code == "22978"
    assert unit_history(north).divided
    with force_locale("en"):
        assert unit_history(north).label.startswith("Xã Tuy Phong (before 1/7/2025: Xã Phong Phú")


def test_where_no_boundary_says_more_the_mapping_decides(create_venue):
    ham_tien = get_area("22918", as_of=BEFORE)
    whole = create_venue(name="Hàm Tiến", lat=ham_tien.ref_lat, lon=ham_tien.ref_lon)
    split = create_venue(name="Phong Phú", lat=_inside("22978")[0], lon=_inside("22978")[1])
    db.session.execute(
        Area.__table__.update()
        .where(Area.__table__.c.valid_from == AFTER)
        .values(geom=None, boundary_source=None)
    )
    assign_venue_areas([whole.id, split.id])
    assert db.session.get(type(whole), whole.id).commune_2025.code == "22918"  # went whole
    # a divided commune without boundaries: the successor with its main part
    assert db.session.get(type(split), split.id).commune_2025.code == "22972"


def test_demo_venues_are_placed_on_todays_map():
    from inspections.venues import demo
    from inspections.venues.models import Venue

    created = demo.load_demo_venues()
    assert created > 1000
    missing = db.session.scalar(
        select(func.count()).select_from(Venue).where(Venue.commune_2025_id.is_(None))
    )
    assert missing == 0
    used = db.session.scalar(select(func.count(func.distinct(Venue.commune_2025_id))))
    assert used == 45


# ---------------------------------------------------------------- bad unit lists

PROVINCE = {"code": "68", "name": "Tỉnh Lâm Đồng", "unit_type": "Tỉnh"}


def _count_areas() -> int:
    return db.session.scalar(select(func.count()).select_from(Area))


def _links() -> int:
    return db.session.scalar(select(func.count()).select_from(AreaPredecessor))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (  # a unit of 22918 valid from June would overlap former Phường Hàm Tiến
            {
                "valid_from": "2025-06-01",
                "province": {**PROVINCE, "code": "69"},
                "units": [{"code": "22918", "name": "Phường Mũi Né", "unit_type": "Phường"}],
            },
            "valid on the same days",
        ),
        (
            {
                "valid_from": "2025-07-01",
                "province": PROVINCE,
                "units": [
                    {
                        "code": "99990",
                        "name": "Xã Thử",
                        "predecessors": [{"code": "12345", "kind": "whole"}],
                    }
                ],
            },
            "12345",
        ),
        (
            {
                "valid_from": "2025-07-01",
                "province": PROVINCE,
                "units": [{"code": "99990", "name": "Xã Thử", "predecessors": [{"code": "22915"}]}],
            },
            "whole into one unit and also",
        ),
        (
            {
                "valid_from": "2025-07-01",
                "province": PROVINCE,
                "units": [
                    {
                        "code": "99990",
                        "name": "Xã Thử",
                        "predecessors": [{"code": "22915", "kind": "partly"}],
                    }
                ],
            },
            "whole or split",
        ),
        ({"province": PROVINCE, "units": []}, "valid_from"),
    ],
)
def test_bad_unit_lists_are_refused_whole(data, words):
    before = (_count_areas(), _links())
    with pytest.raises(Invalid) as exc:
        load_successor_units(data)
    assert exc.value.status == 422
    assert words in exc.value.message
    assert (_count_areas(), _links()) == before


def test_cli_load_refuses_a_bad_list_and_loads_a_good_one(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "valid_from": "2025-07-01",
                "province": PROVINCE,
                "units": [{"code": "99990", "name": "Xã Thử", "predecessors": [{"code": "12345"}]}],
            }
        ),
        encoding="utf-8",
    )
    before = _count_areas()
    result = runner.invoke(args=["areas", "load", str(bad)])
    assert result.exit_code == 1 and "12345" in result.output
    assert _count_areas() == before
    seed = tmp_path / "today.json"
    seed.write_text(json.dumps(_seed_list()), encoding="utf-8")
    result = runner.invoke(args=["areas", "load", str(seed)])
    assert result.exit_code == 0, result.output
    assert "changed: 0" in result.output  # the seed's own list: nothing to change


def _seed_list() -> dict:
    from inspections.seeding import seed_dir

    return json.loads((seed_dir() / "areas" / "lam_dong_2025.json").read_text(encoding="utf-8"))
