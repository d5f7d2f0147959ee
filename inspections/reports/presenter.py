"""A Report in the reader's language with the links behind its figures: the shape the API
dumps (schemas.ReportOut) and the page renders."""

from __future__ import annotations

from datetime import date

from flask import url_for

from . import document
from .labels import column_label, table_title
from .links import Links
from .models import SentReport
from .report import Report


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _files(line, sent: SentReport | None, window: str, area: str) -> list[dict]:
    out = []
    for entry in line.files:
        if sent is not None:
            url = url_for("reports.sent_file", sent_id=sent.id, sha256=entry["sha256"])
        else:
            url = url_for("reports.value_file", window_key=window, file_id=entry["id"], area=area)
        out.append({**entry, "url": url})
    return out


def present(report: Report, locale: str, links: Links, sent: SentReport | None = None) -> dict:
    """The report as plain values: texts in the locale, each figure with its list's URL."""
    indicators = []
    for line in report.indicators:
        indicators.append(
            {
                "code": line.code,
                "text": line.text(locale),
                "target_no": line.target_no,
                "kind": line.kind,
                "compare": line.compare,
                "level": line.level,
                "source": line.source,
                "target_pct": float(line.target_pct) if line.target_pct is not None else None,
                "target_text": line.target_text(locale),
                "numerator": line.numerator,
                "denominator": line.denominator,
                "value_pct": line.value_pct,
                "met": line.met,
                "met_text": document.met_text(line),
                "previous_numerator": line.previous_numerator,
                "previous_denominator": line.previous_denominator,
                "previous_value_pct": line.previous_pct,
                "change": line.change,
                "units_reported": line.units_reported,
                "units_expected": line.units_expected,
                "note": line.note,
                "files": _files(line, sent, report.window, report.area_code),
                "link": links.indicator(line) if line.kind == "computed" else None,
            }
        )
    tables = []
    for table in report.tables:
        rows = []
        for row in table.rows:
            cells = {c.key: _plain(document.cell(row, c, locale)) for c in table.columns}
            cells["links"] = {
                c.key: url for c in table.columns if (url := links.cell(table.key, row, c.key))
            }
            rows.append(cells)
        totals = None
        if table.totals is not None:
            totals = {c.key: _plain(document.cell(table.totals, c, locale)) for c in table.columns}
            totals["links"] = {
                c.key: url
                for c in table.columns
                if (url := links.cell(table.key, table.totals, c.key))
            }
        tables.append(
            {
                "key": table.key,
                "title": table_title(table.key),
                "columns": [
                    {"key": c.key, "label": column_label(c, locale), "kind": c.kind}
                    for c in table.columns
                ],
                "rows": rows,
                "totals": totals,
                "total_rows": table.total_rows,
            }
        )
    plan = report.plan
    return {
        "id": sent.id if sent else None,
        "window": report.window,
        "title": document.report_title(report),
        "start": report.start,
        "end": report.end,
        "due_on": report.due_on,
        "area": {"code": report.area_code, "name": report.area_name, "level": report.area_level},
        "plan": {
            "number": plan.get("number"),
            "year": plan.get("year"),
            "issuer": plan.get("issuer"),
            "standing_agency": plan.get("standing_agency"),
        },
        "indicators": indicators,
        "tables": tables,
        "previous_window": report.previous_window,
        "computed_at": report.computed_at,
        "sent": _sent(sent),
    }


def _sent(sent: SentReport | None) -> dict | None:
    if sent is None:
        return None
    return {
        "id": sent.id,
        "version": sent.version,
        "supplementary": sent.is_supplement,
        "number": sent.number,
        "sent_at": sent.sent_at,
        "sent_by": sent.sent_by.full_name if sent.sent_by else None,
    }
