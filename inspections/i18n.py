"""Locale choice and the formatting people expect: dd/mm/yyyy dates and VND amounts."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_datetime, format_decimal, get_locale

LOCALES = ("vi", "en")
LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """Vietnamese unless the person chose English (cookie), whatever the browser says."""
    if has_request_context():
        chosen = request.cookies.get(LOCALE_COOKIE)
        if chosen in LOCALES:
            return chosen
    return current_app.config["DEFAULT_LOCALE"]


def fmt_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy in every locale, as official documents write dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy")
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:mm in the configured time zone."""
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


@functools.cache
def _symbols(locale: Locale) -> tuple[str, str, str] | None:
    """(group, minus, decimal) of a locale whose standard number pattern groups by three, as
    Vietnamese and English do (None otherwise: Babel formats its numbers)."""
    pattern = locale.decimal_formats.get(None)
    if pattern is None or pattern.grouping != (3, 3):
        return None
    return get_group_symbol(locale), get_minus_sign_symbol(locale), get_decimal_symbol(locale)


def _grouped(value: int) -> str:
    """An integer grouped as the locale writes it: what format_decimal gives, without its
    pattern machinery (a coverage table formats hundreds of counts per page)."""
    symbols = _symbols(get_locale())
    if symbols is None:
        return format_decimal(value)
    group, minus, _ = symbols
    text = f"{abs(value):,}".replace(",", group)
    return minus + text if value < 0 else text


def fmt_vnd(amount: int | None) -> str:
    """1.000.000 ₫ (grouping follows the locale)."""
    if amount is None:
        return ""
    return f"{_grouped(int(amount))} ₫"


def fmt_number(value) -> str:
    """Locale-grouped number."""
    if value is None:
        return ""
    if type(value) is int:
        return _grouped(value)
    return format_decimal(value)


_HUNDREDTH = Decimal("0.01")


def fmt_decimal(value) -> str:
    """A short decimal in the locale's notation: 18,2 in Vietnamese, 18.2 in English (at most
    two places, rounded half to even from the number's shortest text, as Babel does)."""
    if value is None:
        return ""
    number = float(value)
    symbols = _symbols(get_locale())
    if symbols is None or not 0 <= number < 1e15:  # negatives, NaN, huge: Babel's way
        return format_decimal(number, format="#,##0.##")
    group, _, point = symbols
    whole, _, places = f"{Decimal(str(number)).quantize(_HUNDREDTH):,f}".partition(".")
    whole, places = whole.replace(",", group), places.rstrip("0")
    return f"{whole}{point}{places}" if places else whole


def first_upper(text) -> str:
    """A phrase written for mid-sentence ("quý I năm 2026") at the start of a line."""
    text = str(text or "")
    return text[:1].upper() + text[1:]


def init_app(app: Flask) -> None:
    """Register template filters and the locale in templates."""
    app.jinja_env.filters.update(
        date=fmt_date,
        datetime=fmt_datetime,
        vnd=fmt_vnd,
        number=fmt_number,
        decimal=fmt_decimal,
        first_upper=first_upper,
    )

    app.jinja_env.globals["locales"] = LOCALES

    @app.context_processor
    def _locale():
        return {"current_locale": str(get_locale())}
