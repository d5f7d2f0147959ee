"""A report as an A4 PDF in the layout of Vietnamese administrative documents (Decree
30/2020/NĐ-CP, Appendix I): the issuing body top left and the national motto top right, the
number and symbol, place and date, the title, the addressee, the body (the indicators), then
"Nơi nhận" bottom left and the signature block bottom right; the annex tables follow on
landscape pages. Always in Vietnamese, with the vendored DejaVu font (pdfs.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .. import pdfs
from ..i18n import fmt_date, fmt_number
from . import document
from .document import Sending
from .labels import column_label, table_title
from .report import Column, Report, Table

FONT = pdfs.FONT
RED = (179, 38, 30)
LINE_H = 4.6
ROW_H = 5.0


def _grouped(value: int) -> str:
    """1234567 → "1.234.567" (Vietnamese grouping; the documents are in Vietnamese)."""
    return f"{int(value):,}".replace(",", ".")


def _number(value, kind: str) -> str:
    """A cell's text, formatted as the Vietnamese documents write numbers (without Babel:
    an annex holds thousands of cells)."""
    if value is None or value == "":
        return ""
    if kind == "pct":
        text = f"{float(value):.1f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if kind == "vnd":
        return _grouped(value) + " ₫"
    if kind == "date":
        return fmt_date(value)
    if kind == "int":
        return _grouped(value)
    return str(value)


class _Widths(dict):
    """String widths at the current font, measured once each (numbers repeat a lot)."""

    def __init__(self, pdf: FPDF):
        super().__init__()
        self.pdf = pdf

    def __missing__(self, text: str) -> float:
        width = self[text] = self.pdf.get_string_width(text)
        return width


def _fit(widths: _Widths, text: str, width: float) -> str:
    """The text shortened with an ellipsis to fit a cell (one line)."""
    if widths[text] <= width - 1.5:
        return text
    pdf = widths.pdf
    while text and pdf.get_string_width(text + "…") > width - 1.5:
        text = text[: max(0, len(text) - 3)]
    return text + "…"


def _row(pdf: FPDF, widths: Sequence[float], texts: list[str], aligns: list[str], bold=False):
    """A table row of wrapped cells, all as tall as the tallest."""
    pdf.set_font(FONT, "B" if bold else "", pdf.font_size_pt)
    # fpdf2 types multi_cell's result as the union of every ``output``; "LINES" gives a list.
    lines = [
        len(cast("list[str]", pdf.multi_cell(w, LINE_H, t, dry_run=True, output="LINES")) or [""])
        for w, t in zip(widths, texts, strict=True)
    ]
    height = LINE_H * max(lines)
    if pdf.will_page_break(height):
        # fpdf2 2.8 annotates add_page's orientation as str, yet coerces a PageOrientation too.
        pdf.add_page(orientation=pdf.cur_orientation)  # type: ignore[arg-type]
    x, y = pdf.get_x(), pdf.get_y()
    for w, t, a in zip(widths, texts, aligns, strict=True):
        pdf.rect(x, y, w, height)
        pdf.set_xy(x, y)
        pdf.multi_cell(w, LINE_H, t, align=a)
        x += w
    pdf.set_xy(pdf.l_margin, y + height)


def _lines(pdf: FPDF, x: float, width: float, text: str, style: str, size: float) -> None:
    """Centred lines in a column starting at x, leaving the cursor under them."""
    pdf.set_font(FONT, style, size)
    pdf.set_x(x)
    pdf.multi_cell(width, 4.8, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)


def _underline(pdf: FPDF, centre: float, half: float) -> None:
    y = pdf.get_y() + 0.4
    pdf.line(centre - half, y, centre + half, y)


def _header(pdf: FPDF, report: Report, sending: Sending) -> None:
    """The issuing body and the number (left), the national motto, place and date (right)."""
    left_w = pdf.epw * 0.42
    right_w = pdf.epw - left_w
    x0, x1, y0 = pdf.l_margin, pdf.l_margin + left_w, pdf.get_y()
    above, body = document.sender(report)
    if above:
        _lines(pdf, x0, left_w, above.upper(), "", 9.5)
    _lines(pdf, x0, left_w, body.upper(), "B", 9.5)
    _underline(pdf, x0 + left_w / 2, 12)
    pdf.ln(2)
    _lines(pdf, x0, left_w, document.number_line(report, sending), "", 9.5)
    left_end = pdf.get_y()
    pdf.set_y(y0)
    _lines(pdf, x1, right_w, _("SOCIALIST REPUBLIC OF VIETNAM"), "B", 9.5)
    motto = _("Independence – Freedom – Happiness")
    _lines(pdf, x1, right_w, motto, "B", 10)
    _underline(pdf, x1 + right_w / 2, pdf.get_string_width(motto) / 2)
    pdf.ln(3)
    _lines(pdf, x1, right_w, document.date_line(report, sending), "", 9.5)
    pdf.set_xy(pdf.l_margin, max(left_end, pdf.get_y()) + 5)


def _title(pdf: FPDF, report: Report, sending: Sending) -> None:
    """DRAFT when not sent, REPORT (SUPPLEMENTARY REPORT), what it is about, to whom."""
    x, width = pdf.l_margin, pdf.epw
    if sending.is_draft:
        pdf.set_text_color(*RED)
        _lines(pdf, x, width, _("DRAFT – NOT SENT"), "B", 10)
        pdf.set_text_color(0, 0, 0)
    word = _("SUPPLEMENTARY REPORT") if (sending.version or 1) > 1 else _("REPORT")
    _lines(pdf, x, width, word, "B", 13)
    _lines(pdf, x, width, document.report_title(report), "B", 11)
    when = _("(figures from %(a)s to %(b)s)", a=fmt_date(report.start), b=fmt_date(report.end))
    _lines(pdf, x, width, when, "", 9.5)
    pdf.ln(2)
    _lines(pdf, x, width, _("To: %(r)s", r=document.recipient(report)), "", 10.5)
    pdf.ln(3)


def _indicators(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, "", 10.5)
    pdf.multi_cell(0, 5.5, document.intro(report), align="J", new_x=XPos.LMARGIN)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10.5)
    pdf.cell(0, 6, _("I. RESULTS AGAINST THE PLAN'S TARGETS"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not report.indicators:  # a sentence, not a table of headings without rows
        pdf.set_font(FONT, "", 10.5)
        pdf.multi_cell(0, 5.5, _("This plan has no indicators yet."), new_x=XPos.LMARGIN)
        _annex_note(pdf)
        return
    widths = [9, 62, 22, 25, 17, 17, 18]
    heads = [
        _("No."),
        _("Indicator"),
        _("Target"),
        _("Achieved"),
        _("Achieved (%)"),
        _("Assessment"),
        _("A year earlier (%)"),
    ]
    pdf.set_font(FONT, "B", 8)
    _row(pdf, widths, heads, ["C"] * 7, bold=True)
    pdf.set_font(FONT, "", 8)
    for line in report.indicators:
        if line.compare == "count":
            achieved = _number(line.numerator, "vnd" if line.source == "fines" else "int")
            before = _number(line.previous_numerator, "vnd" if line.source == "fines" else "int")
        else:
            achieved = (
                f"{fmt_number(line.numerator)}/{fmt_number(line.denominator)}"
                if line.applies
                else ""
            )
            before = _number(line.previous_pct, "pct")
        if line.units_expected:
            achieved += "\n" + _(
                "%(n)s/%(of)s units", n=line.units_reported or 0, of=line.units_expected
            )
        _row(
            pdf,
            widths,
            [
                str(line.target_no or ""),
                line.text_vi,
                line.target_text_vi or "",
                achieved,
                _number(line.value_pct, "pct"),
                document.met_text(line),
                before,
            ],
            ["C", "L", "C", "C", "C", "C", "C"],
        )
    _annex_note(pdf)


def _annex_note(pdf: FPDF) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, "", 10.5)
    note = _("The annexes give the figures by unit, sector and legal basis.")
    pdf.multi_cell(0, 5.5, note, align="J", new_x=XPos.LMARGIN)


def _closing(pdf: FPDF, report: Report) -> None:
    if pdf.will_page_break(42):
        pdf.add_page()
    pdf.ln(4)
    y = pdf.get_y()
    half = pdf.epw / 2
    pdf.set_font(FONT, "B", 9)
    pdf.cell(half, 5, _("Recipients:"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8.5)
    for name in (_("As above;"), report.plan.get("issuer") or "", _("Filed: Office.")):
        if name:
            pdf.cell(half, 4.2, f"- {name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    end = pdf.get_y()
    pdf.set_y(y)
    if report.area_level == "province":
        role = _("DIRECTOR")
    else:
        role = _("ON BEHALF OF THE PEOPLE'S COMMITTEE") + "\n" + _("CHAIR")
    _lines(pdf, pdf.l_margin + half, half, role, "B", 9.5)
    _lines(pdf, pdf.l_margin + half, half, _("(signature, full name and seal)"), "", 8.5)
    pdf.set_xy(pdf.l_margin, max(end, pdf.get_y()) + 20)


def _table(pdf: FPDF, number: int, table: Table) -> None:
    columns: list[Column] = table.columns
    text_cols = sum(1 for c in columns if c.kind == "text")
    others = len(columns) - text_cols
    text_w = min(62.0, pdf.epw * 0.6 / max(text_cols, 1)) if others else pdf.epw / text_cols
    num_w = min(40.0, (pdf.epw - text_w * text_cols) / max(others, 1))
    widths = [text_w if c.kind == "text" else num_w for c in columns]
    if pdf.will_page_break(30):
        pdf.add_page(orientation="L")
    pdf.set_font(FONT, "B", 10)
    pdf.cell(
        0,
        6,
        _("Annex %(n)s. %(title)s", n=number, title=table_title(table.key)),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if table.total_rows is not None and table.total_rows > len(table.rows):
        pdf.set_font(FONT, "", 8)
        pdf.cell(
            0,
            4.5,
            _("The first %(n)s of %(total)s.", n=len(table.rows), total=table.total_rows),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_font(FONT, "B", 7)
    _row(pdf, widths, [column_label(c, "vi") for c in columns], ["C"] * len(columns), True)
    pdf.set_font(FONT, "", 7)
    aligns = ["L" if c.kind == "text" else "R" for c in columns]
    measure = _Widths(pdf)
    for row in table.rows:
        _line(pdf, widths, columns, row, aligns, measure)
    if table.totals is not None:
        pdf.set_font(FONT, "B", 7)
        _line(pdf, widths, columns, table.totals, aligns, _Widths(pdf))
        pdf.set_font(FONT, "", 7)
    if not table.rows:
        pdf.cell(sum(widths), ROW_H, _("Nothing in this window."), border=1, align="C")
        pdf.ln(ROW_H)
    pdf.ln(4)


def _line(pdf: FPDF, widths, columns, row: dict, aligns, measure: _Widths) -> None:
    """One single-line row drawn with text and lines rather than cells (an annex at national
    scale holds thousands of rows; long names are shortened)."""
    if pdf.will_page_break(ROW_H):
        pdf.add_page(orientation="L")
    x, y = pdf.l_margin, pdf.get_y()
    baseline = y + ROW_H - 1.5
    for w, c, a in zip(widths, columns, aligns, strict=True):
        text = _number(document.cell(row, c, "vi"), c.kind)
        if text:
            if c.kind == "text":
                text = _fit(measure, text, w)
            left = x + w - measure[text] - 0.8 if a == "R" else x + 0.8
            pdf.text(left, baseline, text)
        pdf.line(x, y, x, y + ROW_H)
        x += w
    pdf.line(x, y, x, y + ROW_H)
    pdf.line(pdf.l_margin, y + ROW_H, x, y + ROW_H)
    pdf.set_y(y + ROW_H)


def report_pdf(report: Report, sending: Sending = document.DRAFT) -> bytes:
    """The PDF bytes of a report, in Vietnamese."""
    with force_locale("vi"):
        pdf = pdfs.FooterPDF(format="A4")
        pdf.set_margins(25, 18, 15)
        pdf.set_auto_page_break(True, margin=16)
        pdfs.add_fonts(pdf)
        pdf.alias_nb_pages()
        pdf.footer_text = document.state_line(report, sending)
        pdf.add_page()
        _header(pdf, report, sending)
        _title(pdf, report, sending)
        _indicators(pdf, report)
        _closing(pdf, report)
        pdf.add_page(orientation="L")
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, _("ANNEXES"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for number, table in enumerate(report.tables, start=1):
            _table(pdf, number, table)
        return bytes(pdf.output())
