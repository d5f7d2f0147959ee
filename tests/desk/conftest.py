"""The violation fixtures are shared with these tests."""

from tests.violations.conftest import record_violation  # noqa: F401
from tests.visits.conftest import api, make_doc, team, venue  # noqa: F401
