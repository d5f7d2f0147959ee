"""Generated API testing (schemathesis): every operation of the OpenAPI document, signed in,
with valid and invalid data. No answer is a 5xx, and every answer matches its own schema."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from inspections.extensions import db
from tests.conftest import user

# a few hundred cases over all operations in `make test`; bench/fuzz_api.py runs thousands
EXAMPLES = int(os.environ.get("INSPECTIONS_FUZZ_EXAMPLES", "6"))
# Data that fits the schema may still break a rule of the domain (a point outside the
# province, a venue closed before the inspection day): a 422 for it is right, not a failure.
EXCLUDED = [positive_data_acceptance]


def run_operation(operation, app, headers, examples: int) -> list[str]:
    """Run one operation's generated cases; the failures as text."""
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case):
        case.call_and_validate(app=app, headers=headers, excluded_checks=EXCLUDED)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports them all
        failures.append(f"{operation.label}: {exc}"[:1500])
    return failures


def test_every_operation_answers_without_5xx_and_matches_its_schema(app):
    from inspections.accounts.services import create_token

    clear = create_token(user("t_admin"), name="fuzz")
    db.session.flush()
    # identity: the WSGI transport hands schemathesis the bytes as sent, undecoded
    headers = {"Authorization": f"Bearer {clear}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        failures += run_operation(result.ok(), app, headers, EXAMPLES)
    assert not failures, "\n\n".join(failures[:20])
