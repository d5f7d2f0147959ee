"""Phone numbers: one form for the form, the API and every import format."""

import pytest
from sqlalchemy import select

from inspections.accounts.services import Scope
from inspections.extensions import db
from inspections.venues.importing.files import read_table
from inspections.venues.importing.write import run_import
from inspections.venues.models import Venue
from inspections.venues.phones import PhoneError, normalise_phone
from tests.venues.helpers import csv_text

MB = 1024 * 1024


@pytest.mark.parametrize(
    "written, stored",
    [
        ("0912345678", "0912345678"),
        ("912345678", "0912345678"),  # a CSV or text cell that lost its leading 0
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("(+84) 252 3822 123", "02523822123"),
        ("(0252) 3822 123", "02523822123"),
        ("0252.3822.123", "02523822123"),
        ("2523822123", "02523822123"),  # a landline that lost its 0
        ("028 3829 1234", "02838291234"),
        ("0168 123 4567", "0381234567"),  # 11-digit mobile of before 2018: its new prefix
        ("0123.456.7890", "0834567890"),
        ("0912345678 - 0252.3822.123", "0912345678, 02523822123"),
        ("0912345678; 0987654321", "0912345678, 0987654321"),
        ("0912345678 / 0912 345 678", "0912345678"),  # the same number twice
        ("0912345678 0987654321", "0912345678, 0987654321"),
        ("+7 912 345-67-89", "+79123456789"),  # a foreign owner's number stays international
        ("", None),
        (None, None),
    ],
)
def test_vietnamese_numbers_are_kept_in_one_form(written, stored):
    assert normalise_phone(written) == stored


@pytest.mark.parametrize(
    "written",
    ["12345", "0912", "091234567890", "0112345678", "0612345678", "ĐT 0912345678", "+84 12"],
)
def test_what_is_not_a_phone_number_is_refused(written):
    with pytest.raises(PhoneError) as exc:
        normalise_phone(written)
    assert "is not a Vietnamese phone number" in exc.value.message


def _form(phone):
    return {
        "name": "Karaoke Số Điện Thoại",
        "sector": "karaoke",
        "coordinates": "10.9290, 108.1020",
        "owner_phone": phone,
    }


def test_the_form_stores_the_number_in_its_one_form_or_says_what_is_wrong(as_user, post, client):
    as_user("t_coord")
    r = post("/venues/new", _form("+84 912.345.678"))
    assert r.status_code == 302, r.get_data(as_text=True)
    venue = db.session.scalar(select(Venue).where(Venue.name == "Karaoke Số Điện Thoại"))
    assert venue.owner_phone == "0912345678"
    r = post(f"/venues/{venue.id}/edit", {**_form("12345"), "name": "Karaoke Số Sai"})
    assert r.status_code == 422
    assert "is not a Vietnamese phone number" in r.get_data(as_text=True)
    client.set_cookie("lang", "vi")
    r = post(f"/venues/{venue.id}/edit", {**_form("12345"), "name": "Karaoke Số Sai"})
    assert r.status_code == 422
    assert "không phải là số điện thoại Việt Nam" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Venue, venue.id).name == "Karaoke Số Điện Thoại"


def test_the_api_stores_the_number_in_its_one_form_or_answers_422(client, token_for):
    headers = token_for("t_coord")
    body = {"name": "Spa Điện Thoại", "sector": "spa_sauna", "latitude": 10.929,
            "longitude": 108.102, "owner_phone": "0252 3822 123"}  # fmt: skip
    r = client.post("/api/v1/venues", json=body, headers=headers)
    assert r.status_code == 201 and r.json["owner_phone"] == "02523822123"
    url = f"/api/v1/venues/{r.json['id']}"
    r = client.patch(url, json={"owner_phone": "84 168 123 4567"}, headers=headers)
    assert r.status_code == 200 and r.json["owner_phone"] == "0381234567"
    r = client.patch(url, json={"owner_phone": "0912"}, headers=headers)
    assert r.status_code == 422
    assert "is not a Vietnamese phone number" in r.json["errors"]["owner_phone"][0]


def test_an_import_row_with_a_bad_number_is_rejected_with_its_reason():
    header = ["Tên cơ sở", "Ngành nghề", "Tọa độ", "Số điện thoại"]
    rows = [
        ["Karaoke Biển Xanh", "karaoke", "10.9290, 108.1020", "912345678"],
        ["Nhà nghỉ Hướng Dương", "nhà nghỉ", "10.9330, 108.2870", "(0252) 3.822.123"],
        ["Massage Thảo Nguyên", "massage", "10.9300, 108.1000", "091234"],
    ]
    data = csv_text([header, *rows]).encode()
    report = run_import(read_table(data, "sdt.csv", 10 * MB), scope=Scope(), dry_run=False)
    assert report.created == 2
    [bad] = report.rejected
    assert bad.row == 4 and bad.reason.startswith("Số điện thoại: “091234” is not a Vietnamese")
    phones = dict(db.session.execute(select(Venue.name, Venue.owner_phone)).all())
    assert phones["Karaoke Biển Xanh"] == "0912345678"
    assert phones["Nhà nghỉ Hướng Dương"] == "02523822123"
