"""The audit trail browser for administrators."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from .. import clock
from ..accounts.permissions import P, requires
from ..extensions import db
from .models import ACTIONS, AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


class AuditFilter(Schema):
    user = fields.String(validate=validate.Length(max=80))
    action = fields.String(validate=validate.OneOf(ACTIONS))
    object_type = fields.String(validate=validate.Length(max=40))
    object_id = fields.Integer(validate=validate.Range(min=1))
    since = fields.Date()
    until = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


@bp.get("")
@requires(P.AUDIT_READ)
def index():
    raw = {k: v for k, v in request.args.items() if v.strip()}
    try:
        args = AuditFilter().load(raw)
        errors = {}
    except ValidationError as exc:
        args, errors = {"page": 1}, exc.messages
    q = select(AuditEvent)
    if args.get("user"):
        q = q.where(AuditEvent.username == args["user"].lower())
    if args.get("action"):
        q = q.where(AuditEvent.action == args["action"])
    if args.get("object_type"):
        q = q.where(AuditEvent.object_type == args["object_type"])
    if args.get("object_id"):
        q = q.where(AuditEvent.object_id == args["object_id"])
    tz = clock.tz()  # days as the users count them
    if args.get("since"):
        q = q.where(AuditEvent.at >= datetime.combine(args["since"], time.min, tz))
    if args.get("until"):
        q = q.where(
            AuditEvent.at < datetime.combine(args["until"] + timedelta(days=1), time.min, tz)
        )
    page = db.paginate(
        q.order_by(AuditEvent.id.desc()), page=args["page"], per_page=50, error_out=False
    )
    return render_template(
        "audit/index.html", page=page, args=raw, errors=errors, actions=ACTIONS
    ), (422 if errors else 200)
