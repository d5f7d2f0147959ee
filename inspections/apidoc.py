"""The API's shared pieces: the Blueprint every room's api.py uses, and how it documents
what flask-smorest leaves vague.

flask-smorest documents the ``X-Pagination`` header as an object, but a header is a string:
generated API tests (schemathesis) rightly call every paged answer non-conforming. Here it is a
string holding a JSON object, as sent.
"""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint

PAGINATION_HEADER = {
    "description": "Pagination metadata, a JSON object: total, total_pages, first_page, "
    "last_page, page, previous_page, next_page.",
    "schema": {"type": "string"},
}


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint with the project's documentation of paging."""

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = PAGINATION_HEADER
