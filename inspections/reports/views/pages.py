"""The calendar, a window's report of an area (page and documents), sending, corrections and
the reports as sent."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.permissions import P, requires
from ...accounts.services import scope_of
from ...clock import today
from ...errors import InspectionsError, NotFound
from ...spreadsheets import safe_filename
from ...storage import read_checked
from .. import compute, indicators, sending, values
from ..document import DRAFT
from ..http import download
from ..links import Links
from ..presenter import present
from ..schedule import calendar
from ..windows import describe, window
from . import bp
from .common import may_write, pickers, where


@bp.get("")
@requires(P.REPORTS_READ)
def index():
    """The reporting calendar of a plan (this year's by default) and the late units."""
    on = today()
    all_plans = indicators.plans()
    plan = None
    if request.args.get("plan"):
        plan = indicators.plan_by_number(request.args["plan"])
    else:
        try:
            plan = compute.plan_of(window(f"report:{on.year}-Y"))
        except NotFound:
            plan = None
    rows = calendar(plan, scope_of(current_user), on) if plan else []
    return render_template(
        "reports/index.html",
        plan=plan,
        plans=all_plans,
        rows=rows,
        late=[(r.window, [u for u in r.units if u.status == "late"]) for r in rows],
        describe=describe,
        today=on,
    )


@bp.get("/<window_key>")
@requires(P.REPORTS_READ)
def report(window_key: str):
    """A window's report of an area, computed now, with its versions sent."""
    w, scope, area = where(window_key)
    chosen = request.args.get("window")
    if chosen and chosen != w.key:  # the picker names another window: its own page
        return redirect(url_for(".report", window_key=window(chosen).key, area=area.code))
    built = compute.build(w, area)
    shown = present(built, str(get_locale()), Links(built, current_user.role))
    last = values.latest_sent(w.key, area.id)
    return render_template(
        "reports/report.html",
        report=shown,
        window=w,
        window_text=describe(w),
        area=area,
        sent=None,
        versions=sending.versions(w.key, area.id),
        last=last,
        frozen=last is not None and last.reopened_at is None,
        may_write=may_write(scope, area),
        is_over=w.is_over(today()),
        pick=pickers(w, scope),
    )


@bp.get("/<window_key>/document.<fmt>")
@requires(P.REPORTS_READ)
def document(window_key: str, fmt: str):
    """The report computed now as XLSX or PDF (marked as a draft)."""
    if fmt not in sending.FORMATS:
        abort(404)
    w, _scope, area = where(window_key)
    return download(compute.build(w, area), fmt, DRAFT)


@bp.post("/<window_key>/send")
@requires(P.REPORTS_SEND)
def send(window_key: str):
    """Send the unit's report (frozen), then show it as sent."""
    w, scope, area = where(window_key)
    try:
        sent = sending.send(
            current_user, scope, w, area, today=today(), number=request.form.get("number")
        )
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".report", window_key=w.key, area=area.code)), 303
    flash(_("The report was sent (version %(v)s).", v=sent.version), "success")
    return redirect(url_for(".sent", sent_id=sent.id)), 303


@bp.post("/<window_key>/reopen")
@requires(P.REPORTS_SEND)
def reopen(window_key: str):
    """Open a correction: the unit's figures may change, a supplementary report follows."""
    w, scope, area = where(window_key)
    try:
        sending.reopen(current_user, scope, w, area)
    except InspectionsError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".report", window_key=w.key, area=area.code)), 303
    flash(_("A correction is open: change the figures, then send the supplementary report."))
    return redirect(url_for(".values_form", window_key=w.key, area=area.code)), 303


@bp.get("/sent/<int:sent_id>")
@requires(P.REPORTS_READ)
def sent(sent_id: int):
    """A report as it was sent."""
    row = sending.get_sent(sent_id, scope_of(current_user))
    frozen_report = sending.frozen(row)
    shown = present(frozen_report, str(get_locale()), Links(frozen_report, current_user.role), row)
    w = window(row.window)
    return render_template(
        "reports/report.html",
        report=shown,
        window=w,
        window_text=describe(w),
        area=row.area,
        sent=row,
        versions=sending.versions(row.window, row.area_id),
        last=None,
        frozen=True,
        may_write=False,
        is_over=True,
        pick=None,
    )


@bp.get("/sent/<int:sent_id>/document.<fmt>")
@requires(P.REPORTS_READ)
def sent_document(sent_id: int, fmt: str):
    """A sent report's document, as written when it was sent."""
    if fmt not in sending.FORMATS:
        abort(404)
    row = sending.get_sent(sent_id, scope_of(current_user))
    data = sending.document(row, fmt)
    return download(sending.frozen(row), fmt, sending.sending_of(row), row.version, data)


@bp.get("/sent/<int:sent_id>/files/<sha256>")
@requires(P.REPORTS_READ)
def sent_file(sent_id: int, sha256: str):
    """An evidence file as the sent report lists it."""
    row = sending.get_sent(sent_id, scope_of(current_user))
    data, entry = sending.evidence(row, sha256)
    return _file(data, entry["content_type"], entry["name"])


def _file(data: bytes, content_type: str, name: str):
    ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return Response(
        data,
        mimetype=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_filename(name, ext)}"',
            "Cache-Control": "private, no-store",
        },
    )


def stored_file(key: str, sha256: str, content_type: str, name: str):
    """An evidence file's bytes as a download (404 when the file is gone)."""
    data = read_checked(key, sha256)
    if data is None:
        abort(404)
    return _file(data, content_type, name)
