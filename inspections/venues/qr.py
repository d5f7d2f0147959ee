"""QR labels: signed tokens that open a venue's page, and A4 sheets of labels (PDF, PNG).

A label carries ``/q/<token>``; the token is the venue id and its label version, signed with
the app's secret (itsdangerous), so a label cannot be altered to point at another venue.
A label is *stale* when the venue's label was re-issued since (its version went up) or the
venue was merged into another one; a closed venue's label still opens its page, which says
it is closed (finding it open is itself a finding).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import qrcode
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from ..accounts.services import Scope
from ..assets import static_root
from ..audit.services import Said, said
from ..errors import InspectionsError
from ..extensions import db
from .models import Venue

SALT = "venue-label"


class LabelInvalid(InspectionsError):
    """The token was not made by this system (forged, mistyped or damaged), or it is the label
    of a venue outside the reader's area, which is answered the same way (it names nothing)."""

    status = 404

    def __init__(self, message: str, venue: Venue | None = None):
        super().__init__(message)
        self.venue = venue  # for the audit trail only: the label's venue outside the area


class LabelStale(InspectionsError):
    """A genuine label that no longer stands for the venue (re-issued or merged)."""

    status = 410

    def __init__(self, why: Said, venue: Venue, target: Venue | None = None):
        super().__init__(why.translated())  # the reader's language; the trail keeps `why`
        self.why = why
        self.venue, self.target = venue, target


def _serializer() -> URLSafeSerializer:
    # A separate LABEL_SECRET (env INSPECTIONS_LABEL_SECRET) lets the session key be rotated
    # without reprinting every label; by default labels are signed with the app's secret.
    key = current_app.config.get("LABEL_SECRET") or current_app.config["SECRET_KEY"]
    return URLSafeSerializer(key, salt=SALT)


def venue_token(venue_id: int) -> str:
    """The signed token a venue's current label carries."""
    version = db.session.get_one(Venue, venue_id).label_version or 1
    return _serializer().dumps([venue_id, version])


def _not_ours(venue: Venue | None = None) -> LabelInvalid:
    return LabelInvalid(
        _(
            "This QR code was not issued by this system: the label is forged or damaged. "
            "Do not trust it; find the venue by name or with “near me”."
        ),
        venue,
    )


def venue_from_token(token: str, scope: Scope) -> Venue:
    """The venue a label points at; LabelInvalid for forged tokens and for labels of venues
    outside the scope (the same answer: no name, no "stale"), LabelStale for old ones."""
    try:
        venue_id, version = _serializer().loads(token)
        venue_id, version = int(venue_id), int(version)
    except (BadSignature, TypeError, ValueError):
        raise _not_ours() from None
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        raise LabelInvalid(_("This label points at a venue that does not exist."))
    if not scope.allows_venue(venue):
        raise _not_ours(venue)
    if venue.merged_into_id:
        target = venue.merged_into
        while target is not None and target.merged_into_id:
            target = target.merged_into
        if target is None or not scope.allows_venue(target):
            # merged across areas: the venue kept is not this reader's to know
            raise LabelStale(
                said(
                    "This label is out of date: the venue was merged into another one, "
                    "outside your area."
                ),
                venue,
            )
        raise LabelStale(
            said(
                "This label is out of date: the venue was merged into #%(id)s %(name)s, "
                "whose label should replace this one.",
                id=target.id,
                name=target.name,
            ),
            venue,
            target,
        )
    if version != (venue.label_version or 1):
        raise LabelStale(
            said(
                "This label is out of date: a new label was issued for %(name)s "
                "(version %(new)s; this one is version %(old)s). Replace it.",
                name=venue.name,
                new=venue.label_version,
                old=version,
            ),
            venue,
            venue,
        )
    return venue


def qr_image(data: str, box_size: int = 10) -> Image.Image:
    """A black-on-white QR code image (error correction M: survives some dirt)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(data: str, box_size: int = 10) -> bytes:
    """The QR code as PNG bytes."""
    buf = io.BytesIO()
    qr_image(data, box_size).save(buf, format="PNG")
    return buf.getvalue()


# ---------------------------------------------------------------- A4 sheets


@dataclass
class Label:
    """What one printed label says."""

    url: str
    name: str
    sector: str
    address: str
    footer: str


# A4 in millimetres: 2 columns × 5 rows of 100 × 57 mm labels, QR codes 40 mm wide so a
# phone reads them from an arm's length on a door.
PAGE_W, PAGE_H = 210.0, 297.0
COLS, ROWS = 2, 5
MARGIN_X, MARGIN_Y = 5.0, 6.0
CELL_W = (PAGE_W - 2 * MARGIN_X) / COLS
CELL_H = (PAGE_H - 2 * MARGIN_Y) / ROWS
PAD = 4.0
QR_MM = 40.0
PER_PAGE = COLS * ROWS


def _fonts() -> tuple[Path, Path]:
    base = static_root() / "vendor" / "dejavu-fonts-ttf-2.37.3"
    return base / "DejaVuSans.ttf", base / "DejaVuSans-Bold.ttf"


def _wrap(text: str, width: float, measure, max_lines: int) -> list[str]:
    words, lines, line = (text or "").split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if measure(trial) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and measure(lines[-1] + "…") > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] += "…"
    return lines


def _layout(labels: list[Label]):
    """(page, x, y, label) positions in millimetres."""
    for i, label in enumerate(labels):
        page, slot = divmod(i, PER_PAGE)
        row, col = divmod(slot, COLS)
        yield page, MARGIN_X + col * CELL_W, MARGIN_Y + row * CELL_H, label


TEXT_X = PAD + QR_MM + 3
TEXT_W = CELL_W - TEXT_X - PAD
# (field, size in pt, bold, max lines)
TEXT_STYLE = (("name", 11.5, True, 3), ("sector", 8.5, False, 2), ("address", 8.5, False, 4))


def label_sheet_pdf(labels: list[Label], title: str = "") -> bytes:
    """An A4 PDF of labels (Vietnamese text in DejaVu Sans), cut lines in light grey."""
    from fpdf import FPDF

    regular, bold = _fonts()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(title or "QR labels")
    pdf.set_creator("inspections")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    current = -1
    for page, x, y, label in _layout(labels):
        if page != current:
            pdf.add_page()
            current = page
        pdf.set_draw_color(190, 190, 190)
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.rect(x, y, CELL_W, CELL_H)
        pdf.set_dash_pattern()
        pdf.image(qr_image(label.url, 8), x + PAD, y + PAD, QR_MM, QR_MM)
        ty = y + PAD + 1
        for field, size, is_bold, max_lines in TEXT_STYLE:
            pdf.set_font("DejaVu", "B" if is_bold else "", size)
            line_h = size * 0.42
            for line in _wrap(getattr(label, field), TEXT_W, pdf.get_string_width, max_lines):
                pdf.set_xy(x + TEXT_X, ty)
                pdf.cell(TEXT_W, line_h, line)
                ty += line_h
            ty += 1.5
        pdf.set_font("DejaVu", "", 7)
        pdf.set_text_color(90, 90, 90)
        pdf.set_xy(x + PAD, y + PAD + QR_MM + 1)
        pdf.cell(CELL_W - 2 * PAD, 4, label.footer)
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def label_sheet_png(labels: list[Label], page: int = 1, dpi: int = 200) -> bytes:
    """One A4 page (1-based) of the label sheet as a PNG image."""
    regular, bold = _fonts()
    px = dpi / 25.4
    img = Image.new("RGB", (round(PAGE_W * px), round(PAGE_H * px)), "white")
    draw = ImageDraw.Draw(img)
    fonts: dict = {}

    def font(size: float, is_bold: bool):
        key = (size, is_bold)
        if key not in fonts:
            fonts[key] = ImageFont.truetype(
                str(bold if is_bold else regular), round(size * dpi / 72)
            )
        return fonts[key]

    for pg, x, y, label in _layout(labels):
        if pg != page - 1:
            continue
        x0, y0 = x * px, y * px
        draw.rectangle([x0, y0, x0 + CELL_W * px, y0 + CELL_H * px], outline=(200, 200, 200))
        qr = qr_image(label.url, 8).resize(
            (round(QR_MM * px), round(QR_MM * px)), Image.Resampling.NEAREST
        )
        img.paste(qr, (round(x0 + PAD * px), round(y0 + PAD * px)))
        ty = y + PAD + 1
        for field, size, is_bold, max_lines in TEXT_STYLE:
            f = font(size, is_bold)
            line_h = size * 0.42
            for line in _wrap(
                getattr(label, field), TEXT_W * px, lambda s, f=f: f.getlength(s), max_lines
            ):
                draw.text((x0 + TEXT_X * px, ty * px), line, fill="black", font=f)
                ty += line_h
            ty += 1.5
        draw.text(
            (x0 + PAD * px, (y + PAD + QR_MM + 1.5) * px),
            label.footer,
            fill=(90, 90, 90),
            font=font(7, False),
        )
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def page_count(n_labels: int) -> int:
    """How many A4 pages a sheet of n labels takes."""
    return max(1, -(-n_labels // PER_PAGE))
