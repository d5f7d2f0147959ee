"""What the pages and the API answer the same way: a report's document as a download."""

from __future__ import annotations

from flask import Response

from ..audit.services import record, said
from . import sending
from .document import Sending
from .report import Report


def download(
    report: Report, fmt: str, how: Sending, version: int | None = None, data: bytes | None = None
) -> Response:
    """A report's document (XLSX or PDF) as an attachment, audited as an export: the stored
    bytes of a sent report when given, else written now."""
    body = data if data is not None else sending.render(report, fmt, how)
    name = sending.file_name(report, fmt, version)
    record(
        "export",
        object_type="report",
        summary=said(
            "Report %(key)s of %(area)s, %(fmt)s", key=report.window, area=report.area_code, fmt=fmt
        ),
    )
    return Response(
        body,
        mimetype=sending.FORMATS[fmt][0],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
