"""The project's exceptions and the handlers that turn them into JSON or HTML answers."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import uow

log = logging.getLogger(__name__)


class InspectionsError(Exception):
    """Root of the project's own errors; services raise these, views turn them into answers."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def messages(self) -> dict:
        """Field -> messages, in the shape marshmallow uses."""
        if isinstance(self.details, dict):
            return self.details
        return {self.field or "_schema": [self.message]}


class NotFound(InspectionsError):
    """The object does not exist, or the user may not know that it does."""

    status = 404


class OutsideScope(NotFound):
    """The object exists but lies outside the user's area: answered exactly like NotFound (the
    user may not know it exists), and recorded in the audit trail as a refusal."""

    def __init__(self, message: str, *, object_type: str, object_id: int | None):
        super().__init__(message)
        self.object_type, self.object_id = object_type, object_id


class Invalid(InspectionsError):
    """Input that breaks a rule of the domain (after the schema accepted its shape)."""

    status = 422


class Conflict(InspectionsError):
    """The request contradicts the current state (duplicate, stale, locked)."""

    status = 409


class Forbidden(InspectionsError):
    """The user is known but may not do this."""

    status = 403


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors; browsers get pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _answer(status: int, message: str, errors: dict | None = None, headers=None):
    if wants_json():
        body = {"code": status, "status": _status_name(status), "message": message}
        if errors:
            body["errors"] = errors
        resp = jsonify(body)
    else:
        try:
            resp = make_response(
                render_template(
                    "errors/error.html", status=status, message=message, errors=errors or {}
                )
            )
        except Exception as exc:  # the error page itself failed: say it plainly, never a trace
            if database_unavailable(exc):  # the page reads the account: the outage again
                log.warning("error page without the database: %s", type(exc).__name__)
            else:
                log.exception("error page failed")
            resp = make_response(f"{status} {message}")
            resp.mimetype = "text/plain"
    resp.status_code = status
    if headers:
        for key, value in headers:
            resp.headers[key] = value
    return resp


def _status_name(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _http_message(exc: HTTPException) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You do not have permission to do this."),
        404: _("This page or object does not exist, or is outside your area."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The file or request is too large."),
        415: _("This type of content is not accepted."),
        422: _("Some of the data is not valid."),
        429: _("Too many attempts. Please wait and try again."),
    }
    return messages.get(exc.code or 500, _("Something went wrong on our side."))


def register_error_handlers(app: Flask) -> None:
    """One place that answers every error, JSON for the API and pages for people."""

    @app.errorhandler(InspectionsError)
    def _domain(exc: InspectionsError):
        if isinstance(exc, OutsideScope):
            from .audit.services import record, said

            record(
                "denied",
                object_type=exc.object_type,
                object_id=exc.object_id,
                summary=said(
                    "%(method)s %(path)s: outside the account's area",
                    method=request.method,
                    path=request.path,
                ),
            )
        return _answer(exc.status, exc.message, exc.messages())

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return _answer(422, _("Some of the data is not valid."), messages)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        errors = None
        data = getattr(exc, "data", None)  # webargs puts field messages here
        if isinstance(data, dict) and "messages" in data:
            errors = data["messages"]
            # webargs nests by location (json/query/form); flatten a single location
            if isinstance(errors, dict) and len(errors) == 1:
                (only,) = errors.values()
                if isinstance(only, dict):
                    errors = only
        message = exc.description if exc.description and _is_custom(exc) else _http_message(exc)
        return _answer(exc.code or 500, message, errors, headers=_auth_headers(exc))

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _data(exc: DataError | OverflowError):
        # A value the database cannot hold (out of range, malformed; SQLite's driver raises
        # OverflowError for integers beyond 64 bits) that no schema caught: the input is bad,
        # not the server. Logged, so the missing check gets written.
        log.warning("database refused a value on %s %s: %s", request.method, request.path, exc)
        uow.discard()
        return _answer(422, _("A value is out of the range the system accepts."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(exc: OperationalError | InterfaceError):
        if not database_unavailable(exc):
            return _unexpected(exc)  # SQLite's "no such table": a bug, not an outage
        # The database cannot be reached (stopped, restarting, connection cut) or is too busy
        # (SQLite's lock wait ran out): nothing was saved, and trying again later works. The
        # pool checks each connection before use (pool_pre_ping), so no restart is needed.
        log.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        try:
            uow.discard()
        except Exception:  # the connection is gone: nothing to roll back
            log.debug("rollback after a lost connection failed", exc_info=True)
        return _answer(
            503,
            _(
                "The database cannot be reached right now; nothing was saved. "
                "Please try again in a minute."
            ),
            headers=[("Retry-After", "30")],
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http(exc)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        uow.discard()  # the error page must not meet a half-failed transaction
        return _answer(500, _http_message(InternalServerError()))


# SQLite says "OperationalError" both for a file it cannot use now and for a bad statement.
_SQLITE_UNAVAILABLE = (
    "unable to open database file",
    "database is locked",
    "disk i/o error",
    "database or disk is full",
)


def database_unavailable(exc: Exception) -> bool:
    """Whether a database error means "cannot be reached / used now" (503, try again) rather
    than a bug: a lost or refused connection, PostgreSQL shutting down or cancelling, SQLite
    unable to open or lock its file."""
    if isinstance(exc, InterfaceError) or getattr(exc, "connection_invalidated", False):
        return True
    if not isinstance(exc, OperationalError):
        return False
    orig = getattr(exc, "orig", None)
    if type(orig).__module__.split(".")[0] in ("sqlite3", "pysqlite3"):
        return any(m in str(orig).lower() for m in _SQLITE_UNAVAILABLE)
    return True  # psycopg: connection failures, admin shutdown, cancels, serialization


def _is_custom(exc: HTTPException) -> bool:
    """True when code raised abort(code, description) with its own words."""
    return bool(exc.description) and exc.description != type(exc).description


def _auth_headers(exc: HTTPException):
    valid = getattr(exc, "valid_methods", None)
    if exc.code == 405 and valid:  # RFC 9110: a 405 says which methods the resource allows
        return [("Allow", ", ".join(valid))]
    if exc.code == 401 and request.path.startswith("/api/"):
        return [("WWW-Authenticate", 'Bearer realm="inspections"')]
    retry = getattr(exc, "retry_after", None)
    if exc.code == 429 and retry:
        return [("Retry-After", str(int(retry)))]
    return None
