"""Writing spreadsheets for every export: XLSX and CSV that open right in Excel.

Dates are shown as dd/mm/yyyy; Vietnamese text survives (CSV in UTF-8 with a BOM); text that a
spreadsheet would run as a formula ("=HYPERLINK(...)" typed as a venue name) stays text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from .text import fold

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass
class Sheet:
    """One worksheet: a few heading lines (the first large and bold), then a table with a bold
    header, an optional bold totals row, the header and ``frozen_columns`` kept in view."""

    title: str
    headers: list[str]
    rows: list[list]
    heading: list[str] = field(default_factory=list)
    totals: list | None = None
    frozen_columns: int = 0
    header_fill: str | None = None  # RGB hex of the header cells' background
    wrap_header: bool = False  # long header texts wrap, aligned to the top
    widths: dict[int, float] = field(default_factory=dict)  # column (0-based) → width
    number_formats: dict[int, str] = field(default_factory=dict)  # column (0-based) → format


def _cell(ws, value, number_format: str | None = None, **style):
    """A write-only cell: dates as dd/mm/yyyy, text that looks like a formula kept as text;
    the bare value when nothing needs saying (large exports stay fast)."""
    from openpyxl.cell import WriteOnlyCell

    is_date = isinstance(value, (date, datetime))
    is_formula = isinstance(value, str) and value.startswith("=")
    number_format = number_format if isinstance(value, (int, float)) else None
    if not (is_date or is_formula or number_format or style):
        return value
    cell = WriteOnlyCell(ws, value=value)
    if is_date:
        cell.number_format = "DD/MM/YYYY"
    elif is_formula:
        cell.data_type = "s"  # openpyxl would store it as a formula
    elif number_format:
        cell.number_format = number_format
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _write_sheet(wb, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet.title[:31])
    head_row = len(sheet.heading) + (2 if sheet.heading else 1)  # a blank line after a heading
    ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{head_row + 1}"
    for col, width in sheet.widths.items():
        ws.column_dimensions[get_column_letter(col + 1)].width = width
    for i, line in enumerate(sheet.heading):
        ws.append([_cell(ws, line, font=Font(bold=True, size=13)) if i == 0 else line])
    if sheet.heading:
        ws.append([])
    head_style = {"font": Font(bold=True)}
    if sheet.header_fill:
        head_style["fill"] = PatternFill("solid", fgColor=sheet.header_fill)
    if sheet.wrap_header:
        head_style["alignment"] = Alignment(wrap_text=True, vertical="top")
    ws.append([_cell(ws, h, **head_style) for h in sheet.headers])
    formats = sheet.number_formats
    for row in sheet.rows:
        ws.append([_cell(ws, v, formats.get(i)) for i, v in enumerate(row)])
    if sheet.totals is not None:
        bold = Font(bold=True)
        ws.append([_cell(ws, v, formats.get(i), font=bold) for i, v in enumerate(sheet.totals)])


def write_workbook(sheets: list[Sheet]) -> bytes:
    """A workbook of the sheets, in order (see Sheet)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb, sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(
    headers: list[str],
    rows: list[list],
    title: str = "sheet",
    number_formats: dict[int, str] | None = None,
) -> bytes:
    """A one-sheet workbook: bold frozen header, dates as dd/mm/yyyy; text that looks like a
    formula ("=HYPERLINK(...)" typed as a venue name) stays text; numbers of the columns in
    ``number_formats`` shown in that format (amounts: MONEY)."""
    return write_workbook([Sheet(title, headers, rows, number_formats=number_formats or {})])


# Amounts in đồng with thousands grouped (Excel shows the reader's own separator).
MONEY = "#,##0"


def _csv_cell(value):
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value  # Excel would run it as a formula; the import drops the quote
    return value


def write_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with BOM (so Excel shows Vietnamese right), dates as dd/mm/yyyy, text that
    Excel would take for a formula quoted with an apostrophe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, suffix: str) -> str:
    """An ASCII file name for downloads derived from the uploaded one."""
    stem = _SAFE_NAME.sub("_", fold(name).rsplit(".", 1)[0])[:60].strip("_") or "venues"
    return f"{stem}{suffix}"
