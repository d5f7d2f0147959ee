"""The figures a unit enters for a window (DHIS2's data-entry form is the model): one row per
reported indicator of the unit's level, numerator, denominator and a note, and evidence files
uploaded one at a time."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate

from ...accounts.permissions import P, requires
from ...clock import today
from ...errors import InspectionsError
from ...visits import files
from .. import compute, values
from ..windows import describe
from . import bp
from .common import may_write, pickers, where
from .pages import stored_file


class ValueForm(Schema):
    """One row of the form, as typed (blanks are "no figure")."""

    numerator = fields.Integer(load_default=None, allow_none=True)
    denominator = fields.Integer(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


def _entries(rows) -> tuple[list[dict], dict]:
    """The form's rows as service entries, and the fields that are not whole numbers."""
    entries, errors = [], {}
    for ind, _value in rows:
        raw = {
            key: (request.form.get(f"{key}-{ind.code}") or "").strip() or None
            for key in ("numerator", "denominator", "note")
        }
        try:
            data = ValueForm().load(raw)
        except ValidationError as exc:
            for key in exc.messages:
                errors[f"{ind.code}.{key}"] = [_("Enter a whole number.")]
            continue
        entries.append({"indicator": ind.code, **data})
    return entries, errors


def _render(w, scope, area, errors=None, typed=None, status=200):
    plan = compute.plan_of(w)
    rows = values.form_rows(plan, w.key, area)
    last = values.latest_sent(w.key, area.id)
    return render_template(
        "reports/values.html",
        window=w,
        window_text=describe(w),
        area=area,
        plan=plan,
        rows=rows,
        errors=errors or {},
        typed=typed,
        frozen=last is not None and last.reopened_at is None,
        last=last,
        may_write=may_write(scope, area),
        is_over=w.is_over(today()),
        max_mb=files.max_bytes() // (1024 * 1024),
        pick=pickers(w, scope),
    ), status


@bp.get("/<window_key>/values")
@requires(P.REPORTS_READ)
def values_form(window_key: str):
    """The unit's figures for the window (read-only unless it is the account's unit)."""
    w, scope, area = where(window_key)
    return _render(w, scope, area)


@bp.post("/<window_key>/values")
@requires(P.REPORT_VALUES_WRITE)
def save_values(window_key: str):
    """Save the unit's figures (all rows, or none when one is wrong)."""
    w, scope, area = where(window_key)
    plan = compute.plan_of(w)
    entries, errors = _entries(values.form_rows(plan, w.key, area))
    if not errors:
        try:
            values.save_values(current_user, scope, plan, w, area, entries)
        except InspectionsError as exc:
            errors = exc.messages()
        else:
            flash(_("The figures are saved."), "success")
            return redirect(url_for(".values_form", window_key=w.key, area=area.code)), 303
    return _render(w, scope, area, errors, request.form, 422)


@bp.post("/<window_key>/values/files")
@requires(P.REPORT_VALUES_WRITE)
def add_file(window_key: str):
    """Keep one evidence file of one figure."""
    w, scope, area = where(window_key)
    upload = request.files.get("file")
    code = request.form.get("indicator", "")
    if upload is None or not upload.filename:
        flash(_("Choose a file."), "danger")
    else:
        try:
            values.add_file(
                current_user,
                scope,
                compute.plan_of(w),
                w,
                area,
                code,
                upload.read(files.max_bytes() + 1),
                upload.filename,
            )
        except InspectionsError as exc:
            flash(exc.message, "danger")
        else:
            flash(_("The file is kept."), "success")
    target = url_for(".values_form", window_key=w.key, area=area.code, _anchor=f"v-{code}")
    return redirect(target), 303


@bp.post("/<window_key>/values/files/<int:file_id>/delete")
@requires(P.REPORT_VALUES_WRITE)
def remove_file(window_key: str, file_id: int):
    """Remove an evidence file from the unit's figure."""
    w, scope, area = where(window_key)
    try:
        values.remove_file(current_user, scope, w, area, file_id)
    except InspectionsError as exc:
        flash(exc.message, "danger")
    else:
        flash(_("The file is removed."), "success")
    return redirect(url_for(".values_form", window_key=w.key, area=area.code)), 303


@bp.get("/<window_key>/values/files/<int:file_id>")
@requires(P.REPORTS_READ)
def value_file(window_key: str, file_id: int):
    """An evidence file of the unit's figures."""
    w, _scope, area = where(window_key)
    row = values.unit_file(w, area, file_id)
    return stored_file(row.stored_name, row.sha256, row.content_type, row.file_name)
