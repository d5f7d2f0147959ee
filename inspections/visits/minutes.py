"""The minutes of an inspection (biên bản kiểm tra) as a PDF, always in Vietnamese.

fpdf2 with the vendored DejaVu fonts (full Vietnamese coverage, no system fonts needed).
"""

from __future__ import annotations

import io

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from .. import clock, pdfs, storage
from ..i18n import fmt_date, fmt_vnd
from ..violations.services import legal_basis
from . import files
from .amendments import change_words
from .presence import distance_label, presence_of
from .reading import AsItStands

FONT = pdfs.FONT
GREY = pdfs.GREY


def _answer_label(answer: str | None) -> str:
    return {
        "compliant": _("Compliant"),
        "not_compliant": _("Not compliant"),
        "not_applicable": _("Not applicable"),
    }.get(answer or "", _("Not answered"))


def _measure_label(code: str) -> str:
    return {
        "warning": _("warning"),
        "suspension": _("suspension of the activity"),
        "licence_withdrawal": _("withdrawal of the licence"),
        "confiscation": _("confiscation of exhibits"),
        "expulsion": _("expulsion"),
        "remedy": _("remedial measures"),
    }.get(code, code)


def _presence_label(status: str | None) -> str:
    return {
        "on_site": _("at the venue"),
        "off_site": _("off-site"),
        "imprecise": _("position too imprecise"),
        "no_gps": _("no GPS position"),
    }.get(status or "", "")


def minutes_pdf(inspection) -> bytes:
    """The PDF bytes of an inspection's minutes (amendments applied, original listed)."""
    with force_locale("vi"):
        return _build(inspection)


def _build(inspection) -> bytes:
    pdf = pdfs.FooterPDF(format="A4")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdfs.add_fonts(pdf)
    pdf.alias_nb_pages()
    doc = AsItStands(inspection)
    venue = inspection.venue
    local_at = inspection.inspected_at.astimezone(clock.tz())
    pdf.footer_text = _(
        "Inspection no. %(id)s · %(venue)s · %(day)s",
        id=inspection.id,
        venue=venue.name,
        day=fmt_date(inspection.inspected_on),
    )
    pdf.add_page()
    width = pdf.epw

    # Letterhead: the team on the left, the national motto on the right.
    pdf.set_font(FONT, "B", 9)
    y = pdf.get_y()
    left = _("INTERAGENCY INSPECTION TEAM")
    pdf.multi_cell(
        width * 0.42,
        4.5,
        left + "\n" + (inspection.team.name if inspection.team else ""),
        align="C",
    )
    pdf.set_xy(pdf.l_margin + width * 0.42, y)
    pdf.multi_cell(
        width * 0.58,
        4.5,
        _("SOCIALIST REPUBLIC OF VIETNAM") + "\n" + _("Independence – Freedom – Happiness"),
        align="C",
    )
    pdf.ln(5)
    if inspection.status != "submitted":
        pdf.set_text_color(179, 38, 30)
        pdf.set_font(FONT, "B", 11)
        banner = _("DRAFT – NOT SUBMITTED") if inspection.status == "draft" else _("CANCELLED")
        pdf.cell(0, 6, banner, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 8, _("MINUTES OF INSPECTION"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.cell(
        0,
        5,
        _("Venue in the sector: %(sector)s", sector=venue.sector.name_vi)
        + " · "
        + _("No. %(id)s/BB-KT", id=inspection.id),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)
    _para(
        pdf,
        _(
            "At %(time)s on %(day)s, at %(address)s, the interagency inspection team "
            "inspected the venue named below.",
            time=local_at.strftime("%H:%M"),
            day=fmt_date(local_at),
            address=venue.address_on(inspection.inspected_on) or venue.name,
        ),
    )

    _heading(pdf, _("I. Inspection team"))
    agencies = {a.code: a for a in inspection.agencies}
    for i, m in enumerate(inspection.members, 1):
        lead = " – " + _("team lead") if m.is_lead else ""
        _para(pdf, f"{i}. {m.full_name} – {m.agency.name_vi}{lead}")
    if agencies:
        _para(
            pdf,
            _(
                "Agencies taking part: %(list)s",
                list=", ".join(a.name_vi for a in agencies.values()),
            ),
        )

    _heading(pdf, _("II. Venue inspected"))
    rep = doc.representative
    facts = [
        (_("Name"), venue.name),
        (_("Address"), venue.address_on(inspection.inspected_on) or ""),
        (_("Sector"), venue.sector.name_vi),
        (_("Registration no."), venue.registration_no or ""),
        (_("Representative"), ", ".join(x for x in (rep["name"], rep["role"]) if x) or "—"),
    ]
    for label, value in facts:
        _fact(pdf, label, value)

    _heading(pdf, _("III. GPS position"))
    fixes = ((doc.location, _("At the start")), (doc.submit_location, _("At submit")))
    for fix, label in fixes:
        if fix is None:
            _fact(pdf, label, _("no position"))
            continue
        _fact(
            pdf,
            label,
            _(
                "%(lat)s, %(lon)s (±%(acc)s) – %(dist)s from the registered location",
                lat=format(fix.latitude, ".6f"),
                lon=format(fix.longitude, ".6f"),
                acc=distance_label(fix.accuracy_m),
                dist=distance_label(fix.distance_m),
            ),
        )
    _fact(pdf, _("Presence"), _presence_label(doc.presence or presence_of(inspection).status))
    if inspection.presence_reason:
        _fact(pdf, _("Reason given"), inspection.presence_reason)

    _heading(pdf, _("IV. Checklist results"))
    template = inspection.checklist_template
    answers = {a.item_id: a for a in doc.checklist}
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=(8, 96, 28, 48),
        line_height=4.4,
        text_align=("CENTER", "LEFT", "LEFT", "LEFT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 238)),
    ) as table:
        head = table.row()
        for text in ("#", _("Requirement"), _("Result"), _("Note")):
            head.cell(text)
        for i, item in enumerate(template.items if template else [], 1):
            a = answers.get(item.id)
            amended = a is not None and a.amendment_id is not None
            row = table.row()
            row.cell(str(i))
            row.cell(f"{item.text_vi}\n({item.basis})" if item.basis else item.text_vi)
            row.cell(_answer_label(a.answer if a else None) + (" *" if amended else ""))
            row.cell((a.note if a else None) or "")

    _heading(pdf, _("V. Violations"))
    if not doc.violations:
        _para(pdf, _("No violation was found."))
    else:
        pdf.set_font(FONT, "", 8.5)
        with pdf.table(
            col_widths=(8, 72, 30, 32, 38),
            line_height=4.4,
            text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "LEFT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 238)),
        ) as table:
            head = table.row()
            for text in (
                "#",
                _("Violation and legal basis"),
                _("Offender"),
                _("Fine"),
                _("Remedy"),
            ):
                head.cell(text)
            for i, v in enumerate(doc.violations, 1):
                row = table.row()
                row.cell(str(i))
                measures = ", ".join(_measure_label(m) for m in v.measures or [])
                text = f"{v.legal.title('vi')}\n{legal_basis(v.legal, 'vi')}"
                if measures:
                    text += "\n" + _("Other measures: %(m)s", m=measures)
                row.cell(text + (" *" if v.amendment_id is not None else ""))
                who = _("Organisation") if v.offender_type == "organisation" else _("Individual")
                row.cell(who + (f"\n{v.offender_name}" if v.offender_name else ""))
                row.cell(fmt_vnd(v.fine_vnd) if v.fine_vnd is not None else "—")
                remedy = v.remedy or "—"
                if v.remedy_deadline:
                    remedy += "\n" + _("by %(day)s", day=fmt_date(v.remedy_deadline))
                row.cell(remedy)
        total = sum(v.fine_vnd or 0 for v in doc.violations)
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(
            0,
            6,
            _("Total fines: %(sum)s", sum=fmt_vnd(total)),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    if inspection.notes or doc.notes:
        _heading(pdf, _("Other remarks"))
        _para(pdf, doc.notes or "")

    if inspection.photos:
        _heading(pdf, _("VI. Photos"))
        _photos(pdf, inspection)

    if inspection.amendments:
        _heading(pdf, _("VII. Amendments after submission"))
        for a in inspection.amendments:
            who = a.created_by.full_name if a.created_by else ""
            _para(
                pdf,
                _(
                    "%(at)s, %(who)s: %(reason)s",
                    at=a.created_at.astimezone(clock.tz()).strftime("%d/%m/%Y %H:%M"),
                    who=who,
                    reason=a.reason,
                ),
            )
            for c in change_words(inspection, a.changes, "vi"):
                before = f"{c.old} → " if c.old is not None else ""
                after = c.new if c.new is not None else _("(removed)")
                _para(pdf, f"  · {c.label}: {before}{after}", size=8)
        _para(pdf, _("Items marked * were amended; the original values are listed above."), size=8)

    pdf.ln(3)
    end = (inspection.submitted_at or inspection.updated_at).astimezone(clock.tz())
    _para(
        pdf,
        _(
            "The minutes were closed at %(time)s on %(day)s and read to those present.",
            time=end.strftime("%H:%M"),
            day=end.strftime("%d/%m/%Y"),
        ),
    )
    _signatures(pdf, inspection)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.set_font(FONT, "B", 10.5)
    pdf.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _para(pdf: FPDF, text: str, size: float = 9.5) -> None:
    pdf.set_font(FONT, "", size)
    pdf.multi_cell(0, 4.8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _fact(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(FONT, "B", 9)
    pdf.cell(42, 4.8, label + ":")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 4.8, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _photos(pdf: FPDF, inspection) -> None:
    per_row, gap = 4, 3
    size = (pdf.epw - gap * (per_row - 1)) / per_row
    codes = {i.id: i.code for i in inspection.checklist_template.items}
    x0 = pdf.l_margin
    for i, photo in enumerate(inspection.photos):
        if i % per_row == 0:
            if i:
                pdf.set_y(pdf.get_y() + size + 9)
            if pdf.get_y() + size + 9 > pdf.h - 16:
                pdf.add_page()
        x = x0 + (i % per_row) * (size + gap)
        y = pdf.get_y()
        thumb = files.thumbnail(photo.stored_name, photo.sha256)
        if thumb:
            pdf.image(io.BytesIO(thumb), x=x, y=y, w=size, h=size, keep_aspect_ratio=True)
        else:
            pdf.rect(x, y, size, size)
        pdf.set_xy(x, y + size + 0.5)
        pdf.set_font(FONT, "", 6.5)
        label = codes.get(photo.item_id) or _("general")
        pdf.multi_cell(size, 3, f"{label} · SHA-256 {photo.sha256[:12]}…", align="C")
        pdf.set_xy(x0, y)
    if inspection.photos:
        pdf.set_y(pdf.get_y() + size + 9)


def _signatures(pdf: FPDF, inspection) -> None:
    if pdf.get_y() > pdf.h - 62:
        pdf.add_page()
    pdf.ln(4)
    signatures = {s.role: s for s in inspection.signatures}
    lead = next((m for m in inspection.members if m.is_lead), None)
    half = pdf.epw / 2
    y = pdf.get_y()
    columns = (
        ("representative", _("VENUE REPRESENTATIVE"), None),
        ("lead", _("TEAM LEAD"), lead.full_name if lead else None),
    )
    for col, (role, title, default_name) in enumerate(columns):
        x = pdf.l_margin + col * half
        pdf.set_xy(x, y)
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(half, 5, title, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 7.5)
        pdf.set_x(x)
        pdf.cell(
            half, 4, _("(signature and full name)"), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT
        )
        sig = signatures.get(role)
        top = pdf.get_y() + 1
        image = (
            storage.read_checked(sig.stored_name, sig.sha256) if sig and sig.stored_name else None
        )
        if image:
            pdf.image(
                io.BytesIO(image),
                x=x + half * 0.2,
                y=top,
                w=half * 0.6,
                h=24,
                keep_aspect_ratio=True,
            )
        elif sig and sig.refused:
            pdf.set_xy(x, top + 6)
            pdf.set_font(FONT, "B", 9)
            pdf.multi_cell(
                half,
                4.5,
                _("Refused to sign") + (f": {sig.refusal_reason}" if sig.refusal_reason else ""),
                align="C",
            )
        pdf.set_xy(x, top + 26)
        pdf.set_font(FONT, "B", 9.5)
        name = (sig.signer_name if sig else None) or default_name or ""
        pdf.cell(half, 5, name, align="C")
    pdf.set_y(y + 40)
