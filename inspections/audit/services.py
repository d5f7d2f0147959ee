"""Writing the audit trail: automatically for audited models, explicitly for events.

Models opt in with ``__audited__ = True`` (and may list ``__audit_exclude__`` fields). Every
insert, update and delete of such a model is written at flush time, in the same transaction,
with its changed fields as {field: [old, new]}. Security events (a denied permission, a failed
login, a rejected token) are kept aside and written even when the request itself fails.

A summary the application writes is a message (``said("%(n)s token(s) revoked", n=2)``):
stored in English in ``summary`` (what SQL, backups and exports read) and as its message id and
arguments in ``summary_message``, which the pages show in the reader's language
(``summary_text``). Words people typed (a reason, a file name) are arguments, never translated.
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context, request
from flask_babel import gettext
from flask_login import current_user
from geoalchemy2.elements import _SpatialElement
from geoalchemy2.shape import to_shape
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from ..dbtypes import utcnow
from ..extensions import db
from .models import AuditEvent

DURABLE_ACTIONS = {"denied", "login_failed", "token_rejected"}
ALWAYS_EXCLUDED = {"search_text", "updated_at", "created_at"}
MASKED = {"password_hash", "token_hash", "secret"}


def _actor() -> tuple[int | None, str | None, str | None]:
    if has_request_context():
        address = request.remote_addr
        user = current_user
        if user and getattr(user, "is_authenticated", False):
            return user.id, user.username, address
        return None, g.get("attempted_username"), address
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return None, f"cli:{who}", None


def _plain(value):
    """A JSON-friendly form of a column value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, _SpatialElement):
        geom = to_shape(value)
        if geom.geom_type == "Point":
            return f"{geom.y:.6f}, {geom.x:.6f}"
        return f"{geom.geom_type} ({len(geom.wkt)} chars)"
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


@dataclass(frozen=True)
class Said:
    """A summary as a message: its English text is the message id of the catalogue."""

    msgid: str
    args: dict

    def english(self) -> str:
        return self.msgid % self.args if self.args else self.msgid

    def translated(self) -> str:
        """The message in the reader's language (the page's, a command's default)."""
        return gettext(self.msgid, **self.args)


def said(msgid: str, **args) -> Said:
    """A summary the trail shows in the reader's language (extracted for translation: the
    Makefile's `-k said`). Arguments are kept as plain values, long texts cut at 500."""
    plain = {k: _plain(v) for k, v in args.items()}
    return Said(msgid, {k: v[:500] if isinstance(v, str) else v for k, v in plain.items()})


def _shown(key: str, value):
    """An argument as the page shows it: codes and days in words (audit/labels.py)."""
    from .labels import change_value

    shown = change_value(None, key, value)
    return value if shown is None else shown


def summary_text(event) -> str | None:
    """The event's summary in the reader's language: its message translated (codes and days
    of its arguments in words), or the stored text (a summary written as plain words, or by an
    older version)."""
    message = event.summary_message
    if not isinstance(message, dict) or not isinstance(message.get("id"), str):
        return event.summary
    args = message.get("args") or {}
    if not isinstance(args, dict):
        return event.summary
    text = gettext(message["id"])
    if not args:
        return event.summary if "%(" in text else text
    try:
        return text % {k: _shown(k, v) for k, v in args.items()}
    except (KeyError, TypeError, ValueError):  # a catalogue entry that names other arguments
        return event.summary


def actor_name(username: str | None, full_names: dict[str, str] | None = None) -> str:
    """Who did it, as people say it: the account's full name when known, "System" for the
    application, "System (command line)" for a command."""
    if not username:
        return gettext("System")
    if username.startswith("cli:"):
        return gettext("System (command line)")
    return (full_names or {}).get(username) or username


def _row(action, object_type=None, object_id=None, summary=None, changes=None) -> dict:
    user_id, username, address = _actor()
    message = None
    if isinstance(summary, Said):
        message = {"id": summary.msgid, "args": summary.args}
        summary = summary.english()
    return {
        "at": utcnow(),
        "user_id": user_id,
        "username": username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "summary": (summary or "")[:500] or None,
        "summary_message": message,
        "changes": changes,
        "address": address,
    }


def object_type_of(obj) -> str:
    return getattr(obj, "__audit_name__", None) or obj.__tablename__


def record(
    action: str,
    obj=None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    summary: str | Said | None = None,
    changes: dict | None = None,
) -> None:
    """Write one explicit event (login, export, denial, submit...)."""
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or obj.id
    row = _row(action, object_type, object_id, summary, _plain(changes))
    if action in DURABLE_ACTIONS:
        keep(AuditEvent.__table__, row)
    else:
        db.session.execute(insert(AuditEvent).values(**row))


def keep(table, row: dict) -> None:
    """Insert a row that must be written even if the request fails and rolls back."""
    if has_request_context():
        g.setdefault("durable_rows", []).append((table, row))
    else:
        db.session.execute(insert(table).values(**row))


def flush_pending() -> None:
    """Write the rows kept aside during the request (after any rollback)."""
    if not has_request_context():
        return
    for table, row in g.pop("durable_rows", []):
        db.session.execute(insert(table).values(**row))


def _audited_fields(obj) -> list:
    exclude = ALWAYS_EXCLUDED | set(getattr(obj, "__audit_exclude__", ()))
    return [a for a in inspect(obj).mapper.column_attrs if a.key not in exclude]


def _changes_of(obj, new: bool) -> dict:
    state = inspect(obj)
    out = {}
    for attr in _audited_fields(obj):
        hist = state.attrs[attr.key].history
        if new:
            value = getattr(obj, attr.key)
            if value is not None and attr.key != "id":
                out[attr.key] = [None, "***" if attr.key in MASKED else _plain(value)]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            value = hist.added[0] if hist.added else None
            if _plain(old) == _plain(value):
                continue
            if attr.key in MASKED:
                out[attr.key] = ["***", "***"]
            else:
                out[attr.key] = [_plain(old), _plain(value)]
    return out


@contextmanager
def changes_from(source: str | Said | None):
    """Changes recorded automatically inside the block say where they come from
    ("Import of danh_sach.xlsx") in their summary."""
    info = db.session.info
    before = info.get("audit_source")
    info["audit_source"] = source
    try:
        yield
    finally:
        info["audit_source"] = before


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, _ctx) -> None:
    rows = []
    source = session.info.get("audit_source")
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            rows.append(
                _row(
                    "create",
                    object_type_of(obj),
                    obj.id,
                    summary=source,
                    changes=_changes_of(obj, new=True),
                )
            )
    for obj in session.dirty:
        if not getattr(obj, "__audited__", False) or not session.is_modified(obj):
            continue
        changes = _changes_of(obj, new=False)
        if changes:
            action = "status" if "status" in changes else "update"
            rows.append(_row(action, object_type_of(obj), obj.id, summary=source, changes=changes))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            rows.append(_row("delete", object_type_of(obj), obj.id))
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def history(object_type: str, object_id: int, limit: int = 200) -> list[AuditEvent]:
    """The events of one object, newest first (for the object's own page)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
