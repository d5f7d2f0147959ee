"""Reading a venue list: XLSX or CSV, its text encoding, its header row, and the checks that
refuse a file before it is read (size, type, unpacked size, row count).

CSV comes in UTF-8, UTF-8 with BOM, UTF-16 or Windows-1258; the header is the first row of
the first visible sheet that names columns, within the first HEADER_SCAN_ROWS rows (lists
often carry a title above it).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from ...errors import Invalid
from .columns import field_of

MAX_ROWS = 50_000
MAX_UNZIPPED = 200 * 1024 * 1024
HEADER_SCAN_ROWS = 15


class FileRejected(Invalid):
    """The whole file is refused (size, type, encoding, no header): nothing was read."""


@dataclass
class Table:
    """The rows of a file below its header row, with their row numbers in the file."""

    filename: str
    kind: str  # xlsx or csv
    encoding: str | None
    headers: list[str]
    rows: list[list]
    numbers: list[int]
    header_row: int = 1


def _refuse(message: str):
    raise FileRejected(message, field="file")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def check_file(data: bytes, filename: str, max_bytes: int) -> str:
    """'xlsx' or 'csv' from the content (magic bytes), or FileRejected saying why."""
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
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse(
            _(
                "This is an old Excel 97–2003 file (.xls). Open it in Excel or LibreOffice and "
                "save it as .xlsx or CSV, then import that."
            )
        )
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
            _refuse(_("This is a %(what)s file, not a spreadsheet (XLSX or CSV).", what=what))
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data[:65536]:
        _refuse(_("This is not a spreadsheet: the file is binary, not XLSX or CSV text."))
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data.decode("utf-8-sig"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes many Vietnamese letters as a base letter + combining tone
        # mark: compose them so "Hoàng" compares equal to text typed on a phone.
        return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"
    except UnicodeDecodeError:
        _refuse(
            _(
                "The text encoding of this CSV is not UTF-8 nor Windows-1258. Save it from "
                "Excel as “CSV UTF-8”."
            )
        )


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
    """The header and rows of the first sheet (or CSV) that has a recognisable header."""
    kind = check_file(data, filename, max_bytes)
    encoding = None
    candidates: list[list[list]] = []
    if kind == "xlsx":
        wb, sheets = _xlsx_rows(data)
        try:
            for ws in sheets:
                rows = []
                for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if n > MAX_ROWS + HEADER_SCAN_ROWS:
                        _too_many()
                    rows.append(list(values))
                candidates.append(rows)
                if _find_header(rows) is not None:
                    break
        finally:
            wb.close()
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
        candidates.append(rows)
    for rows in candidates:
        h = _find_header(rows)
        if h is None:
            continue
        headers = ["" if c is None else str(c).strip() for c in rows[h]]
        body, numbers = [], []
        for offset, row in enumerate(rows[h + 1 :], start=h + 2):
            if any(c not in (None, "") and str(c).strip() for c in row):
                body.append(list(row) + [None] * (len(headers) - len(row)))
                numbers.append(offset)
        return Table(filename, kind, encoding, headers, body, numbers, header_row=h + 1)
    _refuse(
        _(
            "No header row found: the first rows must name the columns, with at least the "
            "venue name (“Tên cơ sở” or “Name”). See the column list on this page."
        )
    )


def _too_many():
    _refuse(
        _(
            "The file has more than %(n)s rows; split it into several files.",
            n=format(MAX_ROWS, ","),
        )
    )
