"""Reading Vietnamese addresses: which part names the commune, and comparing commune names.

"12 Trần Hưng Đạo, KP 3, Phường Mũi Né, TP Phan Thiết" -> "Phường Mũi Né" -> key "mui ne",
which is compared with the key of the commune the location falls in ("Phường Mũi Né").
"""

from __future__ import annotations

import re

from ..text import fold

# Folded words that start a commune-level name ("P.", "X.", "TT" are the usual short forms).
COMMUNE_PREFIXES = (
    "thi tran",
    "dac khu",
    "phuong",
    "xa",
    "tt",
    "p",
    "x",
    "ward",
    "commune",
    "town",
)
# Segments naming a level above the commune (district, town, city, province).
HIGHER_PREFIXES = (
    "quan",
    "huyen",
    "thi xa",
    "thanh pho",
    "tp",
    "tx",
    "tinh",
    "q",
    "h",
    "district",
    "city",
    "province",
)
# Segments naming a place below the commune (quarter, hamlet, group).
LOWER_PREFIXES = ("khu pho", "kp", "thon", "ap", "to", "khom", "khu", "lang", "xom", "doi")
_SPLIT = re.compile(r"[,;\n]+")
_PUNCT = re.compile(r"[^0-9a-z ]+")


def _starts_with(folded: str, prefixes) -> str | None:
    for prefix in prefixes:
        if folded == prefix:
            return prefix
        if folded.startswith(prefix) and not folded[len(prefix)].isalpha():
            return prefix
    return None


def commune_from_address(address: str | None) -> str | None:
    """The segment of a one-line address that names the commune, as written (or None)."""
    if not address:
        return None
    segments = [s.strip() for s in _SPLIT.split(address) if s.strip()]
    for segment in segments:
        if _starts_with(fold(segment), COMMUNE_PREFIXES):
            return segment
    # No "Phường/Xã" word: the first segment after the street that is neither a quarter or
    # hamlet nor a district or province ("12 Lê Lợi, Mũi Né, Phan Thiết" -> "Mũi Né").
    for segment in segments[1:]:
        folded = fold(segment)
        if _starts_with(folded, LOWER_PREFIXES) or _starts_with(folded, HIGHER_PREFIXES):
            continue
        return segment
    return None


def commune_key(name: str | None) -> str | None:
    """A commune name reduced for comparison: folded, without the unit word or punctuation."""
    if not name:
        return None
    folded = fold(name).replace(".", ". ")
    folded = " ".join(_PUNCT.sub(" ", folded).split())
    prefix = _starts_with(folded, COMMUNE_PREFIXES)
    if prefix:
        folded = folded[len(prefix) :].strip()
    # "Phường 01" and "P1" are ward 1
    folded = re.sub(r"\b0+(\d)", r"\1", folded)
    return folded[:120] or None


def communes_agree(written: str | None, derived_name: str | None) -> bool | None:
    """True/False when the address names a commune and one was derived, else None."""
    a, b = commune_key(written), commune_key(derived_name)
    if not a or not b:
        return None
    return a == b


def compose_address(house_no: str | None, street: str | None, commune: str | None) -> str | None:
    """ "12 Trần Hưng Đạo, Phường Mũi Né" from its parts."""
    first = " ".join(p for p in (house_no, street) if p)
    return ", ".join(p for p in (first, commune) if p) or None


def written_commune(address_commune: str | None, address: str | None) -> str | None:
    """The commune a venue's address names: its own field, else the one-line address's."""
    return address_commune or commune_from_address(address)


def names_unit(written: str | None, *names: str | None) -> bool | None:
    """Whether a written commune names the unit under any of its names (the former commune
    or today's unit at the location): True/False, None when either side is unknown.

    "Phường Hàm Tiến" and "Phường Mũi Né" both name a venue of the former Hàm Tiến, now in
    Phường Mũi Né."""
    known = [n for n in names if n]
    if not written or not known:
        return None
    answers = [communes_agree(written, n) for n in known]
    if any(a is None for a in answers):
        return None
    return any(answers)


def province_key(name: str) -> str:
    """A province name reduced for comparison: "Tỉnh Lâm Đồng", "Lâm Đồng" -> "lam dong"."""
    key = commune_key(name) or ""
    return key[len("tinh ") :] if key.startswith("tinh ") else key


def _is_higher(segment: str, provinces: tuple[str, ...]) -> bool:
    folded = fold(segment)
    return bool(_starts_with(folded, HIGHER_PREFIXES)) or province_key(segment) in provinces


def todays_address(
    address: str | None,
    unit_name: str | None,
    province_name: str | None,
    *,
    provinces: tuple[str, ...] = (),
) -> str | None:
    """The address on today's map: what the written address says below the commune (house,
    street, quarter), then today's unit and province.

    "12 Trần Hưng Đạo, KP 3, Phường Hàm Tiến, Thành phố Phan Thiết, Bình Thuận" and
    "12 Trần Hưng Đạo, KP 3, Phường Mũi Né, Lâm Đồng" both give "12 Trần Hưng Đạo, KP 3,
    Phường Mũi Né, Tỉnh Lâm Đồng". ``provinces``: province_key()s of the provinces the
    address may name without a "tỉnh" word. None without an address or a unit.
    """
    if not address or not unit_name:
        return None
    segments = [s.strip() for s in _SPLIT.split(address) if s.strip()]
    commune = commune_from_address(address)
    below: list[str] = []
    for segment in segments:
        if segment == commune or _is_higher(segment, provinces):
            break
        below.append(segment)
    parts = [*below, unit_name, province_name or ""]
    return ", ".join(p for p in parts if p)[:300]
