"""Time as the province counts it: today, local days, and how far a phone's clock runs ahead.

The server may run in UTC (or anywhere); a day in this app is always a day in the province's
time zone (``TIMEZONE``, Asia/Ho_Chi_Minh by default). Never call ``date.today()``: at 23:30 UTC
the province is already on the next day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from .dbtypes import utcnow


def tz() -> ZoneInfo:
    """The province's time zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def now() -> datetime:
    """Now, in the province's time zone."""
    return utcnow().astimezone(tz())


def today() -> date:
    """Today in the province (what "today" means on a form, a period, a deadline)."""
    return now().date()


def local_day(at: datetime) -> date:
    """The calendar day of an instant in the province (what coverage counts)."""
    return at.astimezone(tz()).date()


def local_time(at: datetime) -> datetime:
    """An instant shown on the province's wall clock."""
    return at.astimezone(tz())


def phone_clock_ahead(client_time: datetime | None) -> timedelta:
    """How far ahead of the server the phone's clock is, from the time the phone said it
    sent the request (zero when not given or behind). Used only to judge "in the future"."""
    if client_time is None:
        return timedelta(0)
    return max(client_time - utcnow(), timedelta(0))
