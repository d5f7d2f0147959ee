"""Vietnamese phone numbers as people write them, in one form for every entry point.

The form, the API and the import (CSV, XLSX, XLS) all load a venue through ``schemas.VenueIn``,
whose phone field calls ``normalise_phone``: the same number typed "+84 912.345.678",
"0912-345-678", "(0252) 3822 123" or stored by Excel as the number 912345678 is kept as
"0912345678" / "02523822123", so importing a CSV and then the XLSX of the same list changes
nothing. Mobile numbers have 10 digits (03, 05, 07, 08, 09…), landlines 11 (area code 02xx
or 024/028); the 11-digit mobile numbers of before the 2018 change get their new prefix.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from ..errors import Invalid

# The 11-digit mobile prefixes and the 10-digit ones that replaced them (15/09–15/11/2018).
# fmt: off
OLD_MOBILE = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039",                                                # Viettel
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",  # MobiFone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",  # VinaPhone
    "0186": "056", "0188": "058",                                                # Vietnamobile
    "0199": "059",                                                               # Gmobile
}
# fmt: on
MAX_LENGTH = 32  # venue.owner_phone
_VALID = re.compile(r"^(?:0[35789]\d{8}|02\d{9})$")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")
# Between two numbers of one cell: , ; / or a dash with spaces around it, "và", "hoặc".
_BETWEEN = re.compile(r"\s*(?:[,;/]|\s[-–]\s|\s(?:và|hoặc|or)\s)\s*", re.IGNORECASE)
_WRITTEN = re.compile(r"^\(?\+?[0-9 ().\-–]+$")


class PhoneError(Invalid):
    """A text that is not a phone number."""


def _one(text: str) -> str | None:
    """One number in its stored form, or None when it is not a phone number."""
    if not _WRITTEN.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.lstrip("(").startswith("+") or digits.startswith("00"):
        digits = digits.removeprefix("00")
        if not digits.startswith("84"):
            number = "+" + digits
            return number if _INTERNATIONAL.match(number) else None
        digits = "0" + digits[2:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]  # 84 912 345 678: the country code without its +
    elif len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits  # a mobile number that lost its leading 0 (Excel, CSV)
    elif len(digits) == 10 and digits[0] == "2":
        digits = "0" + digits  # a landline that lost its leading 0
    if len(digits) == 11 and digits[:4] in OLD_MOBILE:
        digits = OLD_MOBILE[digits[:4]] + digits[4:]
    return digits if _VALID.match(digits) else None


def normalise_phone(text: str | None) -> str | None:
    """The phone number(s) of a text as stored ("0912345678, 02523822123"), or PhoneError."""
    text = " ".join(str(text or "").split())
    if not text:
        return None
    numbers: list[str] = []
    for part in _BETWEEN.split(text):
        if not part:
            continue
        number = _one(part)
        if number is None:
            # two numbers with only a space between them: each piece must be a number
            pieces = [_one(p) for p in part.split(" ")]
            if len(pieces) < 2 or None in pieces:
                raise PhoneError(
                    _(
                        "“%(v)s” is not a Vietnamese phone number: a mobile number has 10 "
                        "digits and starts with 03, 05, 07, 08 or 09; a landline has 11 digits "
                        "and starts with its area code 02….",
                        v=part,
                    ),
                    field="owner_phone",
                )
            numbers += [p for p in pieces if p is not None]  # every one is, by now
        else:
            numbers.append(number)
    stored = ", ".join(dict.fromkeys(numbers))
    if len(stored) > MAX_LENGTH:
        raise PhoneError(_("Too many phone numbers: give at most two."), field="owner_phone")
    return stored or None
