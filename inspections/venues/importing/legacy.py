"""Lists typed with the old Vietnamese fonts: TCVN3 (ABC, the ".VnTime" fonts) and VNI-Windows
(the "VNI-Times" fonts).

Such text is not in a code page of its own: the fonts draw Vietnamese letters at the places of
Windows' Western letters, so a CSV holds those bytes, and an XLSX or XLS cell holds the
characters Windows gave them (code page 1252, or 1258 on a Vietnamese Windows) — "Tên cơ sở"
reads "Tªn c¬ së" (TCVN3) or "Teân cô sôû" (VNI). Every text cell is read back as those bytes
and converted with each table; the encoding of the file is the one whose reading yields the most
valid Vietnamese syllables and known column names, and only when it beats the text as it is
(so UTF-8 and Windows-1258 lists never change). Each cell then takes that encoding's reading
unless its text as it is reads better (a cell typed later in Unicode stays as it is).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from .columns import field_of

TCVN3 = "TCVN3"
VNI = "VNI-Windows"
CP1258 = "cp1258"
SAMPLE_ROWS = 300  # rows whose text decides the file's encoding


def _runs(*runs: tuple[int, str]) -> dict[int, str]:
    table = {}
    for first, letters in runs:
        for offset, letter in enumerate(letters):
            table[first + offset] = letter
    return table


# TCVN 5712:1993, table VN3 (the ".VnTime" fonts): byte -> letter. The bytes not listed keep
# their Windows-1252 meaning (VN3 leaves the quotes, dashes, degree sign... where they are).
# VN3 has no capitals with a tone mark: the ".VnTimeH" fonts draw the lower-case codes as
# capitals, which _capitals() below restores.
TCVN3_TABLE = _runs(
    (0xA1, "ĂÂÊÔƠƯĐăâêôơưđ"),  # A1–AE
    (0xB5, "àảãáạ"),  # B5–B9
    (0xBB, "ằẳẵắ"),  # BB–BE
    (0xC6, "ặầẩẫấậè"),  # C6–CC
    (0xCE, "ẻẽéẹềểễếệìỉ"),  # CE–D8
    (0xDC, "ĩíịò"),  # DC–DF
    (0xE1, "ỏõóọồổỗốộờởỡớợù"),  # E1–EF
    (0xF1, "ủũúụừửữứựỳỷỹýỵ"),  # F1–FE
)

# VNI-Windows: a letter is its base letter followed by a mark byte (á = "a" + 0xF9 "ù"); ơ, ư,
# đ and the i's with a tone (and ỵ) are one byte. Capitals take the capital mark bytes, which
# are these upper-cased (Á = "A" + 0xD9 "Ù", Ơ = 0xD4 "Ô").
# fmt: off
VNI_TABLE = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ế": "eá", "ề": "eà", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ó": "où", "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ố": "oá", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ớ": "ôù", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ú": "uù", "ù": "uø", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ý": "yù", "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "đ": "ñ",
}
# fmt: on


def _vni_reading() -> dict[str, str]:
    """VNI spelling -> letter, for lower case, capitals, and a capital base letter followed by
    a lower-case mark (both are found in lists)."""
    reading = {}
    for letter, spelt in VNI_TABLE.items():
        reading[spelt] = letter
        reading[spelt.upper()] = letter.upper()
        reading[spelt[0].upper() + spelt[1:]] = letter.upper()
    return reading


_VNI_READING = _vni_reading()


def _byte_of() -> dict[str, str]:
    """Character -> the byte (as a Latin-1 character) Windows shows it for, in code page 1252
    or 1258; the C1 controls stand for themselves (a CSV read byte for byte)."""
    found: dict[str, str] = {}
    for b in range(0x80, 0x100):
        for codec in ("cp1252", "cp1258"):
            with contextlib.suppress(UnicodeDecodeError):  # bytes a code page leaves out
                found.setdefault(bytes([b]).decode(codec), chr(b))
        found.setdefault(chr(b), chr(b))
    return found


_BYTE_OF = _byte_of()


def as_bytes(text: str) -> str | None:
    """The bytes an old font's text was typed as (one Latin-1 character per byte), or None when
    the text holds a character no such byte gives (it is Unicode text)."""
    out = []
    for ch in text:
        if ch < "\x80":
            out.append(ch)
        elif ch in _BYTE_OF:
            out.append(_BYTE_OF[ch])
        else:
            return None
    return "".join(out)


_ASCII_LETTER = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[^\W\d_]+")
# a whole word without an ASCII lower-case letter ("NHà", "Sè", "GCN")
_NO_ASCII_LOWER = re.compile(r"(?<![^\W\d_])[^\W\d_a-z]+(?![^\W\d_])")


def _capitals(converted: str) -> str:
    """Words typed in capitals with a ".VnTimeH" font hold lower-case codes for their toned
    letters ("NHµ NGHØ"): they are capitals throughout ("NHÀ NGHỈ")."""
    words = [m for m in _NO_ASCII_LOWER.finditer(converted) if not m.group().isupper()]
    if not words:
        return converted
    # the cell is in capitals when the words with a toned letter have only capital ASCII
    # letters ("S¸CH C¥ Së"; "Sè GCN" is not: its capitals are an abbreviation's)
    letters = [
        c for w in _WORD.findall(converted) if not w.isascii() for c in _ASCII_LETTER.findall(w)
    ]
    all_caps = len(letters) >= 2 and all(c.isupper() for c in letters)
    out, at = [], 0
    for m in words:
        if all_caps or len(_ASCII_LETTER.findall(m.group())) >= 2:
            out += [converted[at : m.start()], m.group().upper()]
            at = m.end()
    return "".join([*out, converted[at:]])


def _tcvn3_translate() -> dict[int, str]:
    """The VN3 table, the other bytes keeping what Windows-1252 shows for them."""
    table = dict(TCVN3_TABLE)
    for b in range(0x80, 0xA0):
        with contextlib.suppress(UnicodeDecodeError):
            table.setdefault(b, bytes([b]).decode("cp1252"))
    return table


_TCVN3_TRANSLATE = _tcvn3_translate()


def decode_tcvn3(raw: str) -> str:
    """TCVN3 bytes (one Latin-1 character each) as Unicode text (NFC)."""
    converted = raw.translate(_TCVN3_TRANSLATE)
    return unicodedata.normalize("NFC", _capitals(converted))


# the two-byte spellings first: "ôù" is ớ, not ơ followed by a stray mark
_VNI_SPELLING = re.compile(
    "|".join(re.escape(k) for k in sorted(_VNI_READING, key=len, reverse=True))
)


def decode_vni(raw: str) -> str:
    """VNI-Windows bytes (one Latin-1 character each) as Unicode text (NFC)."""
    return unicodedata.normalize("NFC", _VNI_SPELLING.sub(lambda m: _VNI_READING[m.group()], raw))


def decode_cp1258(raw: str) -> str | None:
    """Windows-1258 bytes as Unicode text (tone marks composed), or None if they are not."""
    try:
        return unicodedata.normalize("NFC", raw.encode("latin-1").decode("cp1258"))
    except UnicodeDecodeError:
        return None


DECODERS: dict[str, Callable[[str], str]] = {TCVN3: decode_tcvn3, VNI: decode_vni}

# ---------------------------------------------------------------- Vietnamese syllables

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_STOP_TONES = {"\u0301", "\u0323"}
_SHAPE_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn (â, ă, ơ)
_VOWELS = set("aeiouy")  # a syllable ending in c, ch, p, t has one of these
# fmt: off
_INITIALS = ("ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu", "b", "c", "d",
             "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_CODAS = ("ng", "nh", "ch", "c", "m", "n", "p", "t")
# vowels that may end a syllable or take a final consonant
_NUCLEI = {"a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy", "oo", "ôô"}
# vowels that need a final consonant
_CLOSED = {"ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê"}
# vowels ending in a glide: nothing follows them
_OPEN = {"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua",
         "ui", "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "ươi",
         "ươu", "uya", "uyu", "uơ"}
# fmt: on


def _rhyme_ok(rhyme: str, tone: str | None) -> bool:
    for coda in _CODAS:
        if rhyme.endswith(coda) and rhyme[: -len(coda)] in _NUCLEI | _CLOSED:
            return coda not in ("c", "ch", "p", "t") or tone in _STOP_TONES
    return rhyme in _NUCLEI or rhyme in _OPEN


@lru_cache(maxsize=8192)
def syllable_ok(word: str) -> bool:
    """Whether a word is a Vietnamese syllable: initial, vowels, final, at most one tone."""
    parts = unicodedata.normalize("NFD", word.lower())
    tones = [i for i, c in enumerate(parts) if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    if tones and parts[: tones[0]].rstrip(_SHAPE_MARKS)[-1:] not in _VOWELS:
        return False  # a tone mark sits on a vowel
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
    tone = parts[tones[0]] if tones else None
    return any(
        base.startswith(initial) and _rhyme_ok(base[len(initial) :], tone) for initial in _INITIALS
    )


_TOKENS = re.compile(r"[\s!-@\[-`{-~]+")  # white space, ASCII punctuation and digits


def score(text: str | None, headers: bool = False) -> int:
    """How Vietnamese a reading looks: +1 for each word with a Vietnamese letter that is a
    syllable, -1 for each other non-ASCII word, and with headers +3 when the whole text is a
    known column name. None (bytes that are no text in that encoding) scores lowest."""
    if text is None:
        return -1000
    total = 3 if headers and field_of(text) else 0
    for token in _TOKENS.split(text):
        if token and not token.isascii():
            total += 1 if syllable_ok(token) else -1
    return total


# ---------------------------------------------------------------- a table's text


def _readings(cell: str, eight_bit: bool) -> tuple[str | None, str | None]:
    """(the cell as it is, its bytes): a CSV not in UTF-8 holds bytes (read as Windows-1258
    when taken as it is); other cells hold Unicode text."""
    if eight_bit:
        return decode_cp1258(cell), cell
    return cell, as_bytes(cell)


def _legacy_cells(rows: list[list]) -> list[str]:
    return [c for row in rows[:SAMPLE_ROWS] for c in row if isinstance(c, str) and not c.isascii()]


def detect(rows: list[list], eight_bit: bool = False) -> str | None:
    """TCVN3 or VNI when the text of the rows reads better so than as it is, else None."""
    cells = _legacy_cells(rows)
    if not cells:
        return None
    best, best_score = None, 0
    as_is = 0
    totals = dict.fromkeys(DECODERS, 0)
    for cell in cells:
        text, raw = _readings(cell, eight_bit)
        as_is += score(text, headers=True)
        for name, decode in DECODERS.items():
            totals[name] += score(text if raw is None else decode(raw), headers=True)
    for name, total in totals.items():
        if total > max(as_is, best_score):
            best, best_score = name, total
    return best


class NotText(ValueError):
    """A CSV's bytes that are text in no encoding the importer reads."""


def recode_rows(rows: list[list], eight_bit: bool = False) -> tuple[list[list], str | None]:
    """The rows with their text in Unicode, and the old encoding found (TCVN3, VNI) or None.
    The cells of a CSV of bytes (eight_bit) are Windows-1258 unless an old encoding is found;
    NotText when they are neither."""
    found = detect(rows, eight_bit)
    if found is None and not eight_bit:
        return rows, None  # Unicode text: as it is
    decode = DECODERS.get(found) if found is not None else None
    memo: dict[str, str] = {}

    def cell_text(cell: str) -> str:
        if cell not in memo:
            text, raw = _readings(cell, eight_bit)
            if decode is not None and raw is not None:
                converted = decode(raw)
                if text is None or score(converted) >= score(text):
                    text = converted
            if text is None:
                raise NotText(cell)
            memo[cell] = text
        return memo[cell]

    out = [
        [cell_text(c) if isinstance(c, str) and not c.isascii() else c for c in row] for row in rows
    ]
    return out, found
