"""Writing spreadsheets for every export: XLSX and CSV that open right in Excel.

Dates are shown as dd/mm/yyyy; Vietnamese text survives (CSV in UTF-8 with a BOM); text that a
spreadsheet would run as a formula ("=HYPERLINK(...)" typed as a venue name) stays text.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

from .text import fold

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_xlsx(headers: list[str], rows: list[list], title: str = "sheet") -> bytes:
    """A one-sheet workbook: bold frozen header, dates as dd/mm/yyyy; text that looks like a
    formula ("=HYPERLINK(...)" typed as a venue name) stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, (date, datetime)):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"  # openpyxl would store it as a formula
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
