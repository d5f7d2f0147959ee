"""What every PDF document shares: the vendored DejaVu fonts (full Vietnamese coverage, no
system font needed), loaded the same way by the minutes and the periodic reports."""

from __future__ import annotations

from flask_babel import gettext as _
from fpdf import FPDF

from .assets import static_root

FONT_DIR = "vendor/dejavu-fonts-ttf-2.37.3"
FONT = "DejaVu"
GREY = (110, 110, 110)


def add_fonts(pdf) -> None:
    """Register the regular and bold DejaVu Sans under FONT on an fpdf2 document."""
    static = static_root()
    pdf.add_font(FONT, "", str(static / FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(static / FONT_DIR / "DejaVuSans-Bold.ttf"))


class FooterPDF(FPDF):
    """An fpdf2 document whose pages end with a grey line of text and "Page n/N"."""

    footer_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(0, 5, _("Page %(n)s/{nb}", n=self.page_no()), align="R")
        self.set_text_color(0, 0, 0)
