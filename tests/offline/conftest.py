"""The inspection fixtures (team of 593, venue, complete document, API caller) are shared."""

from tests.visits.conftest import api, make_doc, team, venue  # noqa: F401
