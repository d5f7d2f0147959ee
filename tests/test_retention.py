"""`flask prune`: growing tables lose only the rows older than their retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from inspections.accounts.models import LoginAttempt
from inspections.dbtypes import utcnow
from inspections.extensions import db
from inspections.uow import transactional
from inspections.visits.models import IdempotencyRecord
from tests.conftest import user


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@transactional
def _rows(days_ago: list[int]) -> None:
    uid = user("t_insp").id
    now = utcnow()
    for i, days in enumerate(days_ago):
        at = now - timedelta(days=days)
        db.session.add(LoginAttempt(username="t_insp", address="10.0.0.1", at=at, success=False))
        db.session.add(
            IdempotencyRecord(user_id=uid, key=f"k-{i}-{days}", fingerprint="f" * 64, created_at=at)
        )
    db.session.flush()


def test_prune_deletes_only_rows_past_retention(app, runner):
    before_login, before_idem = _count(LoginAttempt), _count(IdempotencyRecord)
    _rows([1, 59, 61, 89, 91, 400])
    app.config.update(IDEMPOTENCY_RETENTION_DAYS=60, LOGIN_ATTEMPT_RETENTION_DAYS=90)

    dry = runner.invoke(args=["prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "idempotency_record: 4 would be deleted" in dry.output
    assert "login_attempt: 2 would be deleted" in dry.output
    assert _count(IdempotencyRecord) == before_idem + 6

    result = runner.invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "idempotency_record: 4 deleted" in result.output
    assert "login_attempt: 2 deleted" in result.output
    assert _count(IdempotencyRecord) == before_idem + 2
    assert _count(LoginAttempt) == before_login + 4

    again = runner.invoke(args=["prune"])
    assert "idempotency_record: 0 deleted" in again.output


def test_prune_refuses_a_retention_too_short_for_offline_phones(app, runner):
    _rows([10])
    app.config.update(IDEMPOTENCY_RETENTION_DAYS="2")
    try:
        result = runner.invoke(args=["prune"])
    finally:
        app.config.update(IDEMPOTENCY_RETENTION_DAYS=60)
    assert result.exit_code == 1
    assert "idempotency_days" in result.output
    assert _count(IdempotencyRecord) >= 1  # nothing deleted
