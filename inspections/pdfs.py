"""What every PDF document shares: the vendored DejaVu fonts (full Vietnamese coverage, no
system font needed), loaded the same way by the minutes and the periodic reports."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

FONT_DIR = "vendor/dejavu-fonts-ttf-2.37.3"
FONT = "DejaVu"


def add_fonts(pdf) -> None:
    """Register the regular and bold DejaVu Sans under FONT on an fpdf2 document."""
    static = Path(current_app.static_folder)
    pdf.add_font(FONT, "", str(static / FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(static / FONT_DIR / "DejaVuSans-Bold.ttf"))
