"""Exports of the filtered list: XLSX, CSV and GeoJSON."""

from __future__ import annotations

from flask import abort
from flask_babel import get_locale

from ... import clock
from ...accounts.permissions import P, requires
from ...audit.services import record, said
from .. import exporting
from . import bp
from .common import CSV, XLSX, download, filters, user_scope

EXPORTS = {
    "xlsx": (exporting.as_xlsx, XLSX),
    "csv": (exporting.as_csv, CSV),
    "geojson": (exporting.as_geojson, "application/geo+json"),
}


@bp.get("/venues/export.<fmt>")
@requires(P.EXPORT)
def export(fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    args, errors, raw = filters()
    if errors:
        abort(422)
    make, mimetype = EXPORTS[fmt]
    body, n = make(args, user_scope(), clock.today(), str(get_locale()))
    described = ", ".join(f"{k}={v}" for k, v in sorted(raw.items()) if str(v).strip())
    summary = (
        said("%(fmt)s: %(n)s venues (%(filters)s)", fmt=fmt, n=n, filters=described)
        if described
        else said("%(fmt)s: %(n)s venues (all)", fmt=fmt, n=n)
    )
    record("export", object_type="venue", summary=summary)
    return download(body, mimetype, f"co-so-{clock.now():%Y%m%d-%H%M}.{fmt}")
