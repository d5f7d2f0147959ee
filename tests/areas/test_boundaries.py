"""Importing official boundaries: validation first, nothing changed on bad input."""

import json

import pytest
from sqlalchemy import func, select

from inspections.areas.models import Area
from inspections.areas.services import import_boundaries, locate
from inspections.errors import Invalid
from inspections.extensions import db
from tests.conftest import shared_file

SQUARE = [[[108.0, 10.9], [108.1, 10.9], [108.1, 11.0], [108.0, 11.0], [108.0, 10.9]]]


def fc(*features, **extra):
    return {"type": "FeatureCollection", "features": list(features), **extra}


def feature(code, coords=SQUARE, gtype="Polygon"):
    return {
        "type": "Feature",
        "properties": {"gso_code": code},
        "geometry": {"type": gtype, "coordinates": coords},
    }


def geoms():
    return dict(
        db.session.execute(
            select(Area.code, func.ST_AsText(Area.geom)).where(Area.level == "district")
        ).all()
    )


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"type": "Feature"}, "FeatureCollection"),
        (fc(), "no features"),
        (
            fc(feature("593"), crs={"type": "name", "properties": {"name": "EPSG:3405"}}),
            "EPSG:4326",
        ),
        (
            fc(
                feature(
                    "593",
                    [[[500000, 1200000], [510000, 1200000], [510000, 1210000], [500000, 1200000]]],
                )
            ),
            "projected",
        ),
        (
            fc(feature("593", [[[10.9, 108.0], [10.9, 108.1], [11.0, 108.1], [10.9, 108.0]]])),
            "swapped",
        ),
        (
            fc(
                feature(
                    "593",
                    [[[108.0, 10.9], [108.1, 11.0], [108.1, 10.9], [108.0, 11.0], [108.0, 10.9]]],
                )
            ),
            "invalid ring",
        ),
        (fc(feature("593", [[108.0, 10.9]], gtype="Point")), "Polygon"),
        (fc(feature("593", [[[108.0]]])), "malformed"),
        (fc({"type": "Feature", "properties": {"name": "x"}, "geometry": None}), "GSO code"),
        (fc(feature("593"), feature("593")), "repeats"),
        (fc(feature("12345678")), "No feature matches"),
    ],
)
def test_bad_files_change_nothing(payload, words):
    before = geoms()
    with pytest.raises(Invalid) as exc:
        import_boundaries(payload, "district", source="bad.geojson")
    assert words.lower() in exc.value.message.lower()
    assert geoms() == before


def test_unknown_level_refused():
    with pytest.raises(Invalid):
        import_boundaries(fc(feature("593")), "country", source="x")


def test_dry_run_reports_and_changes_nothing():
    before = geoms()
    report = import_boundaries(
        fc(feature("593"), feature("9999")), "district", source="one.geojson", dry_run=True
    )
    assert report.updated == ["593"]
    assert report.unmatched_features == ["9999"]
    assert "594" in report.areas_without_feature
    assert geoms() == before


def test_import_replaces_and_reassigns_venues(create_venue):
    venue = create_venue(lat=10.95, lon=108.05)
    report = import_boundaries(fc(feature("594")), "district", source="square.geojson")
    assert report.updated == ["594"]
    db.session.refresh(venue)
    assert venue.district.code == "594"
    assert report.venues_moved >= 1
    again = import_boundaries(fc(feature("594")), "district", source="square.geojson")
    assert again.updated == [] and again.unchanged == ["594"]


def test_official_binh_thuan_districts(runner):
    path = shared_file("binh_thuan_districts.geojson")
    result = runner.invoke(args=["areas", "import", str(path), "--level", "district"])
    assert result.exit_code == 0, result.output
    assert "10 district boundaries replaced" in result.output
    sources = set(db.session.scalars(select(Area.boundary_source).where(Area.level == "district")))
    assert sources == {"binh_thuan_districts.geojson"}
    assert locate(10.933, 108.287).district.code == "593"
    assert locate(10.52, 108.93).district.code == "602"
    # The commune follows the district even where demo cells disagree with real borders.
    where = locate(10.933, 108.287)
    assert where.commune.parent_id == where.district.id


def test_cli_reports_bad_file(runner, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            fc(
                feature(
                    "593",
                    [[[108.0, 10.9], [108.1, 11.0], [108.1, 10.9], [108.0, 11.0], [108.0, 10.9]]],
                )
            )
        )
    )
    result = runner.invoke(args=["areas", "import", str(bad), "--level", "district"])
    assert result.exit_code == 1
    assert "invalid ring" in result.output.lower()
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("{not json")
    result = runner.invoke(args=["areas", "import", str(garbage), "--level", "district"])
    assert result.exit_code == 1 and "GeoJSON" in result.output
