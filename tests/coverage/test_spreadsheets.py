"""The shared XLSX writer as the coverage table uses it, and its one-sheet form."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from inspections.spreadsheets import Sheet, write_workbook, write_xlsx


def test_one_sheet_keeps_its_form():
    wb = load_workbook(BytesIO(write_xlsx(["Tên", "Ngày"], [["=HYPERLINK(1)", date(2024, 5, 2)]])))
    (ws,) = wb.worksheets
    assert ws.title == "sheet" and ws.freeze_panes == "A2"
    assert ws["A1"].font.b and ws["A1"].fill.fill_type is None
    assert ws["A2"].value == "=HYPERLINK(1)" and ws["A2"].data_type == "s"
    assert ws["B2"].number_format == "DD/MM/YYYY" and ws["B2"].value.date() == date(2024, 5, 2)


def test_sheets_with_heading_styled_header_totals_and_formats():
    first = Sheet(
        "Một",
        ["Mã", "Tên", "Tỷ lệ"],
        [["1", "=A", 12.5], ["2", "B", "không có"]],
        heading=["Tiêu đề", "Kỳ: 2024"],
        totals=["", "Tổng", 10.0],
        frozen_columns=2,
        header_fill="DDEBF7",
        wrap_header=True,
        widths={1: 28},
        number_formats={2: "0.0"},
    )
    second = Sheet("Hai" * 20, ["x"], [[1]])
    wb = load_workbook(BytesIO(write_workbook([first, second])))
    assert wb.sheetnames == ["Một", ("Hai" * 20)[:31]]
    ws = wb["Một"]
    assert ws["A1"].value == "Tiêu đề" and ws["A1"].font.b and ws["A1"].font.sz == 13
    assert ws["A2"].value == "Kỳ: 2024" and not ws["A2"].font.b
    assert ws["A3"].value is None  # a blank line before the table
    assert [c.value for c in ws[4]] == ["Mã", "Tên", "Tỷ lệ"]
    assert ws["C4"].font.b and ws["C4"].fill.fgColor.rgb == "00DDEBF7"
    assert ws["C4"].alignment.wrap_text and ws.freeze_panes == "C5"
    assert ws.column_dimensions["B"].width == 28
    assert ws["B5"].value == "=A" and ws["B5"].data_type == "s"
    assert ws["C5"].number_format == "0.0" and ws["C6"].value == "không có"
    assert [c.value for c in ws[7]] == [None, "Tổng", 10] and ws["B7"].font.b
    assert ws["C7"].number_format == "0.0"
