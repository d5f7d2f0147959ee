"""Payloads of the reports API and pages: the one definition of each answer and input."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .models import INDICATOR_LEVELS
from .schedule import STATUSES

AREA = fields.String(
    validate=validate.Length(min=1, max=16),
    metadata={"description": "GSO code of the province or of one unit (default: the account's)"},
)
FORMATS = ("json", "xlsx", "pdf")


class FormatQuery(Schema):
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "json (default), or xlsx / pdf to download the documents"},
    )


class ReportQuery(FormatQuery):
    area = AREA


class FileOut(Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String()
    sha256 = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    url = fields.String(allow_none=True)


class IndicatorOut(Schema):
    code = fields.String()
    text = fields.String()
    target_no = fields.Integer(allow_none=True, metadata={"description": "the plan's target"})
    kind = fields.String(metadata={"description": "computed (from the data) or reported"})
    compare = fields.String(
        metadata={"description": "share (≥ target), growth (change on a year before), count"}
    )
    level = fields.String(metadata={"description": "who enters a reported figure"})
    target_pct = fields.Float(allow_none=True)
    target_text = fields.String(allow_none=True)
    numerator = fields.Integer(allow_none=True)
    denominator = fields.Integer(allow_none=True)
    value_pct = fields.Float(allow_none=True)
    met = fields.Boolean(allow_none=True, metadata={"description": "null: no target or figure"})
    previous_numerator = fields.Integer(allow_none=True)
    previous_denominator = fields.Integer(allow_none=True)
    previous_value_pct = fields.Float(allow_none=True)
    change = fields.Float(
        allow_none=True,
        metadata={"description": "on the same window a year earlier: points, or the count"},
    )
    units_reported = fields.Integer(allow_none=True)
    units_expected = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    files = fields.List(fields.Nested(FileOut))
    link = fields.String(allow_none=True, metadata={"description": "the list behind it"})


class ColumnOut(Schema):
    key = fields.String()
    label = fields.String()
    kind = fields.String(metadata={"description": "text, int, pct, vnd, date"})


class TableOut(Schema):
    key = fields.String(
        metadata={
            "description": "venues, inspections, teams, violations, fines, closures, repeat, tips"
        }
    )
    title = fields.String()
    columns = fields.List(fields.Nested(ColumnOut))
    rows = fields.List(
        fields.Dict(),
        metadata={"description": "values by column key; links: the list behind each cell"},
    )
    totals = fields.Dict(allow_none=True)
    total_rows = fields.Integer(allow_none=True, metadata={"description": "when cut short"})


class AreaRefOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class ReportPlanOut(Schema):
    number = fields.String()
    year = fields.Integer()
    issuer = fields.String()
    standing_agency = fields.String(allow_none=True)


class SentInfoOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    supplementary = fields.Boolean()
    number = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime()
    sent_by = fields.String(allow_none=True)


class ReportOut(Schema):
    id = fields.Integer(
        allow_none=True, metadata={"description": "the sent report's id (null: computed now)"}
    )
    window = fields.String()
    title = fields.String()
    start = fields.Date()
    end = fields.Date()
    due_on = fields.Date()
    area = fields.Nested(AreaRefOut)
    plan = fields.Nested(ReportPlanOut)
    indicators = fields.List(fields.Nested(IndicatorOut))
    tables = fields.List(fields.Nested(TableOut), metadata={"description": "the annexes, in order"})
    previous_window = fields.String(allow_none=True)
    computed_at = fields.AwareDateTime()
    sent = fields.Nested(SentInfoOut, allow_none=True)


class CalendarQuery(Schema):
    plan = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={"description": "plan number, e.g. 1227/KH-UBND (default: this year's plan)"},
    )


class UnitStatusOut(Schema):
    area = fields.String(attribute="area.code")
    name = fields.String(attribute="area.name")
    level = fields.String(attribute="area.level")
    status = fields.String(validate=validate.OneOf(STATUSES))
    values = fields.Integer(metadata={"description": "figures entered for the window"})
    version = fields.Integer(allow_none=True)
    sent_id = fields.Integer(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    sent_by = fields.String(allow_none=True)
    sent_late = fields.Boolean()
    reopened = fields.Boolean(metadata={"description": "a correction is open"})


class WindowStatusOut(Schema):
    window = fields.String(attribute="window.key")
    start = fields.Date(attribute="window.start")
    end = fields.Date(attribute="window.end")
    due_on = fields.Date(attribute="window.due_on")
    units = fields.List(fields.Nested(UnitStatusOut))


class LateOut(Schema):
    window = fields.String()
    due_on = fields.Date()
    area = fields.String()
    name = fields.String()


class CalendarOut(Schema):
    plan = fields.Nested(ReportPlanOut)
    windows = fields.List(fields.Nested(WindowStatusOut))
    late = fields.List(fields.Nested(LateOut))


class ValueIn(Schema):
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=40))
    numerator = fields.Integer(load_default=None, allow_none=True, strict=True)
    denominator = fields.Integer(load_default=None, allow_none=True, strict=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ValuesIn(Schema):
    area = fields.String(required=True, validate=validate.Length(min=1, max=16))
    values = fields.List(
        fields.Nested(ValueIn), required=True, validate=validate.Length(min=1, max=100)
    )


class ValueOut(Schema):
    indicator = fields.String(attribute="indicator.code")
    level = fields.String(attribute="indicator.level", validate=validate.OneOf(INDICATOR_LEVELS))
    numerator = fields.Integer(allow_none=True)
    denominator = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    files = fields.List(fields.Nested(FileOut))
    updated_at = fields.AwareDateTime()


class ValuesOut(Schema):
    window = fields.String()
    area = fields.String()
    frozen = fields.Boolean(metadata={"description": "sent and not reopened: no change"})
    values = fields.List(fields.Nested(ValueOut))


class SendIn(Schema):
    area = fields.String(required=True, validate=validate.Length(min=1, max=16))
    number = fields.String(
        load_default=None,
        validate=validate.Length(max=60),
        metadata={"description": "the document's number and symbol, e.g. 15/BC-SYT"},
    )


class AreaIn(Schema):
    area = fields.String(required=True, validate=validate.Length(min=1, max=16))
