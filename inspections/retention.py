"""Pruning the tables that only grow: idempotency records and login attempts.

Neither is history: an idempotency record only has to outlive the longest time a phone may
keep an inspection in its offline queue (a retry after that would be taken as new), and a login
attempt only has to outlive the rate-limit windows. The audit trail is never pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from marshmallow import Schema, fields, validate
from sqlalchemy import Column, Table, delete, func, select

from .accounts.models import LoginAttempt
from .extensions import db
from .uow import transactional
from .visits.models import IdempotencyRecord


@dataclass(frozen=True)
class Retention:
    """How many days each growing table keeps its rows."""

    idempotency_days: int
    login_attempt_days: int

    @classmethod
    def from_config(cls, config) -> Retention:
        """The retention settings of the app's configuration (ValidationError when invalid)."""
        data = _Settings().load(
            {
                "idempotency_days": config["IDEMPOTENCY_RETENTION_DAYS"],
                "login_attempt_days": config["LOGIN_ATTEMPT_RETENTION_DAYS"],
            }
        )
        return cls(**data)


class _Settings(Schema):
    # at least a week: a phone may stay offline for days with inspections in its queue
    idempotency_days = fields.Integer(required=True, validate=validate.Range(min=7, max=3650))
    login_attempt_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))


def _targets(retention: Retention, now: datetime) -> list[tuple[Table, Column, datetime]]:
    """(table, its time column, the cutoff) of every growing table."""
    # __table__ is typed as any FromClause; these models are declared on tables
    idempotency = cast(Table, IdempotencyRecord.__table__)
    attempts = cast(Table, LoginAttempt.__table__)
    return [
        (
            idempotency,
            idempotency.c.created_at,
            now - timedelta(days=retention.idempotency_days),
        ),
        (attempts, attempts.c.at, now - timedelta(days=retention.login_attempt_days)),
    ]


def count_prunable(retention: Retention, now: datetime) -> dict[str, int]:
    """How many rows of each table are older than their retention (what prune would delete)."""
    return {
        table.name: db.session.scalar(select(func.count()).where(column < cutoff)) or 0
        for table, column, cutoff in _targets(retention, now)
    }


@transactional
def prune(retention: Retention, now: datetime) -> dict[str, int]:
    """Delete the rows older than their retention; returns how many per table."""
    deleted = {}
    for table, column, cutoff in _targets(retention, now):
        result = db.session.execute(delete(table).where(column < cutoff))
        deleted[table.name] = getattr(result, "rowcount", 0) or 0
    return deleted
