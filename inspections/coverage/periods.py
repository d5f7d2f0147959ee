"""The one period parser of pages, API, exports and reports.

Accepted: ``2024`` (year), ``2024-Q3`` (quarter), ``2024-06`` (month), the reporting windows of
Decree 09/2019/NĐ-CP Art. 12 (``report:2024-Q3``: 15th of the month before the quarter → 14th of
its last month; ``report:2024-6M`` / ``-9M`` / ``-Y``: 15 Dec of the previous year → 14 Jun /
14 Sep / 14 Dec), or explicit start and end dates. Dates are inclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from .. import clock
from ..errors import Invalid

MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_YEARS = 10
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_REPORT = re.compile(r"^report:(\d{4})-(Q[1-4]|6M|9M|Y)$", re.IGNORECASE)
REPORT_END_MONTH = {"6M": 6, "9M": 9, "Y": 12}


@dataclass(frozen=True)
class Period:
    """An inclusive date interval with the key it was parsed from (None for custom dates)."""

    start: date
    end: date
    key: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def args(self) -> dict:
        """URL query arguments that name this period again."""
        if self.key:
            return {"period": self.key}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def accepted() -> str:
    """What the parser accepts, for error messages."""
    return _(
        "Accepted: 2024 (year), 2024-Q3 (quarter), 2024-06 (month), report:2024-Q3, "
        "report:2024-6M, report:2024-9M, report:2024-Y (reporting windows of Decree "
        "09/2019), or start and end dates (YYYY-MM-DD)."
    )


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(
            _(
                "The year must be between %(a)s and %(b)s. %(accepted)s",
                a=MIN_YEAR,
                b=MAX_YEAR,
                accepted=accepted(),
            ),
            field="period",
        )
    return year


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_key(text: str) -> Period:
    """A named period from its key, or Invalid listing what is accepted."""
    raw = (text or "").strip()
    if m := _YEAR.match(raw):
        y = _year(m[1])
        return Period(date(y, 1, 1), date(y, 12, 31), raw)
    if m := _QUARTER.match(raw):
        y, q = _year(m[1]), int(m[2])
        first = 3 * (q - 1) + 1
        return Period(date(y, first, 1), _month_end(y, first + 2), f"{y}-Q{q}")
    if m := _MONTH.match(raw):
        y, month = _year(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period(date(y, month, 1), _month_end(y, month), raw)
    if m := _REPORT.match(raw):
        y, kind = _year(m[1]), m[2].upper()
        if kind.startswith("Q"):
            last = 3 * int(kind[1])
            before = last - 3  # the month before the quarter (0 = December of last year)
            start = date(y, before, 15) if before else date(y - 1, 12, 15)
            return Period(start, date(y, last, 14), f"report:{y}-{kind}")
        return Period(
            date(y - 1, 12, 15), date(y, REPORT_END_MONTH[kind], 14), f"report:{y}-{kind}"
        )
    raise Invalid(
        _("Unknown period %(text)s. %(accepted)s", text=repr(raw)[:60], accepted=accepted()),
        field="period",
    )


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def custom(start: date, end: date) -> Period:
    """A period from explicit dates, refused when reversed or longer than ten years."""
    if start > end:
        raise Invalid(
            _("The start date %(s)s is after the end date %(e)s.", s=start, e=end), field="end"
        )
    if end >= _add_years(start, MAX_YEARS):
        raise Invalid(
            _(
                "A period may be at most %(n)s years long. %(accepted)s",
                n=MAX_YEARS,
                accepted=accepted(),
            ),
            field="end",
        )
    if start.year < MIN_YEAR or end.year > MAX_YEAR:
        raise Invalid(
            _("Dates must lie between %(a)s and %(b)s.", a=MIN_YEAR, b=MAX_YEAR), field="start"
        )
    return Period(start, end)


def parse(
    period: str | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> Period:
    """The period named by a key, or by start and end, or (nothing given) this calendar year."""
    if period:
        if start or end:
            raise Invalid(
                _(
                    "Give either a period or start and end dates, not both. %(accepted)s",
                    accepted=accepted(),
                ),
                field="period",
            )
        return parse_key(period)
    if start or end:
        if not (start and end):
            raise Invalid(
                _("Give both the start and the end date. %(accepted)s", accepted=accepted()),
                field="start" if not start else "end",
            )
        return custom(start, end)
    return parse_key(str((today or clock.today()).year))


def year_choices(year: int) -> list[tuple[str, str]]:
    """(key, label) of the named periods of one year: the year, its quarters, then the
    reporting windows of Decree 09/2019 that end in it."""
    y = year
    out = [(str(y), _("Year %(y)s", y=y))]
    out += [(f"{y}-Q{q}", _("Quarter %(q)s/%(y)s", q=q, y=y)) for q in range(1, 5)]
    out += [(f"report:{y}-Q{q}", _("Report, quarter %(q)s/%(y)s", q=q, y=y)) for q in range(1, 5)]
    out += [
        (f"report:{y}-6M", _("Report, 6 months %(y)s", y=y)),
        (f"report:{y}-9M", _("Report, 9 months %(y)s", y=y)),
        (f"report:{y}-Y", _("Report, year %(y)s", y=y)),
    ]
    return out


def presets(today: date) -> list[tuple[str, str]]:
    """(key, label) choices around today: this year's and last year's periods and windows."""
    y = today.year
    return [*year_choices(y), *year_choices(y - 1)]


MAX_PICKER_YEARS = 25


def picker_groups(today: date, baseline: date | None = None) -> list[tuple[str, list]]:
    """The period picker's choices grouped by year, most recent first: every year back to the
    plan's phase baseline (last year when there is none), each with its quarters and its
    reporting windows; the next year's windows once they have started (15 December)."""
    y = today.year
    first = baseline.year if baseline and baseline.year < y else y - 1
    first = max(first, y - MAX_PICKER_YEARS + 1, MIN_YEAR)
    groups = []
    if today >= date(y, 12, 15) and y < MAX_YEAR:
        nxt = y + 1
        started = [(k, label) for k, label in year_choices(nxt) if k.startswith("report:")]
        started = [(k, label) for k, label in started if parse_key(k).start <= today]
        groups.append((str(nxt), started))
    groups += [(str(yy), year_choices(yy)) for yy in range(y, first - 1, -1)]
    return groups


def describe(period: Period) -> str:
    """How people name the period: "Quarter 3/2024 (01/07/2024 – 30/09/2024)"."""
    dates = f"{period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"
    if not period.key:
        return dates
    found = re.search(r"\d{4}", period.key)
    if found is None:  # every key names its year; a stranger one is shown by its dates
        return dates
    year = int(found[0])
    names = dict(year_choices(year))
    if period.key in names:
        return f"{names[period.key]} ({dates})"
    if _MONTH.match(period.key):
        return _("Month %(m)s/%(y)s", m=period.key[5:], y=year) + f" ({dates})"
    return dates
