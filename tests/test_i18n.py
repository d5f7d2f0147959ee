"""The Vietnamese catalogue: every message of the code and templates is translated."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "inspections" / "translations"
PO = TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po"
# the same sources and keywords as `make i18n` (babel.cfg, -k _l -k lazy_gettext -k said)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "said": None,  # audit summaries (inspections.audit.services.said)
}
SOURCES = {"inspections": [("**.py", "python")], "templates": [("**.html", "jinja2")]}


def _not_hidden(dirpath: str) -> bool:
    """Every folder but hidden ones: babel's default filter also skips "_macros"."""
    return not Path(dirpath).name.startswith(".")


def extracted() -> set[str]:
    """The msgids of the code and the templates."""
    found = set()
    for folder, method_map in SOURCES.items():
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder,
            method_map=method_map,
            keywords=KEYWORDS,
            directory_filter=_not_hidden,
        ):
            found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def test_every_message_has_a_vietnamese_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    missing = []
    for msgid in sorted(extracted()):
        entry = catalog.get(msgid)
        text = entry.string if entry else None
        if isinstance(text, tuple):
            text = text[0]
        if not text or entry.fuzzy:
            missing.append(msgid)
    assert missing == [], f"untranslated (run make i18n, then translate): {missing}"


def test_grouped_integers_are_what_babel_gives(app):
    """fmt_number's fast path for integers writes what Babel's format_decimal writes, in
    both languages (Vietnamese groups with dots, English with commas)."""
    from flask_babel import force_locale, format_decimal

    from inspections.i18n import fmt_number, fmt_vnd

    values = [0, 7, 999, 1000, -1, -1000, 20_000, 1_234_567, -987_654_321, 10**15]
    with app.test_request_context():
        for locale, million in (("vi", "1.000.000"), ("en", "1,000,000")):
            with force_locale(locale):
                for value in values:
                    assert fmt_number(value) == format_decimal(value), (locale, value)
                assert fmt_number(1_000_000) == million
                assert fmt_vnd(1_000_000) == f"{million} ₫"
                assert fmt_number(12.5) == format_decimal(12.5)


def test_short_decimals_are_what_babel_gives(app):
    """fmt_decimal's fast path (two places at most, half to even) writes what Babel writes
    with the pattern #,##0.## in both languages, ties and large numbers included."""
    import random
    from decimal import Decimal

    from flask_babel import force_locale, format_decimal

    from inspections.i18n import fmt_decimal

    rng = random.Random(7)
    values = [0, 0.5, 0.005, 0.015, 0.125, 0.135, 2.675, 1.005, 18.2, 20, 99.995, 1234567.891]
    values += [Decimal("20.00"), Decimal("12.345"), -1.5]
    values += [rng.uniform(0, 200) for _ in range(500)]
    values += [rng.randint(0, 10**7) / 1000 for _ in range(500)]
    with app.test_request_context():
        for locale, example in (("vi", "1.234,5"), ("en", "1,234.5")):
            with force_locale(locale):
                assert fmt_decimal(1234.5) == example
                for value in values:
                    expected = format_decimal(float(value), format="#,##0.##")
                    assert fmt_decimal(value) == expected, (locale, value)
