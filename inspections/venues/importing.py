"""Importing the venue lists departments keep in Excel or CSV.

The flow, identical for a dry run and a real run (the dry run rolls back at the end):
read the file (XLSX, or CSV in UTF-8, UTF-8 with BOM, UTF-16 or Windows-1258) → find the
header row and map its columns (Vietnamese or English names, see COLUMNS) → validate each
row with ``schemas.VenueIn`` → reject duplicates within the file → match each row to an
existing venue (registration number, else certificate number, else same name and address
within 50 m) → write creates and updates inside a savepoint → derive district and commune
for all new locations in one statement → rows that fall outside the province or the
user's area are rejected and the write pass is redone without them. Good rows are never
lost because of bad ones, and a failure midway writes nothing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.services import Scope
from ..areas.services import assign_venue_areas, check_coordinates, locate
from ..audit.services import record
from ..clock import today
from ..errors import InspectionsError, Invalid
from ..extensions import db
from ..spatial import point
from ..text import fold
from .geo import CoordinateError, distance_m, parse_point
from .models import Sector, Venue, VenueLicence, name_key
from .schemas import VenueIn
from .services import (
    _event,
    add_licence,
    change_status,
    check_dates,
    check_status_change,
    compose_address,
)

MAX_ROWS = 50_000
MAX_UNZIPPED = 200 * 1024 * 1024
MATCH_RADIUS_M = 50
HEADER_SCAN_ROWS = 15
ERROR_COLUMN = "error"

# field -> header names (compared folded: accents, case and punctuation ignored). The README's
# "Importing venue lists" section shows this table; keep them in step.
# fmt: off
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Tên cơ sở", "Tên cơ sở kinh doanh", "Tên CSKD", "Tên", "Name", "Venue name",
             "Venue"),
    "sector": ("Ngành nghề", "Loại hình", "Loại hình kinh doanh", "Lĩnh vực", "Ngành",
               "Sector", "Business line", "Type"),
    "address": ("Địa chỉ", "Address"),
    "house_no": ("Số nhà", "House number", "House no"),
    "street": ("Đường", "Tên đường", "Đường phố", "Street"),
    "address_commune": ("Xã/phường", "Phường/xã", "Xã", "Phường", "Commune", "Ward"),
    "latitude": ("Vĩ độ", "Latitude", "Lat"),
    "longitude": ("Kinh độ", "Longitude", "Lon", "Lng", "Long"),
    "coordinates": ("Tọa độ", "Toạ độ", "Tọa độ GPS", "Coordinates", "Location", "GPS"),
    "registration_no": ("Số ĐKKD", "Mã số ĐKKD", "Số giấy chứng nhận ĐKKD",
                        "Mã số hộ kinh doanh", "Mã số doanh nghiệp", "Mã số thuế",
                        "Số đăng ký kinh doanh", "Registration no", "Registration number",
                        "Business registration"),
    "security_cert_no": ("Số GCN ANTT", "Số giấy chứng nhận ANTT", "GCN ANTT",
                         "Giấy chứng nhận đủ điều kiện về ANTT", "Số GCN đủ điều kiện ANTT",
                         "Security certificate no", "Security certificate"),
    "security_cert_on": ("Ngày cấp GCN ANTT", "Ngày cấp ANTT", "Security certificate date"),
    "owner_name": ("Chủ cơ sở", "Người đại diện", "Người quản lý", "Chủ sở hữu",
                   "Họ tên chủ cơ sở", "Owner", "Manager", "Owner name"),
    "owner_phone": ("Điện thoại", "Số điện thoại", "SĐT", "ĐT", "Phone", "Telephone"),
    "capacity": ("Số phòng", "Số giường", "Quy mô", "Số phòng/giường", "Rooms", "Capacity",
                 "Beds"),
    "status": ("Trạng thái", "Tình trạng", "Tình trạng hoạt động", "Status"),
    "opened_on": ("Ngày hoạt động", "Ngày bắt đầu hoạt động", "Ngày khai trương",
                  "Ngày thành lập", "Opened", "Opened on", "Opening date"),
    "closed_on": ("Ngày đóng cửa", "Ngày ngừng hoạt động", "Ngày nghỉ kinh doanh",
                  "Closed on", "Closing date"),
    "notes": ("Ghi chú", "Notes", "Remarks"),
    "licence_kind": ("Loại giấy phép", "Licence type", "License type"),
    "licence_no": ("Số giấy phép", "Licence no", "Licence number", "License number"),
    "licence_issued_on": ("Ngày cấp giấy phép", "Ngày cấp GP", "Licence issued",
                          "License issued"),
    "licence_expires_on": ("Ngày hết hạn", "Ngày hết hạn giấy phép", "Hạn giấy phép",
                           "Licence expires", "License expiry", "Expiry date"),
}
# Columns recognised and deliberately not read (row numbers, our own exports' derived
# columns, the error column of a rejected-rows file).
IGNORED = (
    "STT", "TT", "No", "#", "ID", "Mã", ERROR_COLUMN, "Lỗi",
    "Huyện (theo vị trí)", "Xã (theo vị trí)", "District (from location)",
    "Commune (from location)", "Mã huyện", "Mã xã", "District code", "Commune code",
    "Kiểm tra gần nhất", "Last inspection", "Tên ngành", "Sector name", "Giấy phép khác",
    "Other licences", "Lệch địa chỉ", "Address mismatch", "Sáp nhập vào", "Merged into",
)

# Keywords (folded, whole words) that name a sector, checked in this order.
SECTOR_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hair_wash", ("goi dau", "hot toc", "cat toc", "salon", "barber", "hair", "hair wash")),
    ("dance_hall", ("vu truong", "dance", "dance hall", "disco", "discotheque")),
    ("karaoke", ("karaoke",)),
    ("massage", ("massage", "xoa bop", "tam quat", "mat xa")),
    ("spa_sauna", ("spa", "xong hoi", "sauna")),
    ("lodging", ("luu tru", "nha nghi", "khach san", "nha tro", "homestay", "resort",
                 "motel", "hotel", "guesthouse", "lodging", "villa", "nha khach")),
    ("bar", ("bar", "pub", "beer", "quan ruou")),
)
STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("suspended", ("tam ngung", "tam dung", "dinh chi", "tam nghi", "suspended")),
    ("closed", ("da dong cua", "dong cua", "ngung hoat dong", "ngung kinh doanh", "giai the",
                "cham dut", "nghi kinh doanh", "closed")),
    ("operating", ("dang hoat dong", "hoat dong", "dang kinh doanh", "operating", "open",
                   "active")),
)
LICENCE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fire_safety", ("pccc", "phong chay", "chua chay", "fire", "fire safety")),
    ("food_safety", ("attp", "an toan thuc pham", "food", "food safety")),
    ("alcohol", ("ruou", "alcohol")),
    ("karaoke_dance", ("karaoke", "vu truong", "karaoke dance")),
    ("lodging", ("luu tru", "xep hang", "lodging")),
    ("other", ("khac", "other")),
)
TEXT_FIELDS = ("name", "address", "house_no", "street", "address_commune", "registration_no",
               "security_cert_no", "owner_name", "owner_phone", "notes", "licence_no")
# fmt: on


class FileRejected(Invalid):
    """The whole file is refused (size, type, encoding, no header): nothing was read."""


def header_key(text) -> str:
    """A header reduced for matching: folded, punctuation as spaces."""
    folded = fold(str(text or ""))
    return " ".join("".join(c if c.isalnum() or c == "#" else " " for c in folded).split())


_ALIASES = {header_key(a): f for f, names in COLUMNS.items() for a in names}
_IGNORED = {header_key(a) for a in IGNORED}


def _words_match(value: str, table) -> str | None:
    text = f" {header_key(value)} "
    for code, words in table:
        for word in words:
            if f" {word} " in text:
                return code
    return None


def sector_code(value, sectors: dict[str, str]) -> str | None:
    """A sector code from a code, a sector name in either language, or a usual keyword."""
    key = header_key(value)
    if key.replace(" ", "_") in sectors.values():
        return key.replace(" ", "_")
    if key in sectors:
        return sectors[key]
    return _words_match(value, SECTOR_WORDS)


# ---------------------------------------------------------------- reading files


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
        fields = {_ALIASES.get(header_key(c)) for c in row if c not in (None, "")}
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


# ---------------------------------------------------------------- rows


@dataclass
class RowResult:
    """What happened (or would happen) to one row of the file."""

    row: int
    action: str  # create, update, unchanged, reject
    name: str = ""
    venue_id: int | None = None
    reason: str = ""
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of an import, or of its dry run."""

    filename: str
    kind: str
    encoding: str | None
    dry_run: bool
    columns: dict[str, str]  # header -> field
    ignored: list[str]
    results: list[RowResult] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.results if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.results if r.action == "reject"]

    def summary(self) -> str:
        return (
            f"{self.filename}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )

    def to_dict(self) -> dict:
        return {
            "filename": self.filename,
            "kind": self.kind,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "columns": self.columns,
            "ignored": self.ignored,
            "results": [r.__dict__ for r in self.results],
        }

    @classmethod
    def from_dict(cls, d: dict) -> ImportReport:
        results = [RowResult(**r) for r in d.pop("results")]
        return cls(**d, results=results)


def map_columns(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    """column index -> field, and the headers nobody reads (reported to the user)."""
    mapping, ignored, seen = {}, [], set()
    for i, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        f = _ALIASES.get(key)
        if f and f not in seen:
            mapping[i] = f
            seen.add(f)
        elif key not in _IGNORED:
            ignored.append(header)
    return mapping, ignored


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel cells: 3400123456.0 -> 3400123456
    if isinstance(value, (datetime, date)):
        return value.strftime("%d/%m/%Y")
    text = " ".join(str(value).split())
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # the quote our CSV export puts before formula-like text
    return text or None


def _phone(value) -> str | None:
    text = _text(value)
    # Excel drops the leading zero of a phone number stored as a number: 912345678
    if text and text.isdigit() and len(text) == 9 and isinstance(value, (int, float)):
        text = "0" + text
    return text


def _address_key(text: str | None) -> str:
    return header_key(text)


@dataclass
class Planned:
    """A valid row, its data, and the venue it updates (if any)."""

    result: RowResult
    data: dict
    licence: dict | None
    venue: Venue | None = None
    keys: dict = field(default_factory=dict)
    where: tuple[float, float] | None = None  # the matched venue's (lat, lon)
    changes: dict = field(default_factory=dict)


class _Rejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _messages(err: ValidationError, labels: dict[str, str]) -> str:
    parts = []
    for key, msgs in (err.messages if isinstance(err.messages, dict) else {}).items():
        if isinstance(msgs, dict):
            msgs = [m for v in msgs.values() for m in (v if isinstance(v, list) else [v])]
        label = labels.get(key, key)
        parts.append(f"{label}: {' '.join(str(m) for m in msgs)}")
    return "; ".join(parts) or str(err)


def _row_data(cells: dict, sectors: dict[str, str]) -> tuple[dict, dict | None]:
    """Cell values -> VenueIn-shaped dict (+ one licence), or _Rejected."""
    data: dict = {}
    for key in TEXT_FIELDS:
        if key in cells:
            value = _phone(cells[key]) if key == "owner_phone" else _text(cells[key])
            if value is not None:
                data[key] = value
    for key in (
        "security_cert_on",
        "opened_on",
        "closed_on",
        "licence_issued_on",
        "licence_expires_on",
    ):
        if cells.get(key) not in (None, ""):
            data[key] = (
                cells[key] if isinstance(cells[key], (date, datetime)) else _text(cells[key])
            )
    if cells.get("capacity") not in (None, ""):
        data["capacity"] = _text(cells["capacity"])
    if cells.get("sector") not in (None, ""):
        raw = _text(cells["sector"])
        code = sector_code(raw, sectors)
        if code is None:
            raise _Rejected(
                _(
                    "Unknown sector “%(v)s” (use karaoke, vũ trường, massage, lưu trú, bar, "
                    "spa, gội đầu or a code).",
                    v=raw,
                )
            )
        data["sector"] = code
    if cells.get("status") not in (None, ""):
        raw = _text(cells["status"])
        code = _words_match(raw, STATUS_WORDS)
        if code is None:
            raise _Rejected(
                _(
                    "Unknown status “%(v)s” (use đang hoạt động, tạm ngừng or đã đóng cửa).",
                    v=raw,
                )
            )
        data["status"] = code
    elif data.get("closed_on"):
        data["status"] = "closed"
    if cells.get("coordinates") not in (None, "") and not (
        cells.get("latitude") or cells.get("longitude")
    ):
        try:
            data["latitude"], data["longitude"] = parse_point(_text(cells["coordinates"]))
        except CoordinateError as exc:
            raise _Rejected(exc.message) from None
    else:
        for key in ("latitude", "longitude"):
            if cells.get(key) not in (None, ""):
                value = cells[key]
                data[key] = value if isinstance(value, (int, float)) else _text(value)
    licence = None
    if data.get("licence_no"):
        kind_raw = _text(cells.get("licence_kind"))
        kind = _words_match(kind_raw, LICENCE_WORDS) if kind_raw else "other"
        licence = {
            "kind": kind or "other",
            "number": data.pop("licence_no"),
            "issued_on": data.pop("licence_issued_on", None),
            "expires_on": data.pop("licence_expires_on", None),
        }
    else:
        data.pop("licence_issued_on", None)
        data.pop("licence_expires_on", None)
    return data, licence


def _plan_rows(table: Table, mapping: dict[int, str]) -> tuple[list[Planned], list[RowResult]]:
    """Validate every row on its own; the invalid ones are rejected with their reason."""
    sectors = {}
    for code, vi, en in db.session.execute(select(Sector.code, Sector.name_vi, Sector.name_en)):
        sectors[header_key(vi)] = code
        sectors[header_key(en)] = code
        sectors[header_key(code)] = code
    labels = {f: table.headers[i] for i, f in mapping.items()}
    labels.update(
        {k: labels.get("coordinates", k) for k in ("latitude", "longitude") if k not in labels}
    )
    schema = VenueIn(partial=True)
    from .schemas import LicenceIn

    licence_schema = LicenceIn()
    planned, rejected = [], []
    for number, row in zip(table.numbers, table.rows, strict=True):
        cells = {f: row[i] for i, f in mapping.items() if i < len(row)}
        result = RowResult(row=number, action="reject", name=_text(cells.get("name")) or "")
        try:
            raw, licence_raw = _row_data(cells, sectors)
            if not raw.get("name"):
                raise _Rejected(_("The venue name is missing."))
            try:
                data = schema.load(raw)
            except ValidationError as exc:
                raise _Rejected(_messages(exc, labels)) from None
            licence = None
            if licence_raw:
                try:
                    licence = licence_schema.load(licence_raw)
                except ValidationError as exc:
                    raise _Rejected(_messages(exc, labels)) from None
            if ("latitude" in data) != ("longitude" in data):
                raise _Rejected(_("Give both latitude and longitude, or neither."))
            if "latitude" in data:
                try:
                    check_coordinates(data["latitude"], data["longitude"])
                except Invalid as exc:
                    raise _Rejected(exc.message) from None
            result.action = "pending"
            planned.append(Planned(result, data, licence))
        except _Rejected as exc:
            result.reason = exc.reason
            rejected.append(result)
    return planned, rejected


def _keys(p: Planned) -> dict:
    d = p.data
    return {
        "registration_no": (d.get("registration_no") or "").strip().upper() or None,
        "security_cert_no": (d.get("security_cert_no") or "").strip().upper() or None,
        "name": name_key(d.get("name")),
        "address": _address_key(
            d.get("address")
            or compose_address(d.get("house_no"), d.get("street"), d.get("address_commune"))
        ),
    }


def _same_place(a: dict, b: dict) -> bool:
    if "latitude" not in a or "latitude" not in b:
        return False
    return (
        distance_m(a["latitude"], a["longitude"], b["latitude"], b["longitude"]) <= MATCH_RADIUS_M
    )


def _file_key(p: Planned, key: str):
    """A number as the file repeats it; a certificate number with its date, since such
    numbers restart every year."""
    if key == "security_cert_no" and p.keys[key]:
        return (p.keys[key], p.data.get("security_cert_on"))
    return p.keys[key]


def _reject_in_file_duplicates(planned: list[Planned]) -> tuple[list[Planned], list[RowResult]]:
    """Later rows repeating an earlier row's number, or its name and address within 50 m."""
    seen: dict[tuple, Planned] = {}
    by_name: dict[tuple, list[Planned]] = {}
    labels = (
        ("registration_no", _("same registration number")),
        ("security_cert_no", _("same certificate number")),
    )
    keep, rejected = [], []
    for p in planned:
        p.keys = _keys(p)
        first, why = None, ""
        for key, label in labels:
            value = _file_key(p, key)
            if value and (key, value) in seen:
                first, why = seen[(key, value)], label
                break
        if first is None:
            for other in by_name.get((p.keys["name"], p.keys["address"]), []):
                if _same_place(p.data, other.data):
                    first, why = other, _("same name and address")
                    break
        if first is not None:
            p.result.action = "reject"
            p.result.reason = _(
                "Duplicate of row %(n)s in this file (%(why)s).", n=first.result.row, why=why
            )
            rejected.append(p.result)
            continue
        for key in ("registration_no", "security_cert_no"):
            if p.keys[key]:
                seen[(key, _file_key(p, key))] = p
        by_name.setdefault((p.keys["name"], p.keys["address"]), []).append(p)
        keep.append(p)
    return keep, rejected


def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _kept(venue: Venue) -> Venue:
    seen = set()
    while venue.merged_into_id and venue.id not in seen:
        seen.add(venue.id)
        venue = venue.merged_into
    return venue


def _with_place(q):
    return db.session.execute(
        q.add_columns(func.ST_Y(Venue.location), func.ST_X(Venue.location)).options(
            selectinload(Venue.licences)
        )
    ).all()


def _match(planned: list[Planned], scope: Scope) -> None:
    """Find the existing venue of each row with a few batched queries; rows matching several
    venues are rejected."""
    places: dict[int, tuple[float, float]] = {}
    for key, column in (
        ("registration_no", Venue.registration_no),
        ("security_cert_no", Venue.security_cert_no),
    ):
        wanted = {p.keys[key] for p in planned if p.venue is None and p.keys[key]}
        spelled = sorted(
            wanted | {p.data.get(key).strip() for p in planned if p.venue is None and p.keys[key]}
        )
        found: dict[str, list[Venue]] = {}
        for chunk in _chunks(spelled):
            for v, lat, lon in _with_place(
                select(Venue).where(column.in_(chunk), scope.venues(Venue))
            ):
                places[v.id] = (lat, lon)
                found.setdefault((getattr(v, key) or "").strip().upper(), []).append(v)
        kept_ids = [v.merged_into_id for vs in found.values() for v in vs if v.merged_into_id]
        if kept_ids:  # a number of a merged duplicate leads to the venue kept
            for chunk in _chunks(sorted(set(kept_ids))):
                for v, lat, lon in _with_place(select(Venue).where(Venue.id.in_(chunk))):
                    places[v.id] = (lat, lon)
        for p in planned:
            if p.venue is not None or not p.keys[key] or p.keys[key] not in found:
                continue
            candidates = found[p.keys[key]]
            if key == "security_cert_no" and p.data.get("security_cert_on"):
                # certificate numbers restart every year: a different date is another paper
                day = p.data["security_cert_on"]
                candidates = [v for v in candidates if v.security_cert_on in (None, day)]
                if not candidates:
                    continue
            venues = {_kept(v).id: _kept(v) for v in candidates}
            if len(venues) > 1:
                p.result.action = "reject"
                p.result.reason = _(
                    "Several venues share this number (%(ids)s): merge them on the duplicates "
                    "page first.",
                    ids=", ".join(f"#{i}" for i in sorted(venues)),
                )
            else:
                p.venue = next(iter(venues.values()))
    open_rows = [p for p in planned if p.venue is None and p.result.action != "reject"]
    names = sorted({p.keys["name"] for p in open_rows if p.keys["name"]})
    candidates: dict[str, list[tuple[Venue, float, float]]] = {}
    for chunk in _chunks(names):
        for v, lat, lon in _with_place(
            select(Venue).where(
                Venue.name_key.in_(chunk), Venue.merged_into_id.is_(None), scope.venues(Venue)
            )
        ):
            candidates.setdefault(v.name_key, []).append((v, lat, lon))
    for p in open_rows:
        if "latitude" not in p.data:
            continue
        for v, lat, lon in candidates.get(p.keys["name"], []):
            if (
                _address_key(v.address) == p.keys["address"]
                and distance_m(lat, lon, p.data["latitude"], p.data["longitude"]) <= MATCH_RADIUS_M
            ):
                p.venue, places[v.id] = v, (lat, lon)
                break
    for p in planned:
        if p.venue is not None:
            p.where = places.get(p.venue.id)


UPDATABLE = (
    "name",
    "address",
    "house_no",
    "street",
    "address_commune",
    "registration_no",
    "security_cert_no",
    "security_cert_on",
    "owner_name",
    "owner_phone",
    "capacity",
    "opened_on",
    "notes",
)


def _diff(venue: Venue, data: dict, lat: float, lon: float) -> dict:
    """The fields the row changes; blank cells never erase what the registry knows."""
    changes = {}
    for key in UPDATABLE:
        if key in data and data[key] not in (None, "") and getattr(venue, key) != data[key]:
            changes[key] = data[key]
    if data.get("sector") and venue.sector.code != data["sector"]:
        changes["sector"] = data["sector"]
    if "latitude" in data and distance_m(lat, lon, data["latitude"], data["longitude"]) > 1:
        changes["location"] = (data["latitude"], data["longitude"])
    if data.get("status") and data["status"] != venue.status:
        changes["status"] = data["status"]
    if data.get("closed_on") and data["closed_on"] != venue.closed_on:
        changes["closed_on"] = data["closed_on"]
    return changes


class _Outside(Exception):
    def __init__(self, rows: dict[int, str]):
        super().__init__("rows outside the area")
        self.rows = rows


def _write(plans: list[Planned], scope: Scope, user, source: str) -> None:
    """Create and update; raises _Outside naming rows whose location is out of bounds."""
    sector_ids = dict(db.session.execute(select(Sector.code, Sector.id)).all())
    new: dict[int, Planned] = {}
    relocated: dict[int, Planned] = {}
    created: list[tuple[Venue, Planned]] = []
    now = today()
    reason = _("Import of %(file)s", file=source)
    for p in plans:
        d = p.data
        if p.result.action == "create":
            venue = Venue(
                name=d["name"],
                sector_id=sector_ids[d["sector"]],
                status=d.get("status") or "operating",
                closed_on=d.get("closed_on"),
                location=point(d["latitude"], d["longitude"]),
                **{k: d[k] for k in UPDATABLE if k in d and k != "name"},
            )
            if not venue.address:
                venue.address = compose_address(venue.house_no, venue.street, venue.address_commune)
            if p.licence:
                venue.licences = [VenueLicence(**p.licence)]
            db.session.add(venue)
            created.append((venue, p))
        elif p.result.action == "update":
            venue, changes = p.venue, p.changes
            for key, value in changes.items():
                if key in UPDATABLE:
                    setattr(venue, key, value)
            if "sector" in changes:
                venue.sector_id = sector_ids[changes["sector"]]
            if (
                ("house_no" in changes or "street" in changes or "address_commune" in changes)
                and "address" not in changes
                and not d.get("address")
            ):
                venue.address = compose_address(venue.house_no, venue.street, venue.address_commune)
            if "location" in changes:
                venue.location = point(*changes["location"])
                relocated[venue.id] = p
                _event(venue, "moved", now, reason, user)
            if "status" in changes:
                action, on = _transition(venue, changes, now)
                change_status(venue, action, on, reason, user=user)
            elif "closed_on" in changes:
                venue.closed_on = changes["closed_on"]
            if p.licence:
                add_licence(venue, p.licence)
    db.session.flush()
    for venue, p in created:
        new[venue.id] = p
        p.result.venue_id = venue.id
    ids = list(new) + list(relocated)
    if not ids:
        return
    for chunk in _chunks(ids, 900):
        assign_venue_areas(chunk)
    outside: dict[int, str] = {}
    rows = {**new, **relocated}
    for chunk in _chunks(ids, 900):
        for vid, lat, lon, district_id, commune_id in db.session.execute(
            select(
                Venue.id,
                func.ST_Y(Venue.location),
                func.ST_X(Venue.location),
                Venue.district_id,
                Venue.commune_id,
            ).where(Venue.id.in_(chunk))
        ):
            p = rows[vid]
            if district_id is None:
                try:
                    locate(lat, lon)
                    message = _("The location is outside the province.")
                except Invalid as exc:
                    message = exc.message
                outside[p.result.row] = message
            elif not scope.allows_venue(
                SimpleNamespace(district_id=district_id, commune_id=commune_id)
            ):
                outside[p.result.row] = _("The location is outside your area.")
    if outside:
        raise _Outside(outside)


def _transition(venue: Venue, changes: dict, now: date) -> tuple[str, date]:
    action = {"operating": "reopen", "suspended": "suspend", "closed": "close"}[changes["status"]]
    on = (changes.get("closed_on") or venue.closed_on or now) if action == "close" else now
    return action, on


def _decide(plans: list[Planned], source: str) -> None:
    """create / update / unchanged for each row, or reject it for a date or status rule."""
    now = today()
    for p in plans:
        d = p.data
        if p.venue is None:
            if "sector" not in d:
                p.result.action, p.result.reason = "reject", _("A new venue needs its sector.")
                continue
            if "latitude" not in d:
                p.result.action = "reject"
                p.result.reason = _("A new venue needs its location (latitude and longitude).")
                continue
            probe = SimpleNamespace(
                opened_on=d.get("opened_on"),
                closed_on=d.get("closed_on"),
                security_cert_on=d.get("security_cert_on"),
                status=d.get("status") or "operating",
            )
            try:
                check_dates(probe)
            except Invalid as exc:
                p.result.action, p.result.reason = "reject", exc.message
                continue
            p.result.action = "create"
            continue
        venue = p.venue
        p.changes = _diff(venue, d, *p.where)
        p.result.venue_id = venue.id
        if p.result.name != venue.name:
            p.result.name = f"{p.result.name} → #{venue.id} {venue.name}"
        values = {
            k: getattr(venue, k) for k in ("opened_on", "closed_on", "security_cert_on", "status")
        }
        values.update({k: v for k, v in p.changes.items() if k in values})
        if values["status"] != "closed":
            values["closed_on"] = None
        try:
            check_dates(SimpleNamespace(**values))
            if "status" in p.changes:
                action, on = _transition(venue, p.changes, now)
                probe = SimpleNamespace(
                    id=venue.id,
                    merged_into_id=None,
                    status=venue.status,
                    opened_on=values["opened_on"],
                )
                check_status_change(probe, action, on, source)
        except InspectionsError as exc:  # Invalid dates, Conflict for a status change
            p.result.action, p.result.reason = "reject", exc.message
            continue
        lic_new = p.licence and not any(
            (lic.kind, lic.number) == (p.licence["kind"], p.licence["number"])
            and all(
                not p.licence.get(k) or getattr(lic, k) == p.licence[k]
                for k in ("issued_on", "expires_on")
            )
            for lic in venue.licences
        )
        if p.changes or lic_new:
            p.result.action = "update"
            p.result.changes = sorted(p.changes) + (["licence"] if lic_new else [])
        else:
            p.result.action = "unchanged"


def run_import(
    table: Table, *, scope: Scope, user=None, dry_run: bool, source: str | None = None
) -> ImportReport:
    """Import (or, with dry_run, only try) every row of a table; see the module docstring."""
    mapping, ignored = map_columns(table.headers)
    report = ImportReport(
        filename=table.filename,
        kind=table.kind,
        encoding=table.encoding,
        dry_run=dry_run,
        columns={table.headers[i]: f for i, f in mapping.items()},
        ignored=ignored,
    )
    if "name" not in mapping.values():
        raise FileRejected(_("The file has no venue name column."), field="file")
    source = source or table.filename
    planned, rejected = _plan_rows(table, mapping)
    planned, dup_rejected = _reject_in_file_duplicates(planned)
    rejected += dup_rejected
    _match(planned, scope)
    _decide([p for p in planned if p.result.action != "reject"], source)
    rejected += [p.result for p in planned if p.result.action == "reject"]
    planned = [p for p in planned if p.result.action != "reject"]
    while True:
        savepoint = db.session.begin_nested()
        try:
            _write(planned, scope, user, source)
        except _Outside as exc:
            # rows whose location fell outside: reject them and write the others again
            savepoint.rollback()
            outside = [p for p in planned if p.result.row in exc.rows]
            if not outside:
                raise RuntimeError("import: rows outside the area not found") from None
            for p in outside:
                p.result.action, p.result.reason = "reject", exc.rows[p.result.row]
                rejected.append(p.result)
            planned = [p for p in planned if p.result.action != "reject"]
            for p in planned:
                if p.venue is None:
                    p.result.venue_id = None
            continue
        except BaseException:
            savepoint.rollback()
            raise
        if dry_run:
            savepoint.rollback()
            for p in planned:
                if p.result.action == "create":
                    p.result.venue_id = None
        else:
            savepoint.commit()
        break
    report.results = sorted([p.result for p in planned] + rejected, key=lambda r: r.row)
    if not dry_run:
        record("import", object_type="venue", summary=report.summary())
    return report


# ---------------------------------------------------------------- rejected rows file


def rejected_rows(table: Table, report: ImportReport) -> tuple[list[str], list[list]]:
    """The header and the rejected rows as they were, with the reason in an error column."""
    reasons = {r.row: r.reason for r in report.rejected}
    headers = list(table.headers)
    # sheets often declare empty columns past the last one used: leave those out
    while (
        headers
        and not headers[-1]
        and all(len(r) < len(headers) or r[len(headers) - 1] in (None, "") for r in table.rows)
    ):
        headers.pop()
    keep = [i for i, h in enumerate(headers) if header_key(h) != ERROR_COLUMN]
    out = []
    for number, row in zip(table.numbers, table.rows, strict=True):
        if number in reasons:
            out.append(
                [row[i] if i < len(row) else None for i in keep]
                + [_("Row %(n)s: %(why)s", n=number, why=reasons[number])]
            )
    return [headers[i] for i in keep] + [ERROR_COLUMN], out
