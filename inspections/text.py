"""Text helpers shared by every capability: accent folding for search, safe slugs."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case ASCII form of Vietnamese text: "Phan Thiết" -> "phan thiet", "Đ" -> "d".

    Stored beside names so that search ignores accents and case identically on every database.
    """
    if not text:
        return ""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def search_fold(text: str | None) -> str:
    """fold() with punctuation read as spaces, as accents are ignored: "KARAOKE CAT-VANG" and
    "Karaoke Cát Vàng" both read "karaoke cat vang". The venues' stored search text and every
    query on it use this one function."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in fold(text))
    return " ".join(cleaned.split())


def search_pattern(query: str) -> str:
    """A LIKE pattern matching the search-folded query anywhere (wildcards cannot occur)."""
    return f"%{search_fold(query)}%"


def like_pattern(query: str) -> str:
    """A LIKE pattern matching the folded query anywhere, with LIKE wildcards escaped."""
    folded = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{folded}%"
