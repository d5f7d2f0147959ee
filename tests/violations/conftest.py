"""The inspection fixtures (a team, a venue, an API caller) are shared with these tests."""

from tests.visits.conftest import api, make_doc, team, venue  # noqa: F401
