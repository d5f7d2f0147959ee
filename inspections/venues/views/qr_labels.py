"""QR labels: what a scanned label opens, a venue's QR image, re-issuing a label, and
A4 sheets of labels for a filtered list (PDF, PNG)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ... import clock
from ...accounts.permissions import P, requires
from ...audit.services import record, said
from ...extensions import db
from .. import qr, queries, services
from ..models import Venue
from . import bp
from .common import download, filters, user_scope

MAX_LABELS = 500


@bp.get("/q/<token>")
@requires(P.VENUES_READ)
def by_qr(token: str):
    """What a scanned label opens: the venue page, or why the label is not to be trusted.

    A label of a venue outside the user's area answers exactly like a forged one (404, the
    same page): neither the venue nor what replaced it is named.
    """
    try:
        venue = qr.venue_from_token(token, user_scope())
    except qr.LabelStale as exc:
        record("denied", exc.venue, summary=exc.why)
        return render_template(
            "venues/label_problem.html", kind="stale", message=exc.message, target=exc.target
        ), 410
    except qr.LabelInvalid as exc:
        if exc.venue is not None:
            record("denied", exc.venue, summary=said("QR label of a venue outside the user's area"))
        else:
            record("denied", summary=said("invalid QR label %(token)s", token=repr(token[:60])))
        return render_template(
            "venues/label_problem.html", kind="invalid", message=exc.message, target=None
        ), 404
    if venue.status == "closed":
        flash(
            _(
                "This venue is recorded as closed since %(d)s. If it is operating, record it.",
                d=venue.closed_on.strftime("%d/%m/%Y") if venue.closed_on else "?",
            ),
            "warning",
        )
    return redirect(url_for("venues.detail", venue_id=venue.id, scanned=1))


@bp.get("/venues/<int:venue_id>/qr.png")
@requires(P.VENUES_READ)
def qr_png(venue_id: int):
    venue = services.get_venue(venue_id, user_scope())
    url = url_for("venues.by_qr", token=qr.venue_token(venue.id), _external=True)
    resp = Response(qr.qr_png(url, 8), mimetype="image/png")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# ---------------------------------------------------------------- re-issuing and sheets


@bp.post("/venues/<int:venue_id>/label")
@requires(P.VENUES_WRITE)
def reissue_label(venue_id: int):
    venue = services.get_venue(venue_id, user_scope())
    if venue.merged_into_id:
        abort(409)
    version = services.reissue_label(venue, user=current_user)
    flash(
        _(
            "A new label (version %(n)s) was issued; earlier labels now say they are stale.",
            n=version,
        ),
        "success",
    )
    return redirect(url_for("venues.detail", venue_id=venue.id, _anchor="label"))


def _label_selection() -> tuple[list, dict, dict]:
    args, errors, raw = filters()
    ids = list(
        db.session.scalars(
            queries.id_select(args, user_scope(), clock.today()).limit(MAX_LABELS + 1)
        )
    )
    return ids, raw, errors


def _labels_for(ids: list[int]) -> list[qr.Label]:
    locale = str(get_locale())
    venues = {v.id: v for v in db.session.scalars(select(Venue).where(Venue.id.in_(ids)))}
    out = []
    for vid in ids:
        v = venues[vid]
        out.append(
            qr.Label(
                url=url_for("venues.by_qr", token=qr.venue_token(v.id), _external=True),
                name=v.name,
                sector=v.sector.name(locale),
                address=v.address or "",
                footer=_("#%(id)s · scan to open the venue's record", id=v.id),
            )
        )
    return out


@bp.get("/venues/labels")
@requires(P.VENUES_WRITE)
def labels():
    ids, raw, _errors = _label_selection()
    return render_template(
        "venues/labels.html",
        count=len(ids[:MAX_LABELS]),
        too_many=len(ids) > MAX_LABELS,
        limit=MAX_LABELS,
        pages=qr.page_count(len(ids[:MAX_LABELS])),
        query_string=request.query_string.decode(),
        raw=raw,
    )


@bp.get("/venues/labels.pdf")
@requires(P.VENUES_WRITE)
def labels_pdf():
    ids, _raw, _errors = _label_selection()
    if not ids:
        abort(404)
    ids = ids[:MAX_LABELS]
    body = qr.label_sheet_pdf(_labels_for(ids), title=_("QR labels"))
    record("export", object_type="venue", summary=said("QR labels PDF: %(n)s venues", n=len(ids)))
    return download(body, "application/pdf", f"nhan-qr-{clock.now():%Y%m%d}.pdf")


@bp.get("/venues/labels.png")
@requires(P.VENUES_WRITE)
def labels_png():
    ids, _raw, _errors = _label_selection()
    if not ids:
        abort(404)
    ids = ids[:MAX_LABELS]
    sheet = max(1, request.args.get("sheet", 1, type=int) or 1)
    if sheet > qr.page_count(len(ids)):
        abort(404)
    if request.args.get("preview"):  # the page's own preview: shown, not downloaded
        body = qr.label_sheet_png(_labels_for(ids), page=sheet, dpi=90)
        resp = Response(body, mimetype="image/png")
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    body = qr.label_sheet_png(_labels_for(ids), page=sheet)
    record(
        "export",
        object_type="venue",
        summary=said("QR labels PNG page %(sheet)s: %(n)s venues", sheet=sheet, n=len(ids)),
    )
    return download(body, "image/png", f"nhan-qr-{clock.now():%Y%m%d}-{sheet}.png")
