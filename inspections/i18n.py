"""Locale choice and the formatting people expect: dd/mm/yyyy dates and VND amounts."""

from __future__ import annotations

import os
from datetime import date, datetime

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


def fmt_vnd(amount: int | None) -> str:
    """1.000.000 ₫ (grouping follows the locale)."""
    if amount is None:
        return ""
    return f"{format_decimal(int(amount))} ₫"


def fmt_number(value) -> str:
    """Locale-grouped number."""
    if value is None:
        return ""
    return format_decimal(value)


def fmt_decimal(value) -> str:
    """A short decimal in the locale's notation: 18,2 in Vietnamese, 18.2 in English."""
    if value is None:
        return ""
    return format_decimal(float(value), format="#,##0.##")


def compile_catalogs(app: Flask) -> None:
    """Compile .po to .mo when missing or stale, so a fresh checkout speaks Vietnamese."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    base = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    for locale in LOCALES:
        folder = os.path.join(base, locale, "LC_MESSAGES")
        po_path = os.path.join(folder, "messages.po")
        mo_path = os.path.join(folder, "messages.mo")
        if not os.path.exists(po_path):
            continue
        if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            continue
        try:
            with open(po_path, "rb") as fh:
                catalog = read_po(fh, locale=locale)
            with open(mo_path, "wb") as fh:
                write_mo(fh, catalog)
        except OSError:  # read-only install: the packaged .mo is used as it is
            app.logger.warning("cannot compile %s", po_path)


def init_app(app: Flask) -> None:
    """Register template filters and the locale in templates."""
    app.jinja_env.filters.update(
        date=fmt_date, datetime=fmt_datetime, vnd=fmt_vnd, number=fmt_number, decimal=fmt_decimal
    )

    app.jinja_env.globals["locales"] = LOCALES

    @app.context_processor
    def _locale():
        return {"current_locale": str(get_locale())}
