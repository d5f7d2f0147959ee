"""A report as an XLSX workbook: the indicators, then one sheet per annex table; Vietnamese
headings, numbers as numbers (percentages with one decimal, VND grouped)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from ..spreadsheets import Sheet, write_workbook
from . import document
from .document import Sending
from .labels import SHEET_NAMES, column_label, table_title
from .report import Report, Table

HEAD_FILL = "DDEBF7"
FORMATS = {"pct": "0.0", "vnd": "#,##0", "int": "#,##0"}


def _heading(report: Report, sending: Sending) -> list[str]:
    plan = report.plan
    state = document.state_line(report, sending)
    return [
        _("REPORT") + " – " + document.report_title(report),
        _("Unit: %(u)s · window %(w)s", u=report.area_name, w=document.window_text(report)),
        _(
            "Plan %(n)s (%(issuer)s); standing agency: %(agency)s",
            n=plan.get("number"),
            issuer=plan.get("issuer") or "",
            agency=plan.get("standing_agency") or "",
        ),
        state,
    ]


def _indicator_sheet(report: Report, heading: list[str]) -> Sheet:
    headers = [
        _("No."),
        _("Indicator"),
        _("Target"),
        _("Target (%)"),
        _("Numerator"),
        _("Denominator"),
        _("Achieved (%)"),
        _("Assessment"),
        _("Same window a year earlier (%)"),
        _("Change"),
        _("Units reported"),
        _("Note"),
    ]
    rows = []
    for line in report.indicators:
        units = f"{line.units_reported}/{line.units_expected}" if line.units_expected else None
        before = line.previous_pct if line.compare != "count" else line.previous_numerator
        rows.append(
            [
                line.target_no,
                line.text_vi,
                line.target_text_vi,
                float(line.target_pct) if line.target_pct is not None else None,
                line.numerator,
                line.denominator,
                line.value_pct,
                document.met_text(line),
                before,
                line.change,
                units,
                line.note,
            ]
        )
    widths = {0: 6, 1: 60, 2: 18, 11: 30}
    return Sheet(
        str(SHEET_NAMES["indicators"]),
        headers,
        rows,
        heading=heading,
        frozen_columns=2,
        header_fill=HEAD_FILL,
        wrap_header=True,
        widths={i: widths.get(i, 13) for i in range(len(headers))},
        number_formats={3: "0.0", 4: "#,##0", 5: "#,##0", 6: "0.0", 8: "0.0", 9: "0.0"},
    )


def _table_sheet(report: Report, table: Table, heading: list[str]) -> Sheet:
    headers = [column_label(c, "vi") for c in table.columns]
    rows = [[document.cell(r, c, "vi") for c in table.columns] for r in table.rows]
    totals = None
    if table.totals is not None:
        totals = [document.cell(table.totals, c, "vi") for c in table.columns]
    lines = [*heading[:2], table_title(table.key)]
    if table.total_rows is not None and table.total_rows > len(table.rows):
        lines.append(_("The first %(n)s of %(total)s.", n=len(table.rows), total=table.total_rows))
    widths: dict[int, float] = {
        i: (34 if c.kind == "text" else 14) for i, c in enumerate(table.columns)
    }
    formats = {i: FORMATS[c.kind] for i, c in enumerate(table.columns) if c.kind in FORMATS}
    return Sheet(
        str(SHEET_NAMES[table.key]),
        headers,
        rows,
        heading=lines,
        totals=totals,
        frozen_columns=1,
        header_fill=HEAD_FILL,
        wrap_header=True,
        widths=widths,
        number_formats=formats,
    )


def report_xlsx(report: Report, sending: Sending = document.DRAFT) -> bytes:
    """The workbook bytes of a report, in Vietnamese."""
    with force_locale("vi"):
        heading = _heading(report, sending)
        sheets = [_indicator_sheet(report, heading)]
        sheets += [_table_sheet(report, t, heading) for t in report.tables]
        return write_workbook(sheets)
