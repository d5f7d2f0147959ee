"""Importing the departments' Excel and CSV lists: formats, matching, rejects, idempotence."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspections.accounts.services import Scope
from inspections.audit.models import AuditEvent
from inspections.extensions import db
from inspections.venues import services
from inspections.venues.importing.columns import COLUMNS
from inspections.venues.importing.files import FileRejected, read_table
from inspections.venues.importing.write import run_import
from inspections.venues.models import Venue, VenueEvent
from tests.conftest import csrf_token
from tests.venues.helpers import csv_text, to_cp1258, xlsx_bytes

MB = 1024 * 1024
VI_HEADER = [
    "STT",
    "Tên cơ sở",
    "Ngành nghề",
    "Địa chỉ",
    "Vĩ độ",
    "Kinh độ",
    "Số ĐKKD",
    "Trạng thái",
    "Ngày hoạt động",
    "Ngày đóng cửa",
    "Điện thoại",
    "Ghi chú riêng",
]
GOOD = [
    [1, "Karaoke Hoàng Gia", "Karaoke", "12 Trần Hưng Đạo, Phường Bình Hưng", "10.9290",
     "108.1020", "KD-001", "Đang hoạt động", "01/02/2020", "", 912345678, "x"],
    [2, "Nhà nghỉ Sao Biển", "Nhà nghỉ", "5 Trần Phú, Phường Mũi Né", "10°55'58.8\"N",
     "108°17'13.2\"E", "KD-002", "", "15/03/2019", "", "", ""],
]  # fmt: skip
BAD = [
    [3, "", "Karaoke", "1 Lê Lợi", "10.93", "108.10", "", "", "", "", "", ""],
    [4, "Quán Xiếc", "Xiếc", "1 Lê Lợi", "10.93", "108.10", "", "", "", "", "", ""],
    [5, "Karaoke Trùng", "Karaoke", "1 Lê Lợi", "10.93", "108.10", "KD-001", "", "", "", "", ""],
    [6, "Karaoke Ngược", "Karaoke", "1 Lê Lợi", "108.10", "10.93", "", "", "", "", "", ""],
    [7, "Karaoke Sài Gòn", "Karaoke", "1 Lê Lợi", "10.77", "106.70", "", "", "", "", "", ""],
    [8, "Karaoke Đóng Sớm", "Karaoke", "1 Lê Lợi", "10.93", "108.10", "KD-009", "Đã đóng cửa",
     "01/02/2021", "01/01/2020", "", ""],
    [9, "Karaoke Ngày Sai", "Karaoke", "1 Lê Lợi", "10.93", "108.10", "KD-010", "", "31/02/2021",
     "", "", ""],
]  # fmt: skip
# file row numbers, as Excel shows them (title row 1, header row 2, data from row 3)
REASONS = {
    5: "The venue name is missing.",
    6: "Unknown sector “Xiếc”",
    7: "Duplicate of row 3 in this file (same registration number)",
    8: "look swapped",
    9: "outside the province",
    10: "before it opened",
    11: "is not a real date",
}


def count(*where):
    return db.session.scalar(select(func.count()).select_from(Venue).where(*where))


def table_of(rows, title="DANH SÁCH CƠ SỞ KINH DOANH DỊCH VỤ NHẠY CẢM", header=VI_HEADER):
    return read_table(xlsx_bytes([header, *rows], title=title), "danh-sach.xlsx", 10 * MB)


def test_dry_run_then_import_then_again_changes_nothing():
    table = table_of(GOOD + BAD)
    assert table.header_row == 2  # the title row above the header is skipped
    before = count()
    dry = run_import(table, scope=Scope(), dry_run=True)
    assert (dry.created, dry.updated, len(dry.rejected)) == (2, 0, 7)
    assert count() == before  # a dry run writes nothing
    assert dry.ignored == ["Ghi chú riêng"]

    real = run_import(table, scope=Scope(), dry_run=False)
    assert [(r.row, r.action) for r in real.results] == [(r.row, r.action) for r in dry.results]
    assert {r.row: r.reason for r in real.rejected}.keys() == REASONS.keys()
    for row, reason in REASONS.items():
        assert reason in next(r.reason for r in real.rejected if r.row == row)
    hg = db.session.scalar(select(Venue).where(Venue.registration_no == "KD-001"))
    assert hg.commune.code == "22951" and hg.opened_on == date(2020, 2, 1)
    assert hg.owner_phone == "0912345678"  # Excel had dropped the leading zero
    sb = db.session.scalar(select(Venue).where(Venue.registration_no == "KD-002"))
    assert sb.commune.code == "22915" and sb.sector.code == "lodging"
    assert count() == before + 2
    summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "import"))
    assert summary == "danh-sach.xlsx: 2 created, 0 updated, 0 unchanged, 7 rejected"

    again = run_import(table, scope=Scope(), dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count() == before + 2


def test_rows_match_on_numbers_then_on_name_and_address_within_50_m(create_venue):
    by_reg = create_venue(name="Karaoke Cũ", registration_no="DEMO-00007")
    by_cert = create_venue(name="Massage Sen", sector="massage", security_cert_no="88/GCN",
                           security_cert_on=date(2021, 4, 1))  # fmt: skip
    by_place = create_venue(
        name="Bar Hải Âu",
        sector="bar",
        address="3 Lê Lợi, Phường Bình Hưng",
        lat=10.9290,
        lon=108.1020,
    )
    header = ["Tên cơ sở", "Loại hình", "Địa chỉ", "Tọa độ", "Số ĐKKD", "Số GCN ANTT", "Số phòng",
              "Ngày cấp GCN ANTT"]  # fmt: skip
    rows = [
        ["Karaoke Cũ Đổi Tên", "karaoke", "", "", "demo-00007", "", 12, ""],
        ["Massage Sen", "Xoa bóp", "", "", "", "88/GCN", 5, "01/04/2021"],
        ["BAR HAI AU", "bar", "3 Lê Lợi,  Phường Bình Hưng", "10.92920, 108.10210", "", "", 20, ""],
        ["Bar Hải Âu", "bar", "3 Lê Lợi, Phường Bình Hưng", "10.9330, 108.1070", "", "", "", ""],
        # the same certificate number, issued another year: another certificate, another venue
        ["Spa Khác", "spa", "", "10.94, 108.16", "", "88/GCN", "", "01/06/2023"],
    ]
    report = run_import(table_of(rows, title=None, header=header), scope=Scope(), dry_run=False)
    got = {r.row: (r.action, r.venue_id) for r in report.results}
    assert got[2] == ("update", by_reg.id)  # registration number, case ignored
    assert got[3] == ("update", by_cert.id)  # certificate number
    assert got[4] == ("update", by_place.id)  # same name and address, 25 m away
    assert got[5][0] == "create"  # same name and address but 700 m away: another venue
    assert got[6][0] == "create"
    db.session.expire_all()
    assert db.session.get(Venue, by_reg.id).name == "Karaoke Cũ Đổi Tên"
    assert db.session.get(Venue, by_cert.id).capacity == 5
    moved = db.session.get(Venue, by_place.id)
    assert moved.capacity == 20
    assert (
        db.session.scalar(select(VenueEvent.kind).where(VenueEvent.venue_id == by_place.id))
        == "moved"
    )


def test_status_changes_from_a_list_go_through_the_lifecycle(create_venue):
    venue = create_venue(
        name="Spa Đóng Theo Danh Sách",
        sector="spa_sauna",
        registration_no="KD-77",
        opened_on=date(2018, 1, 1),
    )
    header = ["Tên cơ sở", "Số ĐKKD", "Tình trạng", "Ngày ngừng hoạt động"]
    rows = [["Spa Đóng Theo Danh Sách", "KD-77", "Ngừng hoạt động", "10/10/2024"]]
    report = run_import(table_of(rows, title=None, header=header), scope=Scope(), dry_run=False)
    assert report.updated == 1
    db.session.expire_all()
    closed = db.session.get(Venue, venue.id)
    assert closed.status == "closed" and closed.closed_on == date(2024, 10, 10)
    assert db.session.scalar(select(VenueEvent.reason).where(VenueEvent.venue_id == venue.id)) == (
        "Import of danh-sach.xlsx"
    )
    rows = [["Spa Đóng Theo Danh Sách", "KD-77", "Tạm ngừng", ""]]  # closed cannot be suspended
    report = run_import(table_of(rows, title=None, header=header), scope=Scope(), dry_run=False)
    assert report.rejected[0].row == 2 and "cannot be suspended" in report.rejected[0].reason


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "utf-16"])
def test_csv_in_every_encoding_old_excel_writes(encoding):
    header = ["Name", "Sector", "Address", "Latitude", "Longitude", "Registration no", "Opened on"]
    text = csv_text(
        [header, ["Karaoke Hoàng Gia Ế", "karaoke", "12 Trần Hưng Đạo", "10,9290", "108,1020",
                  "KD-ENC", "01/02/2020"]],
        sep=";",
    )  # fmt: skip
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    table = read_table(data, "list.csv", 10 * MB)
    assert table.kind == "csv" and table.encoding == encoding
    report = run_import(table, scope=Scope(), dry_run=False)
    assert report.created == 1, report.rejected
    venue = db.session.scalar(select(Venue).where(Venue.registration_no == "KD-ENC"))
    assert venue.name == "Karaoke Hoàng Gia Ế" and venue.address == "12 Trần Hưng Đạo"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7 not a list", "PDF file, not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n....", "PNG file"),
        # .xls is read since issue 17: one that is not a workbook cannot be read
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "workbook cannot be read"),
        (b"PK\x03\x04" + b"\0" * 100, "damaged"),
        (b"\x00\x01\x02binary", "binary"),
        (b"", "empty"),
        ("Số;Ghi chú\n1;x\n".encode(), "No header row found"),
    ],
)
def test_files_that_are_not_lists_are_refused(data, message):
    with pytest.raises(FileRejected) as exc:
        read_table(data, "upload", 10 * MB)
    assert message in exc.value.message


def test_a_50_mb_file_is_refused_before_it_is_read(as_user):
    with pytest.raises(FileRejected) as exc:
        read_table(b"x" * (50 * MB), "huge.csv", 10 * MB)
    assert "50.0 MB" in exc.value.message and "10 MB" in exc.value.message
    client = as_user("t_coord")
    # the multipart body is built here: the test client would spool it to an unclosed file
    boundary = "----x50mb"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'.encode(),
            csrf_token(client, "/venues/import").encode(),
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="huge.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode(),
            b"PK\x03\x04" + b"a" * (50 * MB),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    r = client.post(
        "/venues/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "The file is 50.0 MB; the limit is 10 MB" in html


def test_a_failed_import_writes_nothing(monkeypatch):
    before = count()

    def broken(ids):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "assign_venue_areas", broken)
    with pytest.raises(RuntimeError):
        run_import(table_of(GOOD), scope=Scope(), dry_run=False)
    assert count() == before
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "import")) == 0


def test_rows_outside_the_users_area_are_rejected_not_lost():
    rows = [
        ["Karaoke Phan Thiết", "karaoke", "", "10.9290", "108.1020"],
        ["Karaoke Tuy Phong", "karaoke", "", "11.2000", "108.6000"],
    ]
    header = ["Tên cơ sở", "Ngành nghề", "Địa chỉ", "Vĩ độ", "Kinh độ"]
    district = db.session.scalar(select(Venue.district_id).limit(0))  # noqa: F841
    from inspections.areas.models import Area

    phan_thiet = db.session.scalar(select(Area).where(Area.code == "593"))
    report = run_import(
        table_of(rows, title=None, header=header),
        scope=Scope(level="district", area_id=phan_thiet.id),
        dry_run=False,
    )
    assert report.created == 1
    assert report.rejected[0].row == 3 and "outside your area" in report.rejected[0].reason


def test_the_import_page_from_upload_to_confirmation(as_user, post, client):
    as_user("t_coord")
    data = xlsx_bytes([VI_HEADER, *GOOD, *BAD], title="Danh sách")
    r = post("/venues/import", {"file": (io.BytesIO(data), "danh sách 2024.xlsx")})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="n-create">2<' in html and 'id="n-reject">7<' in html
    assert "Row 6" in html and "Unknown sector" in html
    assert count(Venue.registration_no.in_(["KD-001", "KD-002"])) == 0  # only checked so far
    upload = html.split("/venues/import/")[1].split('"')[0]
    rejected = client.get(f"/venues/import/{upload}/rejected.xlsx")
    assert rejected.status_code == 200
    ws = load_workbook(io.BytesIO(rejected.data)).active
    rows = list(ws.values)
    assert rows[0][-1] == "error" and rows[0][1] == "Tên cơ sở" and len(rows) == 8
    assert rows[2][1] == "Quán Xiếc" and rows[2][-1].startswith("Row 6: Unknown sector")
    csv_file = client.get(f"/venues/import/{upload}/rejected.csv")
    assert csv_file.data.startswith(b"\xef\xbb\xbf") and "Row 5:" in csv_file.data.decode()

    r = post(f"/venues/import/{upload}")
    assert r.status_code == 200 and "Import done: 2 created" in r.get_data(as_text=True)
    assert count(Venue.registration_no.in_(["KD-001", "KD-002"])) == 2

    # fix the rejected file and import it: the error column is ignored
    ws.cell(row=3, column=3, value="Karaoke")  # Quán Xiếc becomes a karaoke
    buf = io.BytesIO()
    ws.parent.save(buf)
    r = post("/venues/import", {"file": (io.BytesIO(buf.getvalue()), "rejected.xlsx")})
    html = r.get_data(as_text=True)
    assert 'id="n-create">1<' in html and "error" not in html.split("Columns not read")[-1][:80]

    as_user("t_insp")
    assert client.get("/venues/import").status_code == 403
    assert client.get(f"/venues/import/{upload}/rejected.csv").status_code == 403


def test_someone_elses_upload_is_not_found(as_user, post, client):
    as_user("t_coord")
    r = post("/venues/import", {"file": (io.BytesIO(xlsx_bytes([VI_HEADER, *GOOD])), "a.xlsx")})
    upload = r.get_data(as_text=True).split("/venues/import/")[1].split('"')[0]
    as_user("t_admin")
    assert client.get(f"/venues/import/{upload}/rejected.csv").status_code == 404
    assert post(f"/venues/import/{upload}").status_code == 404


def test_cli_import_with_dry_run_and_rejected_file(runner, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([VI_HEADER, *GOOD, *BAD]))
    out = tmp_path / "rejected.csv"
    before = count()
    result = runner.invoke(
        args=["venues", "import", str(path), "--dry-run", "--rejected", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "dry run: 2 would be created, 0 would be updated, 0 unchanged, 7 rejected" in result.output
    )
    assert "row 5: Unknown sector" in result.output
    assert count() == before and out.read_bytes().startswith(b"\xef\xbb\xbf")
    result = runner.invoke(args=["venues", "import", str(path)])
    assert result.exit_code == 0 and "2 created" in result.output
    assert count() == before + 2
    bad = tmp_path / "photo.xlsx"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nxxxx")
    result = runner.invoke(args=["venues", "import", str(bad)])
    assert result.exit_code == 1 and "PNG file, not a spreadsheet" in result.output


def test_the_readme_documents_every_header():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Importing venue lists", 1)[1].split("\n## ", 1)[0]
    missing = [
        f"{field}: {name}"
        for field, names in COLUMNS.items()
        for name in names
        if f"`{field}`" not in section or name not in section
    ]
    assert missing == [], "README's import table is behind importing/columns.py COLUMNS"
