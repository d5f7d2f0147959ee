"""Exports of any filtered venue list: XLSX, CSV (UTF-8 with BOM) and GeoJSON.

The spreadsheet headers are names the import reads back (see importing/columns.py), so an
export edited in Excel can be re-imported; derived columns (areas from the location, last
inspection) are recognised by the import and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from ..accounts.services import Scope
from ..core.templating import STATUS_LABELS
from ..extensions import db
from ..spreadsheets import write_csv, write_xlsx
from . import queries
from .models import VenueLicence

CHUNK = 1000


def _licences_text(licences: list[VenueLicence]) -> str:
    return "; ".join(lic.describe() for lic in licences)


# (header vi, header en, value of a VenueRow)
COLUMNS = (
    ("ID", "ID", lambda r, lic, loc: r.venue.id),
    ("Tên cơ sở", "Name", lambda r, lic, loc: r.venue.name),
    ("Ngành nghề", "Sector", lambda r, lic, loc: r.venue.sector.name(loc)),
    ("Địa chỉ", "Address", lambda r, lic, loc: r.venue.address),
    ("Địa chỉ từ 1/7/2025", "Address since 1/7/2025", lambda r, lic, loc: r.venue.address_2025),
    ("Số nhà", "House number", lambda r, lic, loc: r.venue.house_no),
    ("Đường", "Street", lambda r, lic, loc: r.venue.street),
    ("Xã/phường", "Commune", lambda r, lic, loc: r.venue.address_commune),
    (
        "Huyện (theo vị trí)",
        "District (from location)",
        lambda r, lic, loc: r.venue.district.name if r.venue.district else None,
    ),
    (
        "Xã (theo vị trí)",
        "Commune (from location)",
        lambda r, lic, loc: r.venue.commune.name if r.venue.commune else None,
    ),
    (
        "Mã xã",
        "Commune code",
        lambda r, lic, loc: r.venue.commune.code if r.venue.commune else None,
    ),
    (
        "Xã, phường từ 1/7/2025",
        "Unit since 1/7/2025",
        lambda r, lic, loc: r.venue.commune_2025.name if r.venue.commune_2025 else None,
    ),
    (
        "Mã xã từ 1/7/2025",
        "Unit code since 1/7/2025",
        lambda r, lic, loc: r.venue.commune_2025.code if r.venue.commune_2025 else None,
    ),
    ("Lệch địa chỉ", "Address mismatch", lambda r, lic, loc: "x" if r.commune_mismatch else None),
    ("Vĩ độ", "Latitude", lambda r, lic, loc: round(r.latitude, 6)),
    ("Kinh độ", "Longitude", lambda r, lic, loc: round(r.longitude, 6)),
    ("Số ĐKKD", "Registration no", lambda r, lic, loc: r.venue.registration_no),
    ("Số GCN ANTT", "Security certificate no", lambda r, lic, loc: r.venue.security_cert_no),
    (
        "Ngày cấp GCN ANTT",
        "Security certificate date",
        lambda r, lic, loc: r.venue.security_cert_on,
    ),
    ("Chủ cơ sở", "Owner", lambda r, lic, loc: r.venue.owner_name),
    ("Điện thoại", "Phone", lambda r, lic, loc: r.venue.owner_phone),
    ("Quy mô", "Capacity", lambda r, lic, loc: r.venue.capacity),
    ("Trạng thái", "Status", lambda r, lic, loc: str(STATUS_LABELS[r.venue.status])),
    ("Ngày hoạt động", "Opened on", lambda r, lic, loc: r.venue.opened_on),
    ("Ngày đóng cửa", "Closed on", lambda r, lic, loc: r.venue.closed_on),
    ("Giấy phép khác", "Other licences", lambda r, lic, loc: _licences_text(lic)),
    ("Kiểm tra gần nhất", "Last inspection", lambda r, lic, loc: r.last_inspected_on),
    ("Ghi chú", "Notes", lambda r, lic, loc: r.venue.notes),
)


def _chunks(args: dict, scope: Scope, today: date) -> Iterator[list[queries.VenueRow]]:
    """The filtered rows in list order, a thousand at a time (licences in one query each)."""
    ids = list(db.session.scalars(queries.id_select(args, scope, today)))
    for i in range(0, len(ids), CHUNK):
        yield queries.load_rows(ids[i : i + CHUNK])


def _licences(venue_ids: list[int]) -> dict[int, list[VenueLicence]]:
    out: dict[int, list[VenueLicence]] = {}
    for lic in db.session.scalars(
        select(VenueLicence)
        .where(VenueLicence.venue_id.in_(venue_ids))
        .order_by(VenueLicence.expires_on)
    ):
        out.setdefault(lic.venue_id, []).append(lic)
    return out


def table(args: dict, scope: Scope, today: date, locale: str) -> tuple[list[str], list[list], int]:
    """(headers, rows, count) of the filtered list, headers in the locale's language."""
    headers = [vi if locale == "vi" else en for vi, en, _f in COLUMNS]
    out = []
    for chunk in _chunks(args, scope, today):
        lic = _licences([r.venue.id for r in chunk])
        for r in chunk:
            out.append([f(r, lic.get(r.venue.id, []), locale) for _vi, _en, f in COLUMNS])
    return headers, out, len(out)


def as_xlsx(args: dict, scope: Scope, today: date, locale: str) -> tuple[bytes, int]:
    """The filtered list as an XLSX workbook."""
    headers, rows, n = table(args, scope, today, locale)
    return write_xlsx(headers, rows, "venues"), n


def as_csv(args: dict, scope: Scope, today: date, locale: str) -> tuple[bytes, int]:
    """The filtered list as CSV in UTF-8 with a BOM (Excel then reads Vietnamese right)."""
    headers, rows, n = table(args, scope, today, locale)
    return write_csv(headers, rows), n


def as_geojson(args: dict, scope: Scope, today: date, locale: str) -> tuple[bytes, int]:
    """The filtered list as a GeoJSON FeatureCollection (WGS84 points; opens in QGIS)."""
    features = []
    for chunk in _chunks(args, scope, today):
        lic = _licences([r.venue.id for r in chunk])
        for r in chunk:
            v = r.venue
            features.append(
                {
                    "type": "Feature",
                    "id": v.id,
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(r.longitude, 7), round(r.latitude, 7)],
                    },
                    "properties": {
                        "id": v.id,
                        "name": v.name,
                        "sector": v.sector.code,
                        "sector_name": v.sector.name_vi,
                        "address": v.address,
                        "address_commune": v.address_commune,
                        "address_2025": v.address_2025,
                        "unit_2025_code": v.commune_2025.code if v.commune_2025 else None,
                        "unit_2025_name": v.commune_2025.name if v.commune_2025 else None,
                        "district_code": v.district.code if v.district else None,
                        "district_name": v.district.name if v.district else None,
                        "commune_code": v.commune.code if v.commune else None,
                        "commune_name": v.commune.name if v.commune else None,
                        "commune_mismatch": r.commune_mismatch,
                        "registration_no": v.registration_no,
                        "security_cert_no": v.security_cert_no,
                        "security_cert_on": _iso(v.security_cert_on),
                        "owner_name": v.owner_name,
                        "owner_phone": v.owner_phone,
                        "capacity": v.capacity,
                        "status": v.status,
                        "opened_on": _iso(v.opened_on),
                        "closed_on": _iso(v.closed_on),
                        "licences": _licences_text(lic.get(v.id, [])),
                        "last_inspected_on": _iso(r.last_inspected_on),
                    },
                }
            )
    body = {"type": "FeatureCollection", "name": "venues", "features": features}
    return json.dumps(body, ensure_ascii=False).encode("utf-8"), len(features)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
