"""Importing a venue list: upload → dry run report → the real run on the same file, and
the rejected rows as a file to fix and import again."""

from __future__ import annotations

import os

from flask import Response, abort, current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ... import spreadsheets
from ...accounts.permissions import P, requires
from ...errors import InspectionsError
from .. import stash
from ..importing.columns import COLUMNS
from ..importing.files import FileRejected, read_table
from ..importing.write import ImportReport, rejected_rows, run_import
from . import bp
from .common import CSV, XLSX, download, user_scope


class _TooLarge(FileRejected):
    status = 413


def _read_upload(file) -> bytes:
    """The uploaded bytes, refusing (413) a file over the limit without reading it."""
    stream = file.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    limit = _max_import_bytes()
    if size > limit:
        raise _TooLarge(_too_large_message(size), field="file")
    return stream.read()


def _too_large_message(size: int) -> str:
    return _(
        "The file is %(size)s MB; the limit is %(limit)s MB. Split the list into "
        "several files or remove unused sheets and columns.",
        size=format(size / 1048576, ".1f"),
        limit=current_app.config["MAX_UPLOAD_MB"],
    )


def _max_import_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    """An upload over the limit is refused before it is read: say so on the import page."""
    if request.endpoint == "venues.import_venues":
        # the body was refused before it was read; its declared length is the file's size
        message = _too_large_message(request.content_length or _max_import_bytes())
        return _import_page({"file": [message]}, None, None), 413
    return Response(_("The file or request is too large."), 413, mimetype="text/plain")


def _import_page(errors, report, upload):
    return render_template(
        "venues/import.html",
        errors=errors,
        report=report,
        upload=upload,
        columns=COLUMNS,
        max_mb=current_app.config["MAX_UPLOAD_MB"],
    )


@bp.route("/venues/import", methods=["GET", "POST"])
@requires(P.VENUES_IMPORT)
def import_venues():
    """Upload → dry run report; the real run is a second click on the same file."""
    errors, report, upload, status = {}, None, None, 200
    if request.method == "POST":
        file = request.files.get("file")
        if file is None or not file.filename:
            errors, status = {"file": [_("Choose an XLSX, XLS or CSV file.")]}, 422
        else:
            try:
                data = _read_upload(file)
                table = read_table(data, file.filename, _max_import_bytes())
                report = run_import(table, scope=user_scope(), user=current_user, dry_run=True)
            except InspectionsError as exc:
                errors, status = exc.messages(), exc.status if exc.status == 413 else 422
            else:
                upload = stash.keep(data, file.filename, current_user.id)
                meta = {"filename": file.filename, "user_id": current_user.id}
                stash.note(upload, {**meta, "report": report.to_dict()})
    return _import_page(errors, report, upload), status


@bp.post("/venues/import/<upload>")
@requires(P.VENUES_IMPORT)
def import_run(upload: str):
    data, meta = stash.load(upload, current_user.id)
    try:
        table = read_table(data, meta["filename"], _max_import_bytes())
        report = run_import(table, scope=user_scope(), user=current_user, dry_run=False)
    except InspectionsError as exc:
        return _import_page(exc.messages(), None, None), 422
    stash.note(upload, {**meta, "report": report.to_dict(), "done": True})
    flash(
        _(
            "Import done: %(c)s created, %(u)s updated, %(n)s unchanged, %(r)s rejected.",
            c=report.created,
            u=report.updated,
            n=report.unchanged,
            r=len(report.rejected),
        ),
        "success" if not report.rejected else "warning",
    )
    return _import_page({}, report, upload)


@bp.get("/venues/import/<upload>/rejected.<fmt>")
@requires(P.VENUES_IMPORT)
def import_rejected(upload: str, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    data, meta = stash.load(upload, current_user.id)
    if "report" not in meta:
        abort(404)
    table = read_table(data, meta["filename"], _max_import_bytes())
    report = ImportReport.from_dict(dict(meta["report"]))
    headers, rows = rejected_rows(table, report)
    name = spreadsheets.safe_filename(meta["filename"], f"-rejected.{fmt}")
    if fmt == "xlsx":
        return download(
            spreadsheets.write_xlsx(headers, rows, "rejected"),
            XLSX,
            name,
        )
    return download(spreadsheets.write_csv(headers, rows), CSV, name)
