"""The API root: what the API offers and where its documentation is."""

from __future__ import annotations

from flask import current_app, url_for
from flask_smorest import Blueprint

from ..accounts.permissions import P, requires

blp = Blueprint("api_root", __name__, url_prefix="/api/v1", description="API root")


@blp.route("/")
@requires(P.PUBLIC)
def index():
    """Links to the API's collections and its OpenAPI document."""
    collections = sorted(
        {
            r.rule
            for r in current_app.url_map.iter_rules()
            if r.rule.startswith("/api/v1/") and "<" not in r.rule and r.rule != "/api/v1/"
        }
    )
    return {
        "name": "inspections",
        "version": "v1",
        "openapi": url_for("api-docs.openapi_json"),
        "docs": url_for("api-docs.openapi_swagger_ui"),
        "authentication": "Authorization: Bearer <token> (flask --app inspections users token "
        "USERNAME), or the session cookie of a signed-in page",
        "collections": collections,
    }
