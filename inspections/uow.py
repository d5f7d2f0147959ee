"""The unit of work: the one module where transactions commit and roll back.

Every write runs inside ``unit()`` (services are decorated with ``@transactional``). The
outermost unit commits when its block succeeds and rolls back when it raises; a unit inside
another is a savepoint, so a caller that catches a failed inner call keeps its own work and
none of the failed call's. Whatever a view does after catching a service error (redirect,
re-render, 422), the failed call has left nothing behind: views never commit or roll back.

The request boundary (``end_request``) keeps writes made outside any unit only when the answer
is a success, and always writes the security events kept aside during the request (a denial,
a failed login), so they survive the request's own failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from .extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "uow_depth"
log = logging.getLogger(__name__)


def _session() -> Session:
    return db.session()


def depth() -> int:
    """How many units are open around the caller (0: none)."""
    return _session().info.get(_DEPTH, 0)


@contextmanager
def unit() -> Iterator[Session]:
    """Run the block as one unit of work: commit on success, roll back on any exception."""
    session = _session()
    level = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = level + 1
    try:
        if level:
            with session.begin_nested():
                yield session
        else:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.info[_DEPTH] = level


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service function so each call is one unit of work."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit():
            return fn(*args, **kwargs)

    return wrapper


class _Trial(Exception):
    """Raised at the end of a trial block to undo it."""


@contextmanager
def trial(keep: Callable[[], bool] = lambda: False) -> Iterator[Session]:
    """Run the block in a savepoint undone at the end unless keep() says otherwise (dry runs)."""
    session = _session()
    level = session.info.get(_DEPTH, 0)
    savepoint = session.begin_nested()
    session.info[_DEPTH] = level + 1  # units inside are savepoints: they cannot commit it
    try:
        yield session
    except BaseException:
        savepoint.rollback()
        raise
    else:
        if keep():
            savepoint.commit()
        else:
            savepoint.rollback()
    finally:
        session.info[_DEPTH] = level


def discard() -> None:
    """Abandon whatever the current transaction holds (an unexpected error, a failed check)."""
    session = _session()
    session.rollback()
    session.info[_DEPTH] = 0


def end_request(status_code: int, durable: Callable[[], None]) -> None:
    """The request boundary: keep loose writes only on success, then the durable events.
    With the database unreachable the answer (a 503) still goes out; the events it could not
    write are logged instead."""
    session = _session()
    try:
        if status_code >= 400:
            session.rollback()
        durable()
        session.commit()
    except (OperationalError, InterfaceError):
        log.exception("database unreachable at the end of the request: events not written")
        with suppress(Exception):
            session.rollback()
        if status_code < 400:
            raise
    except BaseException:
        session.rollback()
        raise
