"""The rows of a venue list: cell values -> the data ``schemas.VenueIn`` validates, or the
row's rejection with its reason (unknown sector or status, a missing name, a bad date or
coordinates). Every row is judged on its own here; matching and duplicates come next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from ...areas.services import check_coordinates
from ...errors import Invalid
from ...extensions import db
from ..geo import CoordinateError, parse_point
from ..models import Sector, Venue
from ..schemas import LicenceIn, VenueIn
from .columns import header_key
from .files import Table

# fmt: off
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
# (code, the words that name it) in the order they are tried
WordTable = tuple[tuple[str, tuple[str, ...]], ...]

STATUS_WORDS: WordTable = (
    ("suspended", ("tam ngung", "tam dung", "dinh chi", "tam nghi", "suspended")),
    ("closed", ("da dong cua", "dong cua", "ngung hoat dong", "ngung kinh doanh", "giai the",
                "cham dut", "nghi kinh doanh", "closed")),
    ("operating", ("dang hoat dong", "hoat dong", "dang kinh doanh", "operating", "open",
                   "active")),
)
LICENCE_WORDS: WordTable = (
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


def _words_match(value: str | None, table: WordTable) -> str | None:
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
class Planned:
    """A valid row, its data, and the venue it updates (if any)."""

    result: RowResult
    data: dict
    licence: dict | None
    venue: Venue | None = None
    keys: dict = field(default_factory=dict)
    where: tuple[float, float] | None = None  # the matched venue's (lat, lon)
    changes: dict = field(default_factory=dict)


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
            # a phone number (also one Excel stored as a number) is put in its one form by
            # the schema, as for the form and the API
            value = _text(cells[key])
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
            # a blank cell reads as no text, which parse_point refuses
            data["latitude"], data["longitude"] = parse_point(_text(cells["coordinates"]) or "")
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


def plan_rows(table: Table, mapping: dict[int, str]) -> tuple[list[Planned], list[RowResult]]:
    """Validate every row on its own; the invalid ones are rejected with their reason."""
    sectors: dict[str, str] = {}
    for sector in db.session.execute(select(Sector.code, Sector.name_vi, Sector.name_en)):
        sectors[header_key(sector.name_vi)] = sector.code
        sectors[header_key(sector.name_en)] = sector.code
        sectors[header_key(sector.code)] = sector.code
    labels = {f: table.headers[i] for i, f in mapping.items()}
    labels.update(
        {k: labels.get("coordinates", k) for k in ("latitude", "longitude") if k not in labels}
    )
    schema = VenueIn(partial=True)
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
