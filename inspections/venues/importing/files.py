"""Reading a venue list: XLSX, XLS or CSV, its text encoding, its header row, and the checks
that refuse a file before it is read (size, type, unpacked size, row count).

CSV comes in UTF-8, UTF-8 with BOM, UTF-16 or Windows-1258; the text of any file may be typed
with the old TCVN3 or VNI fonts (``legacy``), and is then converted. The header is the first
row of the first visible sheet that names columns, within the first HEADER_SCAN_ROWS rows
(lists often carry a title above it).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from flask_babel import gettext as _

from ...errors import Invalid
from .columns import field_of
from .legacy import CP1258, NotText, recode_rows

MAX_ROWS = 50_000
MAX_UNZIPPED = 200 * 1024 * 1024
HEADER_SCAN_ROWS = 15


class FileRejected(Invalid):
    """The whole file is refused (size, type, encoding, no header): nothing was read."""


@dataclass
class Table:
    """The rows of a file below its header row, with their row numbers in the file."""

    filename: str
    kind: str  # xlsx, xls or csv
    encoding: str | None
    headers: list[str]
    rows: list[list]
    numbers: list[int]
    header_row: int = 1


def _refuse(message: str) -> NoReturn:
    raise FileRejected(message, field="file")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def check_file(data: bytes, filename: str, max_bytes: int) -> str:
    """'xlsx', 'xls' or 'csv' from the content (magic bytes), or FileRejected saying why."""
    if len(data) > max_bytes:
        _refuse(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. Split the list into "
                "several files or remove unused sheets and columns.",
                size=_mb(len(data)),
                limit=_mb(max_bytes).removesuffix(".0"),
            )
        )
    if not data.strip():
        _refuse(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                unzipped = sum(i.file_size for i in z.infolist())
        except zipfile.BadZipFile:
            _refuse(_("The file looks like an Excel workbook but is damaged."))
        if "xl/workbook.xml" not in names:
            if "word/document.xml" in names:
                _refuse(_("This is a Word document, not a spreadsheet."))
            _refuse(_("This ZIP file is not an Excel workbook (.xlsx)."))
        if unzipped > MAX_UNZIPPED:
            _refuse(_("The workbook is too large once unpacked."))
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"  # an OLE2 compound file: Excel 97–2003 (a Word .doc is refused on reading)
    for magic, what in (
        (b"%PDF", "PDF"),
        (b"\x89PNG", "PNG"),
        (b"\xff\xd8\xff", "JPEG"),
        (b"GIF8", "GIF"),
        (b"Rar!", "RAR"),
        (b"\x1f\x8b", "gzip"),
        (b"7z\xbc\xaf", "7-Zip"),
        (b"MZ", "Windows program"),
    ):
        if data.startswith(magic):
            _refuse(_("This is a %(what)s file, not a spreadsheet (XLSX, XLS or CSV).", what=what))
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data[:65536]:
        _refuse(_("This is not a spreadsheet: the file is binary, not XLSX, XLS or CSV text."))
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM; else the bytes one
    Latin-1 character each, "cp1258", for ``legacy.recode_rows`` to read cell by cell
    (Windows-1258, or the TCVN3 or VNI fonts)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data.decode("utf-8-sig"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("latin-1"), CP1258


def _csv_rows(text: str) -> Iterable[list]:
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for damaged files
        _refuse(_("The Excel workbook cannot be read (damaged or protected)."))
    sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    return wb, sheets or wb.worksheets


def _xls_sheets(data: bytes) -> tuple[list, int]:
    """The visible sheets of an Excel 97–2003 workbook, and its date system."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO())
    except Exception:  # xlrd raises many kinds for damaged files and other OLE2 documents
        if "WordDocument".encode("utf-16-le") in data:
            _refuse(_("This is a Word document, not a spreadsheet."))
        _refuse(_("The Excel workbook cannot be read (damaged or protected)."))
    sheets = book.sheets()
    return [sh for sh in sheets if sh.visibility == 0] or sheets, book.datemode


def _xls_value(cell, datemode: int):
    """A cell as openpyxl gives it: None, text, a number, a date (Excel stores dates as
    numbers with a date format), True/False."""
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return int(cell.value)
    return cell.value


def _sheets(data: bytes, kind: str):
    """(rows, encoding) of each sheet (one for a CSV), read lazily: the first with a header
    is used."""
    if kind == "xlsx":
        wb, sheets = _xlsx_rows(data)
        try:
            for ws in sheets:
                rows = []
                for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if n > MAX_ROWS + HEADER_SCAN_ROWS:
                        _too_many()
                    rows.append(list(values))
                yield rows, None
        finally:
            wb.close()
    elif kind == "xls":
        sheets, datemode = _xls_sheets(data)
        for sh in sheets:
            if sh.nrows > MAX_ROWS + HEADER_SCAN_ROWS:
                _too_many()
            yield [[_xls_value(c, datemode) for c in sh.row(r)] for r in range(sh.nrows)], None
    else:
        text, encoding = decode_text(data)
        rows = []
        try:
            for n, values in enumerate(_csv_rows(text), start=1):
                if n > MAX_ROWS + HEADER_SCAN_ROWS:
                    _too_many()
                rows.append(values)
        except csv.Error:
            _refuse(_("The CSV file cannot be read (unbalanced quotes?)."))
        yield rows, encoding


def _find_header(rows: list[list]) -> int | None:
    best, best_score = None, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = {field_of(c) for c in row if c not in (None, "")}
        fields.discard(None)
        score = len(fields) + (2 if "name" in fields else 0)
        if "name" in fields and score > best_score:
            best, best_score = i, score
    return best


def read_table(data: bytes, filename: str, max_bytes: int) -> Table:
    """The header and rows of the first sheet (or CSV) that has a recognisable header, its
    text in Unicode whatever encoding or old font it was typed in."""
    kind = check_file(data, filename, max_bytes)
    for raw_rows, encoding in _sheets(data, kind):
        try:
            rows, old_font = recode_rows(raw_rows, eight_bit=encoding == CP1258)
        except NotText:
            _refuse(
                _(
                    "The text encoding of this CSV is not UTF-8 nor Windows-1258. Save it from "
                    "Excel as “CSV UTF-8”."
                )
            )
        h = _find_header(rows)
        if h is None:
            continue
        headers = ["" if c is None else str(c).strip() for c in rows[h]]
        body, numbers = [], []
        for offset, row in enumerate(rows[h + 1 :], start=h + 2):
            if any(c not in (None, "") and str(c).strip() for c in row):
                body.append(list(row) + [None] * (len(headers) - len(row)))
                numbers.append(offset)
        return Table(filename, kind, old_font or encoding, headers, body, numbers, header_row=h + 1)
    _refuse(
        _(
            "No header row found: the first rows must name the columns, with at least the "
            "venue name (“Tên cơ sở” or “Name”). See the column list on this page."
        )
    )


def _too_many() -> NoReturn:
    _refuse(
        _(
            "The file has more than %(n)s rows; split it into several files.",
            n=format(MAX_ROWS, ","),
        )
    )
