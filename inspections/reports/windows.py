"""Reporting windows (Decree 09/2019/NĐ-CP Art. 12) and the calendar of a plan's year.

A window is named by its key, ``report:2024-Q1`` … ``report:2024-Y`` (coverage/periods.py
gives its dates). The plan asks for reports quarterly (before the 15th of the quarter's last
month), six-monthly (before 15/6), nine-monthly (before 15/9) and yearly (before 15/12).
The second, third and fourth quarters fall due on the days of the 6-month, 9-month and yearly
reports, which cover them, so a year's calendar holds four reports: Q1, 6M, 9M and Y (any
window can still be computed, drafted and sent).

Due day: the window's data end on the 14th and the plan asks for the report "before the 15th";
a report cannot hold the whole window before its last day is over, so the app gives the 15th
itself (the first day a complete report exists) as the due day, and calls a unit late after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from ..errors import InspectionsError, NotFound
from . import figures

CALENDAR_KINDS = ("Q1", "6M", "9M", "Y")
_KEY = re.compile(r"^report:(\d{4})-(Q[1-4]|6M|9M|Y)$", re.IGNORECASE)
_ROMAN = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}


@dataclass(frozen=True)
class Window:
    """A reporting window: its key, dates (inclusive) and the day the report is due."""

    key: str
    year: int
    kind: str
    start: date
    end: date

    @property
    def due_on(self) -> date:
        """The 15th: the first day after the window's data end (see the module's note)."""
        return self.end + timedelta(days=1)

    def is_over(self, today: date) -> bool:
        """Whether the window's last day is past (a report may be sent)."""
        return today > self.end

    @property
    def previous(self) -> Window:
        """The same window a year earlier (the change the report shows)."""
        return window(f"report:{self.year - 1}-{self.kind}")

    @property
    def period(self):
        """The coverage period of the window (the one parser of periods)."""
        return figures.parse_period(self.key)


def unknown(text: str) -> NotFound:
    """The error of a window key that names no reporting window."""
    return NotFound(
        _(
            "Unknown reporting window %(w)s. Use report:YYYY-Q1 … report:YYYY-Q4, "
            "report:YYYY-6M, report:YYYY-9M or report:YYYY-Y (Decree 09/2019).",
            w=repr(text)[:60],
        ),
        field="window",
    )


def window(text: str) -> Window:
    """The window of a key (case does not matter), or NotFound saying what is accepted."""
    raw = (text or "").strip()
    m = _KEY.match(raw)
    if not m:
        raise unknown(raw)
    try:
        period = figures.parse_period(raw)
    except InspectionsError:  # a year outside the range periods accept
        raise unknown(raw) from None
    if period.key is None:  # a window key always parses to a keyed period
        raise unknown(raw)
    return Window(period.key, int(m[1]), m[2].upper(), period.start, period.end)


def calendar_windows(year: int) -> list[Window]:
    """The windows a year's plan asks reports for, in order."""
    return [window(f"report:{year}-{kind}") for kind in CALENDAR_KINDS]


def title(w: Window) -> str:
    """How a report names its window: "quarter I of 2024", "the first 6 months of 2024"."""
    if w.kind in _ROMAN:
        return _("quarter %(q)s of %(y)s", q=_ROMAN[w.kind], y=w.year)
    if w.kind == "6M":
        return _("the first 6 months of %(y)s", y=w.year)
    if w.kind == "9M":
        return _("the first 9 months of %(y)s", y=w.year)
    return _("the year %(y)s", y=w.year)


def describe(w: Window) -> str:
    """The window with its dates: "quarter I of 2024 (15/12/2023 – 14/03/2024)"."""
    return f"{title(w)} ({w.start:%d/%m/%Y} – {w.end:%d/%m/%Y})"
