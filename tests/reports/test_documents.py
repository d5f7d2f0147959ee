"""The documents: an XLSX with one sheet per table, Vietnamese headings and numbers as
numbers; an A4 PDF with an embedded Vietnamese font in the administrative layout."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from inspections.reports import compute, document, figures, windows
from inspections.reports.document import Sending, place_name
from inspections.reports.pdf import report_pdf
from inspections.reports.xlsx import report_xlsx

WINDOW = "report:2024-Y"


def _report(code: str = "60"):
    w = windows.window(WINDOW)
    return compute.build(w, figures.area_by_code(code, w.end))


def test_xlsx_one_sheet_per_table_in_vietnamese(app, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    wb = load_workbook(io.BytesIO(report_xlsx(_report())))
    assert wb.sheetnames == [
        "Chỉ tiêu",
        "Cơ sở theo ngành nghề",
        "Kiểm tra theo đơn vị",
        "Đoàn kiểm tra",
        "Vi phạm theo điều",
        "Tiền phạt",
        "Đình chỉ, đóng cửa",
        "Cơ sở tái phạm",
        "Tin báo",
    ]
    sheet = wb["Chỉ tiêu"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "STT")
    assert header[1] == "Nội dung chỉ tiêu" and "Đánh giá" in header
    coverage = next(r for r in rows if r and r[1] and str(r[1]).startswith("Kiểm tra ít nhất 20%"))
    assert coverage[4:7] == (3, 6, 50.0) and coverage[7] == "Đạt"
    venues = list(wb["Cơ sở theo ngành nghề"].iter_rows(values_only=True))
    head = next(r for r in venues if r and r[0] == "Đơn vị")
    assert "Karaoke" in head and "Số cơ sở thuộc phạm vi" in head
    total = next(r for r in venues if r and r[0] == "Tổng cộng")
    assert total[head.index("Số cơ sở thuộc phạm vi")] == 6
    fines = list(wb["Tiền phạt"].iter_rows(values_only=True))
    total = next(r for r in fines if r and r[0] == "Tổng cộng")
    assert 5_000_000 in total and all(isinstance(v, int) for v in total[1:])


def test_pdf_is_a4_with_an_embedded_font(app, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    data = report_pdf(_report())
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data and b"DejaVu" in data  # the font travels with the file
    assert re.search(rb"/MediaBox\s*\[\s*0(\.0+)?\s+0(\.0+)?\s+595\.28", data)  # A4 portrait
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text is not read back")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập – Tự do – Hạnh phúc",
        "SỞ LAO ĐỘNG",
        "/BC-SLĐTBXH",
        "Phan Thiết, ngày 10 tháng 01 năm 2025",
        "BÁO CÁO",
        "Kính gửi: Ủy ban nhân dân tỉnh Bình Thuận",
        "Nơi nhận:",
        "GIÁM ĐỐC",
        "PHỤ LỤC",
    ):
        assert words in text, words


def test_a_plan_without_indicators_says_so_in_the_pdf(app, province, fixed_today):
    """Section I is a sentence, not a table of headings without rows."""
    fixed_today(date(2025, 1, 10))
    report = _report()
    report.indicators = []
    data = report_pdf(report)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text is not read back")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "Kế hoạch chưa có chỉ tiêu." in text and "PHỤ LỤC" in text


def test_the_words_of_the_document(app, province, fixed_today):
    fixed_today(date(2025, 1, 10))
    with force_locale("vi"):
        unit = _report("593")
        assert document.sender(unit) == ("", "Ủy ban nhân dân Thành phố Phan Thiết")
        assert document.recipient(unit) == "Sở Lao động – Thương binh và Xã hội tỉnh Bình Thuận"
        assert document.place(unit) == "Phan Thiết"
        assert document.number_line(unit, Sending()) == "Số:       /BC-UBND"
        assert document.report_title(unit) == "Kết quả công tác phòng, chống mại dâm năm 2024"
        sent = Sending(version=2, number="7/BC-UBND")
        assert document.number_line(unit, sent) == "Số: 7/BC-UBND"
        q1 = windows.window("report:2024-Q1")
        assert windows.title(q1) == "quý I năm 2024"
        assert windows.title(windows.window("report:2024-6M")) == "6 tháng đầu năm 2024"
    assert place_name("Thị xã La Gi") == "La Gi" and place_name("Xã Hàm Liêm") == "Hàm Liêm"
    data = report_pdf(unit, Sending(version=2, number="7/BC-UBND"))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout
        assert "BÁO CÁO BỔ SUNG" in text.decode() and "TM. ỦY BAN NHÂN DÂN" in text.decode()


def test_windows():
    w = windows.window("REPORT:2024-q1")
    assert (w.key, w.start, w.end, w.due_on) == (
        "report:2024-Q1",
        date(2023, 12, 15),
        date(2024, 3, 14),
        date(2024, 3, 15),
    )
    assert w.previous.key == "report:2023-Q1"
    assert not w.is_over(date(2024, 3, 14)) and w.is_over(date(2024, 3, 15))
    assert windows.window("report:2024-9M").end == date(2024, 9, 14)
    for bad in ("2024-Q1", "report:2024-Q5", "report:1800-Y", "", "report:2024-Y;drop"):
        with pytest.raises(Exception, match="reporting window"):
            windows.window(bad)
