"""The offline app's JSON: the inspector's data pack (with an ETag) and the session check
that a queue replayed later makes first (a fresh CSRF token, or 401: sign in again)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields

from ..accounts.permissions import P, requires
from ..apidoc import Blueprint
from ..dbtypes import utcnow
from ..http_cache import revalidated
from . import services

blp = Blueprint(
    "offline_api",
    __name__,
    url_prefix="/api/v1/offline",
    description="For the phone without a connection: the data pack of the inspector's areas "
    "and a session check before a queue is sent.",
)


class SessionOut(Schema):
    user_id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    csrf_token = fields.String()
    server_time = fields.AwareDateTime()


@blp.route("/pack", methods=["GET"])
@blp.doc(
    responses={
        "200": {"description": "The pack (JSON), with an ETag"},
        "304": {"description": "Unchanged since the ETag given in If-None-Match"},
    }
)
@requires(P.INSPECTIONS_WRITE)
def pack():
    """The operating venues of the areas the inspector's teams cover (id, name, address,
    sector, commune, position), the checklists of their sectors, the violation types in
    force today and the current rounds of their teams (venue ids, order, state). Send the
    ETag back in If-None-Match: an unchanged pack answers 304."""
    body, etag = services.encode(services.pack_for(current_user, str(get_locale())))
    return revalidated(body, "application/json", etag)


@blp.route("/session", methods=["GET"])
@blp.response(200, SessionOut)
@requires(P.AUTHENTICATED)
def session():
    """Who is signed in, a fresh CSRF token for the queued requests, and the server's time
    (401 when the session is gone: sign in again, the queue stays on the phone)."""
    return {
        "user_id": current_user.id,
        "username": current_user.username,
        "full_name": current_user.full_name,
        "csrf_token": generate_csrf(),
        "server_time": utcnow(),
    }
