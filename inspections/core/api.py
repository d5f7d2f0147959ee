"""The API root: what the API offers and where its documentation is."""

from __future__ import annotations

from flask import current_app, url_for
from marshmallow import Schema, fields

from ..accounts.permissions import P, requires
from ..apidoc import Blueprint

blp = Blueprint("api_root", __name__, url_prefix="/api/v1", description="API root")


class ApiRootOut(Schema):
    name = fields.String(metadata={"description": "The API's name."})
    version = fields.String(metadata={"description": "The API's version."})
    openapi = fields.String(metadata={"description": "Path of the OpenAPI document."})
    docs = fields.String(metadata={"description": "Path of the interactive documentation."})
    authentication = fields.String(metadata={"description": "How to authenticate."})
    collections = fields.List(fields.String(), metadata={"description": "Collection paths."})


@blp.route("/")
@blp.response(200, ApiRootOut)
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
