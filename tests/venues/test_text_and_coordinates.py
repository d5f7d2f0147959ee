"""Coordinates as people type them, dates as they write them, communes in addresses."""

from datetime import date

import pytest
from marshmallow import ValidationError

from inspections.venues.addresses import commune_from_address, communes_agree
from inspections.venues.duplicates import similarity
from inspections.venues.geo import CoordinateError, parse_coordinate, parse_point
from inspections.venues.schemas import parse_day

DMS_LAT = 10 + 55 / 60 + 59.6 / 3600
DMS_LON = 108 + 6 / 60 + 12.3 / 3600


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10.93321", 10.93321),
        ("10,93321", 10.93321),  # decimal comma from Vietnamese Excel
        ("10°55'59.6\"N", DMS_LAT),
        ("10°55′59.6″N", DMS_LAT),  # typographic primes
        ("10 55 59.6 N", DMS_LAT),
        ("N 10°55.99333'", DMS_LAT),  # degrees and decimal minutes
        ("10d55m59.6s N", DMS_LAT),
        ("10°55'59.6\" Bắc", DMS_LAT),
        ("10°55'59.6\"S", -DMS_LAT),
        ("-10.5", -10.5),
        (10.5, 10.5),
    ],
)
def test_one_coordinate(text, expected):
    assert parse_coordinate(text, "lat") == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize(
    "text, why",
    [
        ("108°06'12.3\"E", "swapped"),
        ("10°75'N", "below 60"),
        ("10.5°30'N", "whole degrees"),
        ("abc", "Not a coordinate"),
        ("", "empty"),
        ("-10°N", "not both"),
    ],
)
def test_bad_coordinates_say_why(text, why):
    with pytest.raises(CoordinateError) as exc:
        parse_coordinate(text, "lat")
    assert why in exc.value.message


@pytest.mark.parametrize(
    "text",
    [
        "10°55'59.6\"N 108°06'12.3\"E",
        "10°55'59.6\"N, 108°06'12.3\"E",
        "N10°55'59.6\" E108°06'12.3\"",
        "108°06'12.3\"E, 10°55'59.6\"N",  # labelled, so the order does not matter
        "10 55 59.6 N 108 6 12.3 E",
        "10°55'59,6\"N; 108°06'12,3\"E",
    ],
)
def test_dms_pairs(text):
    lat, lon = parse_point(text)
    assert lat == pytest.approx(DMS_LAT, abs=1e-7) and lon == pytest.approx(DMS_LON, abs=1e-7)


@pytest.mark.parametrize(
    "text",
    [
        "10.929, 108.102",
        "10.929,108.102",
        "10.929 108.102",
        "10,929, 108,102",
        "10,929; 108,102",
        "10,929 108,102",
        "https://www.google.com/maps/@10.929,108.102,17z",
    ],
)
def test_decimal_pairs(text):
    assert parse_point(text) == pytest.approx((10.929, 108.102))


@pytest.mark.parametrize("text", ["10.9", "1 2 3", "abc, def", "10,9,3", "10°55'59.6\"N"])
def test_incomplete_pairs(text):
    with pytest.raises(CoordinateError) as exc:
        parse_point(text)
    assert "latitude and longitude" in exc.value.message


def test_days_as_written():
    assert parse_day("05/03/2021") == date(2021, 3, 5)  # dd/mm, never mm/dd
    assert parse_day("5.3.2021") == date(2021, 3, 5)
    assert parse_day("2021-03-05") == date(2021, 3, 5)
    for bad in ("31/02/2021", "2021/13/01", "hôm qua"):
        with pytest.raises(ValidationError):
            parse_day(bad)


@pytest.mark.parametrize(
    "address, commune",
    [
        ("12 Trần Hưng Đạo, KP 3, Phường Mũi Né, TP Phan Thiết", "Phường Mũi Né"),
        ("12 Lê Lợi, Mũi Né, Phan Thiết", "Mũi Né"),
        ("Thôn 2, xã Hàm Mỹ, huyện Hàm Thuận Nam", "xã Hàm Mỹ"),
        ("5 Nguyễn Huệ, P.1, TP Tuy Hòa", "P.1"),
        ("Quốc lộ 1A", None),
    ],
)
def test_commune_written_in_an_address(address, commune):
    assert commune_from_address(address) == commune


def test_communes_compare_without_accents_or_unit_words():
    assert communes_agree("P. Mũi Né", "Phường Mũi Né") is True
    assert communes_agree("phuong mui ne", "Phường Mũi Né") is True
    assert communes_agree("Phường 01", "Phường 1") is True
    assert communes_agree("Xã Tiến Lợi", "Phường Mũi Né") is False
    assert communes_agree(None, "Phường Mũi Né") is None


def test_name_similarity_ignores_sector_words_and_accents():
    assert similarity("Karaoke Hoàng Gia", "karaoke hoang gia 2") > 0.75
    assert similarity("Karaoke Hoàng Gia", "Karaoke Family Hoàng Gia") == 1.0
    assert similarity("Karaoke Hoàng Gia", "Karaoke Sóng Biển") < 0.3
    assert similarity("Karaoke Hoàng Gia", "Karaoke Hoàng Hôn") < 0.75
