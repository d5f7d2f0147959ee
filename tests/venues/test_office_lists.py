"""Venue lists as offices keep them (issue 17): typed with the TCVN3 or VNI fonts, saved as CSV,
.xlsx or .xls, with phone numbers and certificate dates written every which way."""

import io
import unicodedata
from datetime import date

import pytest
from sqlalchemy import select

from inspections.accounts.services import Scope
from inspections.extensions import db
from inspections.venues.importing.columns import map_columns
from inspections.venues.importing.files import read_table
from inspections.venues.importing.legacy import (
    TCVN3,
    VNI,
    decode_tcvn3,
    decode_vni,
    recode_rows,
    syllable_ok,
)
from inspections.venues.importing.write import run_import
from inspections.venues.models import Venue
from tests.venues.fixtures import (
    CERTIFICATES,
    HEADER,
    PHONES,
    ROWS,
    TITLE,
    as_typed,
    csv_bytes,
    to_tcvn3,
    to_vni,
)
from tests.venues.fixtures.xls import xls_bytes
from tests.venues.helpers import to_cp1258, xlsx_bytes

MB = 1024 * 1024
NAMES = [row[1] for row in ROWS]
# every lower-case Vietnamese letter with a mark
LETTERS = "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ"


def _read(data: bytes, name: str):
    return read_table(data, name, 10 * MB)


def _imported() -> dict[str, Venue]:
    return {v.name: v for v in db.session.scalars(select(Venue).where(Venue.name.in_(NAMES)))}


def _check_the_list_was_imported(report):
    assert (report.created, len(report.rejected)) == (6, 0), report.rejected
    venues = _imported()
    assert sorted(venues) == sorted(NAMES)
    for name, venue in venues.items():
        assert venue.owner_phone == PHONES[name]
        assert (venue.security_cert_no, venue.security_cert_on) == CERTIFICATES[name]
        assert venue.district.code == "593"
    assert venues["Massage Ngọc Lan"].sector.code == "massage"  # "Xoa bóp"
    assert venues["Nhà nghỉ Biển Xanh"].address == "Khu phố 5, Phường Mũi Né"


# ---------------------------------------------------------------- the code tables


def test_the_tables_read_what_old_lists_show():
    # TCVN3 text as Windows shows it, written out from TCVN 5712:1993 VN3
    assert decode_tcvn3("Tªn c¬ së") == "Tên cơ sở"
    assert decode_tcvn3("Nhµ nghØ") == "Nhà nghỉ"
    assert decode_tcvn3("§Þa chØ") == "Địa chỉ"
    assert decode_tcvn3("Sè ®iÖn tho¹i") == "Số điện thoại"
    assert decode_tcvn3("Ngµy cÊp GCN ANTT") == "Ngày cấp GCN ANTT"
    assert decode_tcvn3("Phan ThiÕt") == "Phan Thiết"
    # .VnTimeH: capitals typed as the lower-case codes
    assert decode_tcvn3("NHµ NGHØ") == "NHÀ NGHỈ"
    assert decode_tcvn3("§ÞA CHØ") == "ĐỊA CHỈ"
    assert decode_tcvn3("DANH S¸CH C¥ Së") == "DANH SÁCH CƠ SỞ"
    # VNI-Windows, written out from the VNI table
    assert decode_vni("Teân cô sôû") == "Tên cơ sở"
    assert decode_vni("Nhaø nghæ") == "Nhà nghỉ"
    assert decode_vni("Ñòa chæ") == "Địa chỉ"
    assert decode_vni("Soá ñieän thoaïi") == "Số điện thoại"
    assert decode_vni("TRÖÔØNG") == "TRƯỜNG" and decode_vni("Hoà Chí Minh") == "Hồ Chí Minh"


def test_every_letter_goes_there_and_back():
    assert len(LETTERS) == 67 and all(unicodedata.is_normalized("NFC", c) for c in LETTERS)
    for letters in (LETTERS, LETTERS.upper()):
        assert decode_vni(to_vni(letters)) == letters
    assert decode_tcvn3(to_tcvn3(LETTERS + " ĂÂÊÔƠƯĐ")) == LETTERS + " ĂÂÊÔƠƯĐ"
    # VN3 has no toned capitals: in capitals (.VnTimeH) they are read from the words around
    capitals = " ".join(f"NG{c}N" for c in LETTERS.upper())
    assert decode_tcvn3(to_tcvn3(capitals)) == capitals


def test_syllables():
    good = ["tên", "cơ", "sở", "nghỉ", "nghiêng", "khuya", "quốc", "gì", "điện", "thoại",
            "Thiết", "người", "tốt", "học"]  # fmt: skip
    bad = ["tªn", "c¬", "së", "nhaø", "tồt", "hocj", "aâ", "ăn̉"]
    assert all(syllable_ok(w) for w in good)
    assert not any(syllable_ok(w) for w in bad)


# ---------------------------------------------------------------- old fonts in each format


@pytest.mark.parametrize("encode, found", [(to_tcvn3, TCVN3), (to_vni, VNI)])
def test_a_csv_typed_with_an_old_font(encode, found):
    table = _read(csv_bytes([[TITLE], HEADER, *ROWS], encode), "danh-sach.csv")
    assert (table.kind, table.encoding, table.header_row) == ("csv", found, 2)
    assert table.headers == HEADER
    _check_the_list_was_imported(run_import(table, scope=Scope(), dry_run=False))


@pytest.mark.parametrize(
    "encode, shown_as, found",
    [
        (to_tcvn3, "cp1252", TCVN3),
        (to_tcvn3, "cp1258", TCVN3),
        (to_vni, "cp1252", VNI),
        (to_vni, "cp1258", VNI),
    ],
)
def test_an_xlsx_typed_with_an_old_font(encode, shown_as, found):
    rows = as_typed([HEADER, *ROWS], encode, shown_as)
    data = xlsx_bytes(rows, title=as_typed([[TITLE]], encode, shown_as)[0][0])
    table = _read(data, "danh-sach.xlsx")
    assert (table.kind, table.encoding, table.headers) == ("xlsx", found, HEADER)
    _check_the_list_was_imported(run_import(table, scope=Scope(), dry_run=False))


def test_an_xls_typed_with_the_vntime_font():
    data = xls_bytes(as_typed([HEADER, *ROWS], to_tcvn3), title=to_tcvn3(TITLE))
    table = _read(data, "danh-sach.xls")
    assert (table.kind, table.encoding, table.headers) == ("xls", TCVN3, HEADER)
    _check_the_list_was_imported(run_import(table, scope=Scope(), dry_run=False))


def test_the_title_in_capitals_is_read_in_capitals():
    rows, found = recode_rows([[to_tcvn3(TITLE)], [to_tcvn3(h) for h in HEADER]], eight_bit=True)
    assert found == TCVN3 and rows[0][0] == TITLE and rows[1] == HEADER


def test_cells_typed_later_in_unicode_stay_as_they_are():
    rows = as_typed([HEADER, *ROWS], to_tcvn3)
    rows[3][1] = "Massage Thủy Tiên"  # retyped in Unicode: ủ has no Windows code
    rows[4][2] = "Lê Lợi"
    out, found = recode_rows(rows)
    assert found == TCVN3
    assert out[0] == HEADER and out[3][1] == "Massage Thủy Tiên" and out[4][2] == "Lê Lợi"
    assert [r[1] for r in out[1:]] == NAMES


# ---------------------------------------------------------------- no misfire


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_unicode_and_windows_1258_lists_are_not_taken_for_old_fonts(encoding):
    text = csv_bytes([[TITLE], HEADER, *ROWS]).decode()
    # words whose letters all exist in Windows-1252, which an old font could have typed
    text += "7,Cà phê Tên Bà Cô,Hà Tiên,bar,,,,10.93,108.10\r\n"
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    table = _read(data, "list.csv")
    assert table.encoding == encoding and table.headers == HEADER
    assert [r[1] for r in table.rows] == [*NAMES, "Cà phê Tên Bà Cô"]
    assert table.rows[-1][2] == "Hà Tiên"


@pytest.mark.parametrize("eight_bit", [False, True])
def test_words_an_old_font_could_also_have_typed_stay_as_they_are(eight_bit):
    # the worst case: English headers and only letters Windows-1252 has ("Tiên" read as
    # TCVN3 is "Tiờn", also a syllable): a tie keeps the text as it is
    rows = [
        ["Name", "Sector", "Address"],
        ["Cà phê Bà Tám", "bar", "Hà Tiên"],
        ["Karaoke Tiên Sa", "karaoke", "Bà Rá"],
        ["Spa Cô Ba", "spa", "Tô Hiến Thành"],
    ]
    typed = [[to_cp1258(c).decode("latin-1") for c in row] for row in rows] if eight_bit else rows
    assert recode_rows(typed, eight_bit) == (rows, None)


def test_a_unicode_xlsx_is_not_taken_for_an_old_font():
    table = _read(xlsx_bytes([HEADER, *ROWS], title=TITLE), "danh-sach.xlsx")
    assert table.encoding is None and table.headers == HEADER
    assert [r[1] for r in table.rows] == NAMES


def test_the_import_page_says_which_font_was_found(as_user, post):
    as_user("t_coord")
    data = csv_bytes([HEADER, *ROWS], to_vni)
    r = post("/venues/import", {"file": (io.BytesIO(data), "danh sach cu.csv")})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Read as CSV (VNI-Windows)" in html
    assert 'id="n-create">6<' in html and "Karaoke Phương Đông" in html


# ---------------------------------------------------------------- .xls


def test_an_xls_list_is_read_like_an_xlsx():
    data = xls_bytes([HEADER, *ROWS], title=TITLE)
    table = _read(data, "danh-sach.xls")
    assert (table.kind, table.encoding, table.header_row) == ("xls", None, 2)
    first = table.rows[0]
    assert first[1] == "Karaoke Phương Đông" and first[0] == 1 and first[7] == 10.9295
    assert first[6].date() == date(2021, 3, 5)  # an Excel date cell
    assert table.rows[2][4] == 983456789  # a phone number stored as a number
    _check_the_list_was_imported(run_import(table, scope=Scope(), dry_run=False))


def test_an_ole2_file_that_is_not_a_workbook_is_refused():
    from inspections.venues.importing.files import FileRejected
    from tests.venues.fixtures.xls import compound_file

    with pytest.raises(FileRejected) as exc:
        _read(compound_file(b"\0" * 600, name="WordDocument"), "bien-ban.doc")
    assert "Word document" in exc.value.message
    with pytest.raises(FileRejected) as exc:
        _read(compound_file(b"\0" * 600), "hong.xls")
    assert "cannot be read" in exc.value.message


# ---------------------------------------------------------------- the same list, three files


def test_a_csv_then_the_xlsx_then_the_xls_of_the_same_list_change_nothing():
    csv_file = csv_bytes([HEADER, *ROWS], to_tcvn3)  # phones as text, dates dd/mm/yyyy
    first = run_import(_read(csv_file, "ds.csv"), scope=Scope(), dry_run=False)
    _check_the_list_was_imported(first)
    # the XLSX of the same list: a phone stored as a number, dates as Excel dates
    second = run_import(_read(xlsx_bytes([HEADER, *ROWS]), "ds.xlsx"), scope=Scope(),
                        dry_run=False)  # fmt: skip
    assert second.summary() == "ds.xlsx: 0 created, 0 updated, 6 unchanged, 0 rejected"
    third = run_import(_read(xls_bytes([HEADER, *ROWS]), "ds.xls"), scope=Scope(), dry_run=False)
    assert third.summary() == "ds.xls: 0 created, 0 updated, 6 unchanged, 0 rejected"


# ---------------------------------------------------------------- certificate dates


def test_certificate_date_columns_are_read(create_venue):
    assert map_columns(["Tên cơ sở", "Số GCN ANTT", "Ngày cấp", "Số giấy phép", "Ngày cấp"]) == (
        {0: "name", 1: "security_cert_no", 2: "security_cert_on", 3: "licence_no",
         4: "licence_issued_on"},
        [],
    )  # fmt: skip
    assert map_columns(["Tên cơ sở", "Số ĐKKD", "Ngày cấp"]) == (
        {0: "name", 1: "registration_no"},
        ["Ngày cấp"],  # the registration's date: not read
    )
    assert map_columns(["Tên cơ sở", "Ngày cấp GCN"])[0] == {0: "name", 1: "security_cert_on"}
    assert map_columns(["Tên", "Ngày cấp"])[0] == {0: "name", 1: "security_cert_on"}

    venue = create_venue(name="Karaoke Phương Đông", registration_no="KD-PD")
    header = ["Tên cơ sở", "Số ĐKKD", "Số GCN", "Ngày cấp GCN"]
    rows = [["Karaoke Phương Đông", "KD-PD", "45/GCN-ANTT", date(2021, 3, 5)]]
    report = run_import(_read(xlsx_bytes([header, *rows]), "gcn.xlsx"), scope=Scope(),
                        dry_run=False)  # fmt: skip
    assert report.updated == 1 and report.results[0].changes == [
        "security_cert_no",
        "security_cert_on",
    ]
    db.session.expire_all()
    assert db.session.get(Venue, venue.id).security_cert_on == date(2021, 3, 5)
    # the number with the date matches the venue; the same number of another year does not
    header = ["Tên cơ sở", "Ngành nghề", "Tọa độ", "Số GCN ANTT", "Ngày cấp"]
    rows = [
        ["Karaoke Phương Đông", "karaoke", "10.9290, 108.1020", "45/GCN-ANTT", "05/03/2021"],
        ["Spa Khác", "spa", "10.9400, 108.1600", "45/GCN-ANTT", "02/02/2024"],
    ]
    report = run_import(_read(csv_bytes([header, *rows]), "gcn.csv"), scope=Scope(),
                        dry_run=False)  # fmt: skip
    got = {r.row: (r.action, r.venue_id) for r in report.results}
    assert got[2] == ("unchanged", venue.id) and got[3][0] == "create"
    # a certificate date in the future is refused for the row
    rows = [["Karaoke Phương Đông", "karaoke", "", "45/GCN-ANTT", "01/01/2999"]]
    report = run_import(_read(csv_bytes([header, *rows]), "gcn.csv"), scope=Scope(),
                        dry_run=True)  # fmt: skip
    assert report.rejected and "year 2999 is not plausible" in report.rejected[0].reason
