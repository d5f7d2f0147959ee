"""What every rendering of a report says the same way: its title, who sends it to whom, the
words of a cell, met or not. The documents (XLSX, PDF) call these inside force_locale("vi")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from .. import clock
from ..i18n import fmt_date, fmt_datetime
from .labels import level_label
from .report import Column, IndicatorLine, Report
from .windows import describe, title, window

# Unit names carry their kind first ("Thành phố Phan Thiết"); a document's place name is
# the name alone (Decree 30/2020/NĐ-CP, Appendix I).
UNIT_KINDS: tuple[str, ...]
UNIT_KINDS = ("Thành phố ", "Thị xã ", "Huyện ", "Quận ", "Phường ", "Xã ", "Thị trấn ")
UNIT_KINDS += ("Đặc khu ", "Tỉnh ")


@dataclass(frozen=True)
class Sending:
    """How a sent report was sent (None fields: a draft)."""

    version: int | None = None
    number: str | None = None
    sent_at: datetime | None = None
    sent_by: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.sent_at is None


DRAFT = Sending()


def place_name(name: str) -> str:
    """ "Thành phố Phan Thiết" → "Phan Thiết"."""
    for kind in UNIT_KINDS:
        if name.startswith(kind):
            return name[len(kind) :]
    return name


def report_title(report: Report) -> str:
    """ "Results of the work against prostitution in quarter I of 2024"."""
    name = title(window(report.window))
    return _("Results of the work against prostitution in %(window)s", window=name)


def window_text(report: Report) -> str:
    """The window with its dates."""
    return describe(window(report.window))


def sender(report: Report) -> tuple[str, str]:
    """(the body above, the issuing body) of the document's top left: a unit's People's
    Committee, or the plan's standing agency under the province's committee."""
    if report.area_level == "province":
        above = _("People's Committee of %(p)s", p=report.province_name)
        return above, report.plan.get("standing_agency_body") or ""
    return "", _("People's Committee of %(u)s", u=report.area_name)


def recipient(report: Report) -> str:
    """Whom the report is addressed to: a unit reports to the plan's standing agency, which
    reports the province's figures to the People's Committee that issued the plan."""
    if report.area_level == "province":
        return report.plan.get("issuer") or ""
    return report.plan.get("standing_agency") or ""


def place(report: Report) -> str:
    """The place name of the document (the seat of the body that issues it)."""
    if report.area_level == "province":
        return report.plan.get("place_name") or place_name(report.province_name)
    return place_name(report.area_name)


def date_line(report: Report, sending: Sending) -> str:
    """ "Phan Thiết, ngày 15 tháng 12 năm 2024" (the day sent; today for a draft)."""
    day = clock.local_day(sending.sent_at) if sending.sent_at else clock.today()
    dd, mm = day.strftime("%d"), day.strftime("%m")
    return _(
        "%(place)s, day %(d)s month %(m)s year %(y)s", place=place(report), d=dd, m=mm, y=day.year
    )


def number_line(report: Report, sending: Sending) -> str:
    """ "Số: 15/BC-SYT", or the blank the office's register fills."""
    if sending.number:
        return _("No.: %(n)s", n=sending.number)
    symbol = report.plan.get("standing_agency_short") if report.area_level == "province" else None
    blank = "      /BC-" + (_symbol(symbol) if symbol else "UBND")
    return _("No.: %(n)s", n=blank)


def _symbol(short: str) -> str:
    """ "Sở LĐTBXH" → "SLĐTBXH", "Sở Y tế" → "SYT": the symbol of a body's documents."""
    words = short.split()
    if len(words) > 1 and words[0] == "Sở" and not words[1].isupper():
        return "S" + "".join(w[0].upper() for w in words[1:])
    return "".join(w if w.isupper() else w[0].upper() for w in words)


def intro(report: Report) -> str:
    """The body's first paragraph: the plan it implements and what follows."""
    plan = report.plan
    issued = plan.get("issued_on")
    when = fmt_date(datetime.fromisoformat(issued).date()) if issued else ""
    return _(
        "Carrying out Plan No. %(n)s of %(d)s of the %(issuer)s on preventing and combating "
        "prostitution, %(unit)s reports the results for %(window)s as follows.",
        n=plan.get("number"),
        d=when,
        issuer=plan.get("issuer") or "",
        unit=report.area_name,
        window=window_text(report),
    )


def state_line(report: Report, sending: Sending) -> str:
    """A draft and when it was computed, or who sent which version when."""
    if sending.is_draft:
        return _("Draft computed on %(t)s", t=fmt_datetime(report.computed_at))
    return _(
        "Sent on %(t)s by %(who)s, version %(v)s",
        t=fmt_datetime(sending.sent_at),
        who=sending.sent_by or "",
        v=sending.version,
    )


def met_text(line: IndicatorLine) -> str:
    """Met, not met, or why there is no verdict."""
    if line.met is None:
        if line.compare == "count" or line.target_pct is None:
            return ""
        if line.kind == "reported" and line.units_expected == 0:
            return _("reported by %(who)s", who=level_label(line.level))
        return _("no figure")
    return _("Met") if line.met else _("Not met")


def cell(row: dict, column: Column, locale: str):
    """The value of a cell: text in the reader's language where the table keeps both."""
    if column.kind == "text" and locale == "en" and f"{column.key}_en" in row:
        return row[f"{column.key}_en"]
    return row.get(column.key)
