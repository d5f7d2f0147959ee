"""The API's shared pieces: the Blueprint every room's api.py uses, and how it documents
what flask-smorest leaves vague.

flask-smorest documents the ``X-Pagination`` header as an object, but a header is a string:
generated API tests (schemathesis) rightly call every paged answer non-conforming. Here it is a
string holding a JSON object, as sent.
"""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy

PAGINATION_HEADER = {
    "description": "Pagination metadata, a JSON object: total, total_pages, first_page, "
    "last_page, page, previous_page, next_page.",
    "schema": {"type": "string"},
}


class _OneValueProxy(MultiDictProxy):
    """A one-value parameter sent several times reaches the schema as the list it is (and is
    refused), instead of being cut silently to its first value."""

    def __getitem__(self, key: str):
        if key not in self.multiple_keys and hasattr(self.data, "getlist"):
            values = self.data.getlist(key)
            if len(values) > 1:
                return values
        return super().__getitem__(key)


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser, strict about repeated one-value parameters."""

    def load_querystring(self, req, schema):
        return self._makeproxy(req.args, schema, cls=_OneValueProxy)

    def load_form(self, req, schema):
        return self._makeproxy(req.form, schema, cls=_OneValueProxy)


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint with the project's argument parser and paging documentation."""

    ARGUMENTS_PARSER = ArgumentsParser()

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = PAGINATION_HEADER
