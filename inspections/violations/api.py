"""The legal catalogue as JSON: what the phone offers when recording a violation."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..accounts.permissions import P, requires
from . import services
from .schemas import CatalogueQuery, LegalViolationOut

blp = Blueprint(
    "violation_types_api",
    __name__,
    url_prefix="/api/v1/violation-types",
    description="The legal catalogue: decree, article, clause, point, fine ranges, validity",
)


@blp.route("")
@blp.arguments(CatalogueQuery, location="query")
@blp.response(200, LegalViolationOut(many=True))
@requires(P.VIOLATIONS_READ)
def list_violation_types(args):
    """Catalogue entries, optionally only those in force on a day for a sector."""
    return services.catalogue(args.get("on"), args.get("sector"))
