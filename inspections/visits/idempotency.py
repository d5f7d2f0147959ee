"""Idempotency-Key for the JSON API: a retried request returns its first answer.

The phone generates a key (crypto.randomUUID) when an inspection is started and derives the
keys of later calls from it, so that a request retried after a timeout, a double tap, or a
queue replayed after a day offline (issue 8) creates nothing twice:

- the same key and the same request (method, path, canonical body) → the stored first answer,
  with ``Idempotent-Replayed: true``;
- the same key with a different request → 409;
- a request that failed (4xx/5xx) stores nothing: it rolled back, so it may be retried.

The key is claimed by inserting its row (in a savepoint) in the same unit of work as the
action, and the answer is stored in it: both commit together or not at all. A concurrent
duplicate waits on the unique index (PostgreSQL) or the write lock (SQLite), fails, and then
replays the winner's answer from a fresh transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import uow
from ..errors import Conflict, Invalid
from ..extensions import db
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
CLAIM_ATTEMPTS = 6
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{8,200}$")


def key_from_request() -> str | None:
    """The request's Idempotency-Key, checked for shape, or None."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise Invalid(
            _("The Idempotency-Key must be 8–200 letters, digits or . _ : -"), field=HEADER
        )
    return key


def fingerprint(extra: bytes | None = None) -> str:
    """What makes two requests "the same": method, path, canonical JSON body, file bytes."""
    body = request.get_json(silent=True) if request.is_json else None
    form = sorted(request.form.items(multi=True)) if request.form else None
    parts = [
        request.method,
        request.path,
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        json.dumps(form, ensure_ascii=False),
        hashlib.sha256(extra).hexdigest() if extra is not None else "",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _find(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )


def _replay(record: IdempotencyRecord, fp: str):
    if record.fingerprint != fp:
        raise Conflict(
            _("This Idempotency-Key was already used for a different request."), field=HEADER
        )
    if record.status_code is None:
        raise Conflict(_("The same request is still being processed; try again."), field=HEADER)
    resp = jsonify(record.response)
    resp.status_code = record.status_code
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


class _Taken(Exception):
    """Another request with the same key claimed it first."""


def _claim(user_id: int, key: str, fp: str) -> IdempotencyRecord:
    """Insert the key's row in a savepoint: a losing claim undoes only itself."""
    record = IdempotencyRecord(user_id=user_id, key=key, fingerprint=fp)
    try:
        with uow.unit():
            db.session.add(record)
    except (IntegrityError, OperationalError) as exc:
        raise _Taken from exc
    return record


def run(action: Callable[[], tuple[dict, int]], *, extra: bytes | None = None):
    """Run action (returning (body, status)) at most once per key, as one unit of work with
    the key's row; answer a Response."""
    key = key_from_request()
    if key is None:
        with uow.unit():
            body, status = action()
        return _response(body, status)
    user_id = current_user.id
    fp = fingerprint(extra)
    for attempt in range(CLAIM_ATTEMPTS):
        try:
            with uow.unit():
                found = _find(user_id, key)
                if found is not None:
                    return _replay(found, fp)
                record = _claim(user_id, key, fp)
                body, status = action()
                record.status_code, record.response = status, body
            return _response(body, status)
        except _Taken:
            # A concurrent request with the same key claimed it first (unique index), or
            # SQLite refused to turn this request's stale read into a write: the unit rolled
            # back, and the next attempt's fresh transaction sees the winner's answer.
            time.sleep(0.05 * (attempt + 1))
    raise Conflict(_("The same request is still being processed; try again."), field=HEADER)


def _response(body: dict, status: int):
    resp = jsonify(body)
    resp.status_code = status
    return resp
