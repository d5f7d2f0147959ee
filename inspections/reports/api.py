"""Reports API: the calendar, a window's report of an area (JSON, XLSX, PDF), the figures a
unit enters, sending (frozen) and the reports as sent."""

from __future__ import annotations

from flask_babel import get_locale
from flask_login import current_user

from ..accounts.permissions import P, requires
from ..accounts.services import scope_of
from ..apidoc import Blueprint
from ..clock import today
from . import access, compute, indicators, sending, values, windows
from .document import DRAFT
from .http import download
from .links import Links
from .presenter import present
from .schedule import calendar, late_units
from .schemas import (
    AreaIn,
    CalendarOut,
    CalendarQuery,
    FormatQuery,
    ReportOut,
    ReportQuery,
    SendIn,
    ValuesIn,
    ValuesOut,
)

blp = Blueprint(
    "reports_api",
    __name__,
    url_prefix="/api/v1/reports",
    description="Periodic reports of the plan on the Decree 09/2019 windows: indicators, "
    "annex tables, the figures units enter, sending (frozen) and the calendar",
)
DOCUMENTS = {
    200: {
        "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        }
    }
}


def _locale() -> str:
    return str(get_locale())


def _where(window: str, area_code: str | None):
    """(window, scope, area) of a request: 404 for an unknown window or an area outside."""
    w = windows.window(window)
    scope = scope_of(current_user)
    area = access.readable_area(scope, area_code, w.end, current_user.home_area)
    return w, scope, area


def _values_answer(w, area) -> dict:
    plan = compute.plan_of(w)
    rows = []
    for ind, value in values.form_rows(plan, w.key, area):
        if value is None:
            continue
        rows.append(
            {
                "indicator": ind,
                "numerator": value.numerator,
                "denominator": value.denominator,
                "note": value.note,
                "updated_at": value.updated_at,
                "files": [
                    {
                        "id": f.id,
                        "name": f.file_name,
                        "sha256": f.sha256,
                        "content_type": f.content_type,
                        "size": f.size_bytes,
                        "url": None,
                    }
                    for f in value.files
                ],
            }
        )
    last = values.latest_sent(w.key, area.id)
    return {
        "window": w.key,
        "area": area.code,
        "frozen": last is not None and last.reopened_at is None,
        "values": rows,
    }


@blp.route("")
@blp.arguments(CalendarQuery, location="query")
@blp.response(200, CalendarOut)
@requires(P.REPORTS_READ)
def reports_calendar(args):
    """The plan's reporting windows with their due days, where each unit's report stands
    (not_started, draft, sent, late) and the units that are late."""
    on = today()
    if args.get("plan"):
        plan = indicators.plan_by_number(args["plan"])
    else:
        plan = compute.plan_of(windows.window(f"report:{on.year}-Y"))
    rows = calendar(plan, scope_of(current_user), on)
    return {
        "plan": {
            "number": plan.number,
            "year": plan.year,
            "issuer": plan.issuer,
            "standing_agency": plan.standing_agency_title,
        },
        "windows": rows,
        "late": [
            {"window": w.key, "due_on": w.due_on, "area": u.area.code, "name": u.area.name}
            for w, u in late_units(rows)
        ],
    }


@blp.route("/<window>")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses=DOCUMENTS)
@requires(P.REPORTS_READ)
def report(args, window):
    """The report of a window (report:2024-Q1 … report:2024-Y) for an area: indicators
    (target, achieved, met, change on a year before) and annex tables, computed now;
    format=xlsx or pdf downloads the documents."""
    w, _scope, area = _where(window, args.get("area"))
    built = compute.build(w, area)
    if args["format"] != "json":
        return download(built, args["format"], DRAFT)
    return present(built, _locale(), Links(built, current_user.role, external=True))


@blp.route("/<window>/send", methods=["POST"])
@blp.arguments(SendIn)
@blp.response(201, ReportOut)
@requires(P.REPORTS_SEND)
def send(data, window):
    """Send the window's report of the account's unit: its figures and documents are frozen
    as sent; sending again (a supplementary report) needs a change."""
    w, scope, area = _where(window, data["area"])
    sent = sending.send(current_user, scope, w, area, today=today(), number=data.get("number"))
    report = sending.frozen(sent)
    return present(report, _locale(), Links(report, current_user.role, external=True), sent)


@blp.route("/<window>/reopen", methods=["POST"])
@blp.arguments(AreaIn)
@blp.response(200, ValuesOut)
@requires(P.REPORTS_SEND)
def reopen(data, window):
    """Open a correction of the unit's last report sent: its figures may change again and
    the next report sent is supplementary."""
    w, scope, area = _where(window, data["area"])
    sending.reopen(current_user, scope, w, area)
    return _values_answer(w, area)


@blp.route("/<window>/values")
@blp.arguments(AreaIn, location="query")
@blp.response(200, ValuesOut)
@requires(P.REPORTS_READ)
def get_values(args, window):
    """The figures a unit entered for the window's reported indicators."""
    w, _scope, area = _where(window, args["area"])
    return _values_answer(w, area)


@blp.route("/<window>/values", methods=["PUT"])
@blp.arguments(ValuesIn)
@blp.response(200, ValuesOut)
@requires(P.REPORT_VALUES_WRITE)
def put_values(data, window):
    """Enter the unit's figures (numerator, denominator, note) for reported indicators; an
    entry without figures or note removes it. Refused whole when one entry is wrong."""
    w, scope, area = _where(window, data["area"])
    values.save_values(current_user, scope, compute.plan_of(w), w, area, data["values"])
    return _values_answer(w, area)


@blp.route("/sent/<int:sent_id>")
@blp.arguments(FormatQuery, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses=DOCUMENTS)
@requires(P.REPORTS_READ)
def sent_report(args, sent_id):
    """A report as it was sent (figures and documents unchanged by later data)."""
    sent = sending.get_sent(sent_id, scope_of(current_user))
    report = sending.frozen(sent)
    if args["format"] != "json":
        fmt = args["format"]
        data = sending.document(sent, fmt)
        return download(report, fmt, sending.sending_of(sent), sent.version, data)
    return present(report, _locale(), Links(report, current_user.role, external=True), sent)
