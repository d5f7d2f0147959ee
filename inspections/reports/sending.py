"""Sending a report: freezing its figures and documents, corrections as new versions.

A sent report keeps the Report as computed when it was sent (``body``) and the XLSX and PDF
written then (stored files, checked by their SHA-256 when read): later data never changes
what was sent. Sending again is a supplementary report (báo cáo bổ sung, version 2, 3…), and
only when something changed; every version stays readable. A unit's figures are frozen once
sent, until it opens a correction (``reopen``).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from .. import storage
from ..accounts.services import Scope
from ..areas.models import Area
from ..audit.services import record, said
from ..dbtypes import utcnow
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..i18n import fmt_date
from ..uow import transactional
from . import access, compute, figures
from .document import Sending
from .models import SentReport
from .pdf import report_pdf
from .report import Report
from .values import latest_sent
from .windows import Window
from .xlsx import report_xlsx

NUMBER_MAX = 60
FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


def sending_of(sent: SentReport) -> Sending:
    """How a sent report was sent, for its documents."""
    return Sending(
        version=sent.version,
        number=sent.number,
        sent_at=sent.sent_at,
        sent_by=sent.sent_by.full_name if sent.sent_by else None,
    )


def file_name(report: Report, fmt: str, version: int | None = None) -> str:
    """bao-cao-<window>-<area>[-v2].<ext>, ASCII."""
    key = report.window.replace("report:", "").lower()
    suffix = f"-v{version}" if version and version > 1 else ""
    return f"bao-cao-{key}-{report.area_code}{suffix}.{FORMATS[fmt][1]}"


def render(report: Report, fmt: str, sending: Sending) -> bytes:
    """The document bytes of a report in a format (xlsx, pdf)."""
    return report_xlsx(report, sending) if fmt == "xlsx" else report_pdf(report, sending)


@transactional
def send(user, scope: Scope, w: Window, area: Area, *, today: date, number: str | None = None):
    """Freeze and send the window's report of the account's own unit; returns the
    SentReport. Refused: a window not over (422), nothing changed since the last version
    sent (409)."""
    access.check_unit_writer(user.role, scope, area)
    number = (number or "").strip() or None
    if number and len(number) > NUMBER_MAX:
        raise Invalid(
            _("The number and symbol are at most %(n)s characters.", n=NUMBER_MAX), field="number"
        )
    if not w.is_over(today):
        raise Invalid(
            _(
                "The window %(w)s is not over until %(end)s: its figures may be drafted but "
                "the report can be sent from %(due)s.",
                w=w.key,
                end=fmt_date(w.end),
                due=fmt_date(w.due_on),
            ),
            field="window",
        )
    report = compute.build(w, area)
    digest = report.figures_digest()
    last = latest_sent(w.key, area.id)
    if last is not None and Report.from_dict(last.body).figures_digest() == digest:
        raise Conflict(
            _(
                "Nothing changed since version %(v)s was sent on %(d)s: there is nothing to "
                "send again.",
                v=last.version,
                d=fmt_date(last.sent_at.date()),
            ),
            field="window",
        )
    plan = compute.plan_of(w)
    body = report.to_dict()
    sent = SentReport(
        plan_id=plan.id,
        window=w.key,
        area_id=area.id,
        version=(last.version + 1) if last else 1,
        number=number,
        sent_at=utcnow(),
        sent_by_id=user.id,
        body=body,
        body_sha256=digest,
    )
    db.session.add(sent)
    db.session.flush()
    how = Sending(sent.version, sent.number, sent.sent_at, user.full_name)
    for fmt in FORMATS:
        data = render(report, fmt, how)
        digest_f, key = storage.save(data, FORMATS[fmt][1], owner_id=sent.id, folder="reports/sent")
        setattr(sent, f"{fmt}_name", key)
        setattr(sent, f"{fmt}_sha256", digest_f)
    db.session.flush()
    record(
        "send",
        sent,
        summary=said(
            "Report %(key)s of %(area)s, version %(version)s",
            key=w.key,
            area=area.code,
            version=sent.version,
        ),
    )
    return sent


@transactional
def reopen(user, scope: Scope, w: Window, area: Area) -> SentReport:
    """Open a correction of the last version sent: the unit's figures may change again, and
    the next report sent is a supplementary one."""
    access.check_unit_writer(user.role, scope, area)
    last = latest_sent(w.key, area.id)
    if last is None:
        raise Conflict(_("This report has not been sent: there is nothing to correct."))
    if last.reopened_at is not None:
        raise Conflict(_("A correction of this report is already open."))
    last.reopened_at = utcnow()
    last.reopened_by_id = user.id
    db.session.flush()
    return last


def get_sent(sent_id: int, scope: Scope) -> SentReport:
    """A sent report the account may read, or NotFound."""
    sent = db.session.get(SentReport, sent_id)
    if sent is None or not figures.sees(scope, sent.area):
        raise NotFound(_("No such report."))
    return sent


def versions(window_key: str, area_id: int) -> list[SentReport]:
    """Every version sent of a window's report of an area, the first first."""
    return list(
        db.session.scalars(
            select(SentReport)
            .where(SentReport.window == window_key, SentReport.area_id == area_id)
            .order_by(SentReport.version)
        )
    )


def frozen(sent: SentReport) -> Report:
    """The report as it was sent."""
    return Report.from_dict(sent.body)


def document(sent: SentReport, fmt: str) -> bytes:
    """A sent report's document as written when it was sent (re-rendered from the frozen
    figures only if the stored file is gone or altered)."""
    key, digest = getattr(sent, f"{fmt}_name"), getattr(sent, f"{fmt}_sha256")
    data = storage.read_checked(key, digest) if key else None
    if data is None:
        return render(frozen(sent), fmt, sending_of(sent))
    return data


def evidence(sent: SentReport, sha256: str) -> tuple[bytes, dict]:
    """An evidence file the sent report lists, as stored (NotFound otherwise)."""
    for line in sent.body.get("indicators", []):
        for entry in line.get("files", []):
            if entry["sha256"] == sha256:
                data = storage.read_checked(entry["key"], sha256)
                if data is None:
                    break
                return data, entry
    raise NotFound(_("No such file."))
