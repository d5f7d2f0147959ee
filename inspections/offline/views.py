"""Pages of the offline app: the service worker and the manifest (public, from the site's
root so the worker may control every page), the cached venue list, the queue of inspections
kept on the phone, and the per-sector form shells."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.permissions import P, requires
from ..errors import NotFound
from ..extensions import db
from ..venues.models import Sector
from ..visits.views import form_shell as visits_form_shell
from . import services

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
@requires(P.PUBLIC)
def service_worker():
    """The service worker, with this deploy's cache name and the app shell to cache."""
    source = (Path(current_app.static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
    head = (
        f"const VERSION = {json.dumps(services.cache_version())};\n"
        f"const SHELL = {json.dumps(services.shell_urls())};\n"
        f"const OFFLINE_PAGE = {json.dumps(url_for('offline.home'))};\n"
    )
    resp = Response(head + source, mimetype="text/javascript")
    resp.headers["Service-Worker-Allowed"] = "/"
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/manifest.webmanifest")
@requires(P.PUBLIC)
def manifest():
    """The web app manifest: installable from the browser, no app store."""
    body = {
        "name": _("Venue inspections"),
        "short_name": _("Inspections"),
        "description": _("Inspect venues on site, with or without a connection."),
        "lang": "vi",
        "start_url": url_for("offline.home", source="app"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": "#0b5563",
        "background_color": "#ffffff",
        "icons": [
            {
                "src": url_for("static", filename=f"img/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ]
        + [
            {
                "src": url_for("static", filename="img/favicon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            }
        ],
    }
    resp = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/offline")
@requires(P.INSPECTIONS_WRITE)
def home():
    """The venues kept on this phone (searchable with no connection) and the queue state."""
    return render_template("offline/home.html", t=_home_strings())


@bp.get("/offline/queue")
@requires(P.INSPECTIONS_WRITE)
def queue():
    """Inspections saved on this phone and not yet confirmed by the server."""
    return render_template("offline/queue.html", t=_queue_strings())


@bp.get("/offline/form/<sector>")
@requires(P.INSPECTIONS_WRITE)
def form_shell(sector: str):
    """The inspection form of a sector, cached to start an inspection without a connection."""
    found = db.session.scalar(select(Sector).where(Sector.code == sector))
    if found is None:
        raise NotFound(_("Unknown sector %(code)s.", code=sector))
    return visits_form_shell(found)


def _home_strings() -> dict:
    """The words the venue list's script writes itself."""
    return {
        "pack": _("%(n)s venues kept on this phone · updated %(time)s"),
        "no_pack": _("Nothing is kept on this phone yet: open this page once with a connection."),
        "updating": _("Updating the list…"),
        "no_match": _("No venue matches."),
        "ready": _("ready without a connection"),
        "not_kept": _(
            "That page is not kept on this phone and there is no connection: "
            "start an inspection from the list below."
        ),
        "more": _("%(n)s more: type a few letters of the name."),
        "queued": _("%(n)s saved on this phone, not yet sent"),
        "storage_full": _(
            "The phone's storage is full: free some space (photos, apps), then try again."
        ),
    }


def _queue_strings() -> dict:
    """The words the queue page's script writes itself."""
    return {
        "waiting": _("Waiting to be sent"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "failed": _("Not accepted: %(message)s"),
        "conflict": _("Conflict: %(message)s"),
        "signin": _("Your session has ended: sign in again to send (nothing is lost)."),
        "retry_at": _("Next try at %(time)s"),
        "offline": _("No connection: it will be sent when the connection returns."),
        "photos": _("%(done)s/%(total)s photos sent"),
        "recorded_at": _("Recorded %(time)s (phone's clock)"),
        "open_draft": _("Open the draft to correct it"),
        "retry": _("Try again"),
        "discard": _("Discard from this phone"),
        "discard_confirm": _(
            "Discard this inspection from the phone? What the server did not receive is lost."
        ),
        "keep": _("Keep on this phone"),
        "kept": _("Kept on this phone; nothing was sent."),
        "empty": _("Nothing is waiting on this phone."),
        "left": _(
            "%(n)s inspection(s) not yet sent stay on this phone; "
            "sign in again as %(user)s to send them."
        ),
        "saved": _("Saved on this phone, not yet sent."),
        "view": _("View"),
    }
