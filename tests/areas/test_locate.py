"""The one spatial lookup, on the database of the run (SpatiaLite or PostGIS)."""

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from inspections.areas.models import Area
from inspections.areas.services import locate
from inspections.errors import Invalid
from inspections.extensions import db


def test_mui_ne_is_in_phan_thiet():
    where = locate(10.933, 108.287)
    assert where.district.code == "593"
    assert where.commune.code == "22915"  # Phường Mũi Né
    assert where.snapped_m is None


def test_phu_quy_island_is_in_phu_quy():
    where = locate(10.52, 108.93)
    assert where.district.code == "602"
    assert where.commune.parent_id == where.district.id


def test_commune_always_belongs_to_the_district():
    for lat, lon in [(11.2, 108.6), (10.65, 107.75), (11.1, 107.68), (10.9, 108.05)]:
        where = locate(lat, lon)
        assert where.commune is not None
        assert where.commune.parent_id == where.district.id


def _edge_point(code: str, metres_out: float) -> tuple[float, float]:
    """A point east of the district's easternmost vertex, metres_out outside it."""
    geom = to_shape(db.session.scalar(select(Area.geom).where(Area.code == code)))
    lon, lat = max(
        geom.exterior.coords
        if geom.geom_type == "Polygon"
        else (c for g in geom.geoms for c in g.exterior.coords)
    )
    return lat, lon + metres_out / 109_000  # ~109 km per degree of longitude at 11°N


def test_point_just_off_the_coast_snaps_to_nearest_district():
    lat, lon = _edge_point("602", 1000)  # 1 km east of Phú Quý's polygon
    where = locate(lat, lon)
    assert where.district.code == "602"
    assert 800 < where.snapped_m < 1200


def test_point_further_out_is_refused_with_distance():
    lat, lon = _edge_point("602", 5000)
    with pytest.raises(Invalid) as exc:
        locate(lat, lon)
    assert "km" in exc.value.message and "Phú Qu" in exc.value.message


def test_swapped_coordinates_are_named():
    with pytest.raises(Invalid) as exc:
        locate(108.287, 10.933)
    assert "swapped" in exc.value.message or "hoán đổi" in exc.value.message


def test_coordinates_outside_vietnam_are_refused():
    with pytest.raises(Invalid):
        locate(48.85, 2.35)
    with pytest.raises(Invalid):
        locate(95, 200)


def test_locate_api(as_user):
    client = as_user("t_coord")
    ok = client.get("/api/v1/areas/locate?lat=10.933&lon=108.287")
    assert ok.status_code == 200
    assert ok.json["district"]["code"] == "593"
    assert ok.json["commune"]["code"] == "22915"
    far = client.get("/api/v1/areas/locate?lat=12.5&lon=108.0")
    assert far.status_code == 422
    assert "km" in far.json["message"]
    bad = client.get("/api/v1/areas/locate?lat=abc&lon=108")
    assert bad.status_code == 422
    assert "lat" in bad.json["errors"]


def test_area_list_and_geojson_api(as_user):
    client = as_user("t_coord")
    districts = client.get("/api/v1/areas?level=district&page_size=50")
    assert districts.status_code == 200
    assert [a["code"] for a in districts.json] == [str(c) for c in range(593, 603)]
    assert districts.headers["X-Pagination"]
    search = client.get("/api/v1/areas?q=phan thiet")
    assert any(a["code"] == "593" for a in search.json)
    fc = client.get("/api/v1/areas/boundaries.geojson?level=district")
    assert fc.status_code == 200 and fc.mimetype == "application/geo+json"
    assert len(fc.json["features"]) == 10
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in fc.json["features"])
    assert client.get("/api/v1/areas/999999").status_code == 404
    assert client.get("/api/v1/areas?level=province_x").status_code == 422
