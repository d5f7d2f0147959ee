"""The venue's change log in words, under one heading: labels instead of database fields,
names instead of codes and ids, the command line as "System (command line)"."""

from __future__ import annotations

import re
from datetime import date

from inspections.accounts.services import Scope
from inspections.venues import services
from tests.conftest import user


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_change_log_speaks_words_under_one_heading(as_user, client, create_venue):
    venue = create_venue(name="Karaoke Nhật Ký", capacity=12)
    coordinator = user("t_coord")
    services.update_venue(venue, {"sector": "massage"}, scope=Scope(), user=coordinator)
    services.change_status(venue, "suspend", date(2024, 5, 2), "QĐ 1/QĐ", user=coordinator)
    as_user("t_review")
    client.set_cookie("lang", "vi")
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert html.count("Lịch sử thay đổi") + html.count(">Lịch sử<") == 1
    log = _text(
        re.search(r'<details class="history-box" id="change-log">.*?</details>', html, re.S)[0]
    )
    assert "Ngành nghề: Karaoke → Xoa bóp (massage)" in log
    assert "Trạng thái: Đang hoạt động → Tạm ngừng" in log
    assert "Hệ thống (dòng lệnh)" in log  # changed outside a request: the command line
    for raw in ("sector_id", "status operating", "operating", "cli:", "label_version"):
        assert raw not in log, raw


def test_the_command_line_and_an_import_are_named(app, as_user, client):
    from inspections.audit.services import actor_name

    assert actor_name("cli:root", {}) == "System (command line)"
    assert actor_name(None, {}) == "System"
    from inspections.venues.importing.files import read_table
    from inspections.venues.importing.write import run_import
    from tests.venues.helpers import xlsx_bytes
    from tests.venues.test_import import GOOD, MB, VI_HEADER

    table = read_table(xlsx_bytes([VI_HEADER, GOOD[0]]), "danh_sach.xlsx", 10 * MB)
    report = run_import(table, scope=Scope(), user=user("t_coord"), dry_run=False)
    (row,) = report.results
    as_user("t_coord")
    client.set_cookie("lang", "vi")
    log = _text(client.get(f"/venues/{row.venue_id}").get_data(as_text=True))
    assert "Tạo hồ sơ" in log and "Nhập từ tệp danh_sach.xlsx" in log
    client.set_cookie("lang", "en")  # where it came from, in the reader's language
    log = _text(client.get(f"/venues/{row.venue_id}").get_data(as_text=True))
    assert "Import of danh_sach.xlsx" in log and "Nhập từ tệp" not in log


def test_an_empty_timeline_does_not_deny_the_change_log(as_user, client, create_venue):
    """A venue never inspected: the history says what is missing (inspections, violations…),
    not "nothing recorded" above a change log that counts its creation."""
    venue = create_venue(name="Karaoke Mới Mở")
    as_user("t_review")
    client.set_cookie("lang", "vi")
    text = _text(client.get(f"/venues/{venue.id}").get_data(as_text=True))
    assert "Chưa có gì được ghi nhận" not in text
    assert "Chưa có lần kiểm tra, vi phạm, tin báo hay ghi chú nào." in text
    assert re.search(r"Các lần thay đổi thông tin cơ sở \(\d+\)", text)
