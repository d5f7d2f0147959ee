"""The violation register's exports speak the reader's language: labels, sheet and file
names; the codes a program needs in columns of their own."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.violations.test_register import _setup

ENGLISH_CODES = {"organisation", "individual", "open", "overdue", "karaoke", "massage"}


def test_the_xlsx_export_in_vietnamese(as_user, client, create_venue, record_violation):
    _setup(create_venue, record_violation)
    as_user("t_review")
    client.set_cookie("lang", "vi")
    r = client.get("/violations/export?format=xlsx&sort=oldest")
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    assert 'filename="vi-pham-' in disposition and disposition.endswith('.xlsx"')
    book = load_workbook(io.BytesIO(r.get_data()))
    assert book.sheetnames == ["Vi phạm"]
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    assert {"Ngành nghề", "Đối tượng", "Tình trạng khắc phục"} <= set(col)
    assert {"Mã ngành nghề", "Mã đối tượng", "Mã tình trạng khắc phục"} <= set(col)
    labels = {"Ngành nghề", "Đối tượng", "Tình trạng khắc phục"}
    shown = {row[col[name]] for row in body for name in labels}
    assert not shown & ENGLISH_CODES
    assert {"Karaoke", "Cá nhân", "Tổ chức", "Quá hạn"} <= shown
    massage = next(row for row in body if row[col["Cơ sở"]] == "Massage Hoa Sen")
    # where it is: today's commune, and the former district beside it
    assert massage[col["Xã, phường (từ 1/7/2025)"]] and massage[col["Huyện (trước 1/7/2025)"]]
    assert massage[col["Mã ngành nghề"]] == "massage"
    assert massage[col["Mã tình trạng khắc phục"]] == "overdue"
    assert massage[col["Mã đối tượng"]] == "individual"
    # fines are numbers shown with their thousands grouped
    fines = [
        row[col["Tiền phạt (đ)"]]
        for row in book.active.iter_rows(min_row=2)
        if row[col["Tiền phạt (đ)"]].value is not None
    ]
    assert fines and all(isinstance(c.value, int) for c in fines)
    assert {c.number_format for c in fines} == {"#,##0"}


def test_the_csv_export_in_vietnamese(as_user, client, create_venue, record_violation):
    _setup(create_venue, record_violation)
    as_user("t_review")
    client.set_cookie("lang", "vi")
    r = client.get("/api/v1/violations/export?format=csv")
    assert r.status_code == 200 and 'filename="vi-pham-' in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    col = {name: i for i, name in enumerate(rows[0])}
    assert {row[col["Đối tượng"]] for row in rows[1:]} == {"Cá nhân", "Tổ chức"}
    assert {row[col["Mã đối tượng"]] for row in rows[1:]} == {"individual", "organisation"}
