"""The columns of a venue list: the header names each field goes by, and a file's mapping.

Headers are compared folded (accents, case and punctuation ignored), in Vietnamese or
English; a column named twice is read once, and the columns nobody reads are reported.
"""

from __future__ import annotations

from ...text import fold

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
    "security_cert_no": ("Số GCN ANTT", "Số GCN", "Số giấy chứng nhận ANTT", "GCN ANTT",
                         "Giấy chứng nhận đủ điều kiện về ANTT", "Số GCN đủ điều kiện ANTT",
                         "Security certificate no", "Security certificate"),
    "security_cert_on": ("Ngày cấp GCN ANTT", "Ngày cấp ANTT", "Ngày cấp GCN",
                         "Ngày cấp giấy chứng nhận", "Ngày cấp giấy chứng nhận ANTT",
                         "Ngày cấp GCN đủ điều kiện ANTT", "Security certificate date"),
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

# A bare "Ngày cấp" (issued on) is the date of the number column left of it: lists put
# "Số GCN ANTT | Ngày cấp" and "Số giấy phép | Ngày cấp" side by side. With no number column
# before it, it is the certificate's date; after the registration number it is not read.
ISSUED_ON = ("Ngày cấp", "Issued on", "Date of issue")
_ISSUED_OF = {
    "security_cert_no": "security_cert_on",
    "licence_no": "licence_issued_on",
    "registration_no": None,
}
# fmt: on


def header_key(text) -> str:
    """A header reduced for matching: folded, punctuation as spaces."""
    folded = fold(str(text or ""))
    return " ".join("".join(c if c.isalnum() or c == "#" else " " for c in folded).split())


_ALIASES = {header_key(a): f for f, names in COLUMNS.items() for a in names}
_IGNORED = {header_key(a) for a in IGNORED}
_ISSUED = {header_key(a) for a in ISSUED_ON}


def field_of(header) -> str | None:
    """The field a header names, or None."""
    return _ALIASES.get(header_key(header))


def is_error_column(header) -> bool:
    """Whether the header is the error column of a rejected-rows file."""
    return header_key(header) == ERROR_COLUMN


def map_columns(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    """column index -> field, and the headers nobody reads (reported to the user)."""
    mapping, ignored, seen = {}, [], set()
    number = "security_cert_no"  # the number column a bare "Ngày cấp" belongs to
    for i, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        f = _ALIASES.get(key)
        if f in _ISSUED_OF:
            number = f
        elif key in _ISSUED:
            f = _ISSUED_OF[number]
        if f and f not in seen:
            mapping[i] = f
            seen.add(f)
        elif key not in _IGNORED:
            ignored.append(header)
    return mapping, ignored
