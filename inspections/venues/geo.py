"""Coordinates as people type them: decimal degrees or degrees-minutes-seconds.

One parser for the form, the API and the import: "10.93321", "10,93321" (decimal comma),
"10°55'59.6\"N", "10 55 59.6 N", "N 10°55.993'", "108°06'12.3\"E", and pairs of them.
"""

from __future__ import annotations

import math
import re

from flask_babel import gettext as _

from ..errors import Invalid

_QUOTES = {
    "′": "'",
    "’": "'",
    "‘": "'",
    "`": "'",
    "´": "'",
    "″": '"',
    "”": '"',
    "“": '"',
    "''": '"',
    "º": "°",
    "˚": "°",
}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Hemisphere words: English letters, and the Vietnamese words (Bắc, Nam, Đông, Tây).
_HEMI = re.compile(
    r"(?<![^\W\d_])(bắc|bac|nam|đông|dong|tây|tay|[nsew])(?![^\W\d_])", re.IGNORECASE
)
_HEMI_SIGN = {
    "n": ("lat", 1),
    "bắc": ("lat", 1),
    "bac": ("lat", 1),
    "s": ("lat", -1),
    "nam": ("lat", -1),
    "e": ("lon", 1),
    "đông": ("lon", 1),
    "dong": ("lon", 1),
    "w": ("lon", -1),
    "tây": ("lon", -1),
    "tay": ("lon", -1),
}
_URL_POINT = re.compile(r"(?:@|[?&](?:q|query|ll)=)(-?\d+\.\d+),\s*(-?\d+\.\d+)")
_EARTH_RADIUS_M = 6_371_008.8


class CoordinateError(Invalid):
    """A coordinate that cannot be read."""


def _normalise(text: str) -> str:
    text = text.strip()
    for src, dst in _QUOTES.items():
        text = text.replace(src, dst)
    # "10o55'" is a common stand-in for the degree sign
    text = re.sub(r"(?<=\d)o(?=\s*\d)", "°", text)
    # "10d55m59.6s": letters as unit marks (the "s" is seconds only after an "m")
    text = re.sub(r"(?<=\d)\s*d(?=\s*\d)", "°", text)
    if re.search(r"\d\s*m\s*\d", text):
        text = re.sub(r"(?<=\d)\s*m(?=\s*\d)", "'", text)
        text = re.sub(r"(?<=[\d.])\s*s(?![a-z])", '"', text)
    # decimal comma (Vietnamese Excel): "10,93321" -> "10.93321", never "10, 108"
    return re.sub(r"(?<=\d),(?=\d)", ".", text)


def parse_coordinate(value, axis: str | None = None) -> float:
    """One coordinate in decimal degrees from a number or a text in any usual notation.

    axis ("lat" or "lon") lets a hemisphere letter of the other axis be reported as swapped.
    """
    if isinstance(value, bool):
        raise CoordinateError(_("Not a coordinate: %(v)s.", v=value))
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CoordinateError(_("Not a coordinate: %(v)s.", v=value))
        return float(value)
    text = _normalise(str(value or ""))
    if not text:
        raise CoordinateError(_("The coordinate is empty."))
    sign = -1 if text.lstrip().startswith("-") else 1
    hemis = _HEMI.findall(text)
    if len(hemis) > 1:
        raise CoordinateError(_("More than one hemisphere letter in %(v)s.", v=value))
    if hemis:
        hemi_axis, hemi_sign = _HEMI_SIGN[hemis[0].lower()]
        if axis and hemi_axis != axis:
            raise CoordinateError(
                _(
                    "%(v)s is a longitude (E/W) where a latitude was expected: "
                    "latitude and longitude look swapped.",
                    v=value,
                )
                if axis == "lat"
                else _(
                    "%(v)s is a latitude (N/S) where a longitude was expected: "
                    "latitude and longitude look swapped.",
                    v=value,
                )
            )
        if sign < 0:
            raise CoordinateError(_("Use either a minus sign or S/W, not both: %(v)s.", v=value))
        sign = hemi_sign
    rest = _HEMI.sub(" ", text).replace("-", " ", 1) if sign < 0 or hemis else text
    leftover = re.sub(r"[\d.\s°'\"dmsDMS:+-]", "", _NUMBER.sub("", rest))
    numbers = _NUMBER.findall(rest)
    if leftover or not 1 <= len(numbers) <= 3:
        raise CoordinateError(_("Not a coordinate: %(v)s.", v=value))
    parts = [float(n) for n in numbers]
    degrees = parts[0]
    minutes = parts[1] if len(parts) > 1 else 0.0
    seconds = parts[2] if len(parts) > 2 else 0.0
    if len(parts) > 1 and not degrees.is_integer():
        raise CoordinateError(_("Degrees with minutes must be whole degrees: %(v)s.", v=value))
    if minutes >= 60 or seconds >= 60 or (len(parts) > 2 and not minutes.is_integer()):
        raise CoordinateError(_("Minutes and seconds must be below 60: %(v)s.", v=value))
    return sign * (degrees + minutes / 60 + seconds / 3600)


def parse_point(text: str) -> tuple[float, float]:
    """(latitude, longitude) from one text: "10.93, 108.10", DMS pairs, a map link."""
    raw = str(text or "").strip()
    if not raw:
        raise CoordinateError(_("Type the coordinates, e.g. 10.9290, 108.1020."))
    url = _URL_POINT.search(raw)
    if url:
        return float(url.group(1)), float(url.group(2))
    norm = _normalise(raw)
    if ";" in raw:
        halves = [h for h in raw.split(";") if h.strip()]
    elif _HEMI.search(norm):
        marks = list(_HEMI.finditer(norm))
        if not _NUMBER.search(norm[: marks[0].start()]) and len(marks) > 1:
            # letters first: N 10°55'59.6" E 108°06'12.3"
            halves = [norm[: marks[1].start()], norm[marks[1].start() :]]
        else:
            # letters last: 10°55'59.6"N 108°06'12.3"E
            halves = [norm[: marks[0].end()], norm[marks[0].end() :]]
    else:
        commas = raw.count(",")
        if commas == 1:  # "10.93,108.10" or "10.93, 108.10"
            halves = raw.split(",")
        elif commas == 3:  # decimal commas: "10,929, 108,102"
            a, b, c, d = (p.strip() for p in raw.split(","))
            halves = [f"{a},{b}", f"{c},{d}"]
        elif commas == 0 or (commas == 2 and re.search(r"\d,\d+\s+\d", raw)):
            # "10.929 108.102", or decimal commas split by a space: "10,929 108,102"
            halves = [h for h in re.split(r"\s+", raw.strip()) if h]
        else:
            halves = []
    if len(halves) != 2 or not all(_NUMBER.search(h) for h in halves):
        raise CoordinateError(
            _("Give latitude and longitude separated by a comma, e.g. 10.9290, 108.1020.")
        )
    first_hemi = _HEMI.search(halves[0])
    if first_hemi and _HEMI_SIGN[first_hemi.group(1).lower()][0] == "lon":
        halves.reverse()  # written longitude first, but labelled: no doubt about the order
    lat = parse_coordinate(halves[0].strip(" ,"), "lat")
    lon = parse_coordinate(halves[1].strip(" ,"), "lon")
    return lat, lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (for comparing a few candidates already fetched)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def format_point(lat: float, lon: float) -> str:
    """The text the coordinates box shows: six decimals (about 10 cm)."""
    return f"{lat:.6f}, {lon:.6f}"
