"""The Report: the computed figures of one window and one area, which the page, the API, the
XLSX and the PDF all render, and its stored form (a sent report keeps it as sent).

Words are not stored: headings come from the column and table keys at render time (in the
reader's language, Vietnamese in the documents); what is data (indicator wording, unit and
sector names) is kept in both languages.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal

FORMAT = 1
COLUMN_KINDS = ("text", "int", "pct", "vnd", "date")


@dataclass
class Column:
    """A column of an annex table: a key (its heading), a kind, and for data-derived columns
    (a sector) the heading in both languages."""

    key: str
    kind: str = "int"
    label_vi: str | None = None
    label_en: str | None = None


@dataclass
class Table:
    """An annex table: rows of plain values keyed by column; ``ref`` in a row names what the
    row is (an area code, an article, a venue) for its drill-down links. Text cells are in
    Vietnamese, with an English twin under ``<key>_en`` where the words are the app's own
    (a total, a unit not known)."""

    key: str
    columns: list[Column]
    rows: list[dict]
    totals: dict | None = None
    # How many rows there are in all when only the first ones are listed (repeat offenders).
    total_rows: int | None = None


@dataclass
class IndicatorLine:
    """One indicator in the report: the plan's wording and target, and what was achieved."""

    code: str
    target_no: int | None
    kind: str
    compare: str
    level: str
    source: str | None
    text_vi: str
    text_en: str
    numerator_vi: str
    numerator_en: str
    denominator_vi: str | None
    denominator_en: str | None
    target_pct: Decimal | None
    target_text_vi: str | None
    target_text_en: str | None
    numerator: int | None = None
    denominator: int | None = None
    previous_numerator: int | None = None
    previous_denominator: int | None = None
    # Reported indicators: how many units entered a figure, of how many that report it.
    units_reported: int | None = None
    units_expected: int | None = None
    note: str | None = None
    files: list[dict] = field(default_factory=list)

    def text(self, locale: str = "vi") -> str:
        return self.text_en if locale == "en" else self.text_vi

    def target_text(self, locale: str = "vi") -> str | None:
        return self.target_text_en if locale == "en" else self.target_text_vi

    @property
    def applies(self) -> bool:
        """False when the area has no figure for it (reported by another level)."""
        return self.numerator is not None or self.denominator is not None

    @property
    def value_pct(self) -> float | None:
        """The achieved value in %, one decimal (None without a denominator)."""
        return _value(self.compare, self.numerator, self.denominator)

    @property
    def previous_pct(self) -> float | None:
        """The value of the same window a year earlier."""
        return _value(self.compare, self.previous_numerator, self.previous_denominator)

    @property
    def change(self) -> float | None:
        """Against a year earlier: percentage points for a share or growth, the difference of
        the figure for a count."""
        if self.compare == "count":
            if self.numerator is None or self.previous_numerator is None:
                return None
            return float(self.numerator - self.previous_numerator)
        now, before = self.value_pct, self.previous_pct
        if now is None or before is None:
            return None
        return round(now - before, 1)

    @property
    def met(self) -> bool | None:
        """Whether the target is met, compared exactly (None: no target or no figure)."""
        if self.target_pct is None or self.compare == "count":
            return None
        num, den = self.numerator, self.denominator
        if num is None or not den:
            return None
        target = Decimal(self.target_pct)
        if self.compare == "growth":
            return (num - den) * 100 >= target * den
        return num * 100 >= target * den


def _value(compare: str, num: int | None, den: int | None) -> float | None:
    if compare == "count" or num is None or not den:
        return None
    if compare == "growth":
        return round(100 * (num - den) / den, 1)
    return round(100 * num / den, 1)


@dataclass
class Report:
    """The figures of one window and one area, and what they were measured against."""

    window: str
    start: date
    end: date
    due_on: date
    area_id: int
    area_code: str
    area_name: str
    area_level: str
    unit_level: str | None
    province_name: str
    plan: dict
    # The sectors of the annex columns: code, name_vi, name_en.
    sectors: list[dict]
    indicators: list[IndicatorLine]
    tables: list[Table]
    previous_window: str | None
    computed_at: datetime

    def table(self, key: str) -> Table | None:
        """The annex table of a key."""
        return next((t for t in self.tables if t.key == key), None)

    def indicator(self, code: str) -> IndicatorLine | None:
        """The indicator of a code."""
        return next((i for i in self.indicators if i.code == code), None)

    # ------------------------------------------------------------ stored form

    def to_dict(self) -> dict:
        """Plain JSON values (dates as ISO text, decimals as text), with the format number."""
        return {"format": FORMAT, **_plain(asdict(self))}

    def figures_digest(self) -> str:
        """SHA-256 of the figures (everything but when they were computed): two reports with
        the same digest say the same thing."""
        body = self.to_dict()
        body.pop("computed_at", None)
        text = json.dumps(body, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        """The report of a stored body."""
        values = {f.name: data[f.name] for f in fields(cls)}
        for key in ("start", "end", "due_on"):
            values[key] = date.fromisoformat(values[key])
        values["computed_at"] = datetime.fromisoformat(values["computed_at"])
        values["indicators"] = [_indicator(i) for i in data["indicators"]]
        values["tables"] = [_table(t) for t in data["tables"]]
        return cls(**values)


def _table(data: dict) -> Table:
    columns = [Column(**c) for c in data["columns"]]
    dated = [c.key for c in columns if c.kind == "date"]
    rows = data["rows"]
    for row in rows:
        for key in dated:
            if row.get(key):
                row[key] = date.fromisoformat(row[key])
    return Table(data["key"], columns, rows, data["totals"], data["total_rows"])


def _indicator(data: dict) -> IndicatorLine:
    values = dict(data)
    if values["target_pct"] is not None:
        values["target_pct"] = Decimal(values["target_pct"])
    return IndicatorLine(**values)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
