"""Locale choice and the formatting people expect: dd/mm/yyyy dates and VND amounts."""

from __future__ import annotations

import functools
from datetime import date, datetime

from babel import Locale
from babel.numbers import get_group_symbol, get_minus_sign_symbol
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
def _int_symbols(locale: Locale) -> tuple[str, str] | None:
    """(group, minus) of a locale whose standard number pattern groups integers by three, as
    Vietnamese and English do (None otherwise: Babel formats them)."""
    pattern = locale.decimal_formats.get(None)
    if pattern is None or pattern.grouping != (3, 3):
        return None
    return get_group_symbol(locale), get_minus_sign_symbol(locale)


def _grouped(value: int) -> str:
    """An integer grouped as the locale writes it: what format_decimal gives, without its
    pattern machinery (a coverage table formats hundreds of counts per page)."""
    symbols = _int_symbols(get_locale())
    if symbols is None:
        return format_decimal(value)
    group, minus = symbols
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


def fmt_decimal(value) -> str:
    """A short decimal in the locale's notation: 18,2 in Vietnamese, 18.2 in English."""
    if value is None:
        return ""
    return format_decimal(float(value), format="#,##0.##")


def init_app(app: Flask) -> None:
    """Register template filters and the locale in templates."""
    app.jinja_env.filters.update(
        date=fmt_date, datetime=fmt_datetime, vnd=fmt_vnd, number=fmt_number, decimal=fmt_decimal
    )

    app.jinja_env.globals["locales"] = LOCALES

    @app.context_processor
    def _locale():
        return {"current_locale": str(get_locale())}
