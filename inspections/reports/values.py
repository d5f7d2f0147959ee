"""Reported indicators: the figures a unit enters for a window, their evidence files, and
their sums over an area (a unit's own figure; the province: the sum of its units').

Rules (each refused with a clear message, nothing written): the indicator is a reported one
of the window's plan and is entered by units of the area's level; figures are whole numbers,
not negative, and a share's numerator does not exceed its denominator; a window that is not
over may be drafted (it cannot be sent yet); a sent report's figures are frozen until the unit
opens a correction (sending.reopen).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import storage
from ..accounts.services import Scope
from ..areas.models import Area
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..i18n import fmt_number
from ..uow import transactional
from ..visits import files
from . import access, evidence, figures, indicators
from .models import Indicator, ReportValue, SentReport, ValueFile
from .windows import Window

NOTE_MAX = 2000
MAX_FILES = 10
# The largest figure an INTEGER column holds on both databases, rounded down.
MAX_FIGURE = 2_000_000_000


@dataclass
class Summed:
    """The figures of one indicator over an area."""

    numerator: int | None = None
    denominator: int | None = None
    units: int = 0
    note: str | None = None
    files: list[dict] = field(default_factory=list)


def sums(window_key: str, area: Area, reported: list[Indicator]) -> dict[str, Summed]:
    """Per indicator code: the sum over the units inside the area that report it (the
    area's own figure, note and files when it is such a unit), one aggregate per level."""
    out: dict[str, Summed] = {}
    by_level: dict[str, list[str]] = {}
    for ind in reported:
        by_level.setdefault(ind.level, []).append(ind.code)
    for level, codes in by_level.items():
        rows = db.session.execute(
            select(
                Indicator.code,
                func.count(ReportValue.id).label("units"),
                func.sum(ReportValue.numerator).label("num"),
                func.sum(ReportValue.denominator).label("den"),
            )
            .join(Indicator, Indicator.id == ReportValue.indicator_id)
            .where(
                ReportValue.window == window_key,
                Indicator.code.in_(codes),
                Indicator.level == level,
                ReportValue.area_id.in_(figures.areas_within(area, level)),
            )
            .group_by(Indicator.code)
        )
        for row in rows:
            out[row.code] = Summed(
                None if row.num is None else int(row.num),
                None if row.den is None else int(row.den),
                int(row.units),
            )
    for value in own_values(window_key, area):
        summed = out.setdefault(value.indicator.code, Summed())
        summed.note = value.note
        summed.files = [
            {
                "id": f.id,
                "name": f.file_name,
                "sha256": f.sha256,
                "key": f.stored_name,
                "content_type": f.content_type,
                "size": f.size_bytes,
            }
            for f in value.files
        ]
    return out


def own_values(window_key: str, area: Area) -> list[ReportValue]:
    """The values the unit itself entered for the window."""
    return list(
        db.session.scalars(
            select(ReportValue)
            .where(ReportValue.window == window_key, ReportValue.area_id == area.id)
            .order_by(ReportValue.id)
        )
    )


def form_rows(plan, window_key: str, area: Area) -> list[tuple[Indicator, ReportValue | None]]:
    """The reported indicators a unit enters for the window, each with its value."""
    values = {v.indicator_id: v for v in own_values(window_key, area)}
    return [
        (ind, values.get(ind.id))
        for ind in indicators.of_plan(plan)
        if ind.kind == "reported" and ind.level == area.level
    ]


def latest_sent(window_key: str, area_id: int) -> SentReport | None:
    """The last version sent of a window's report of an area."""
    return db.session.scalar(
        select(SentReport)
        .where(SentReport.window == window_key, SentReport.area_id == area_id)
        .order_by(SentReport.version.desc())
        .limit(1)
    )


def check_unlocked(window_key: str, area: Area) -> None:
    """Refuse (409) changing the figures of a sent report that no correction reopened."""
    sent = latest_sent(window_key, area.id)
    if sent is not None and sent.reopened_at is None:
        raise Conflict(
            _(
                "The report of %(unit)s for this window was sent (version %(v)s) and is "
                "frozen. To correct it, open a supplementary report first.",
                unit=area.name,
                v=sent.version,
            ),
            field="window",
        )


def _reported(plan, code: str, area: Area) -> Indicator:
    ind = next((i for i in indicators.of_plan(plan) if i.code == code), None)
    if ind is None:
        raise Invalid(
            _("The plan %(p)s has no indicator %(c)s.", p=plan.number, c=code[:40]),
            field="indicator",
        )
    if ind.kind != "reported":
        raise Invalid(
            _("%(c)s is computed from the data; it cannot be entered.", c=code),
            field="indicator",
        )
    if ind.level != area.level:
        raise Invalid(
            _(
                "%(c)s is reported by %(who)s, not by %(unit)s.",
                c=code,
                who=_level_words(ind.level),
                unit=area.name,
            ),
            field="indicator",
        )
    return ind


def _level_words(level: str) -> str:
    from .labels import level_label

    return level_label(level)


def check_entry(ind: Indicator, numerator: int | None, denominator: int | None) -> None:
    """Refuse figures that cannot be right: negative, a share above 100 %, half a figure."""
    for name, value in (("numerator", numerator), ("denominator", denominator)):
        if value is not None and value < 0:
            raise Invalid(
                _("%(c)s: a figure cannot be negative.", c=ind.code), field=f"{ind.code}.{name}"
            )
        if value is not None and value > MAX_FIGURE:
            most = fmt_number(MAX_FIGURE)
            raise Invalid(
                _("%(c)s: a figure cannot exceed %(n)s.", c=ind.code, n=most),
                field=f"{ind.code}.{name}",
            )
    needs_denominator = ind.compare != "count"
    if needs_denominator and (numerator is None) != (denominator is None):
        raise Invalid(
            _("%(c)s: give both the numerator and the denominator.", c=ind.code),
            field=f"{ind.code}.denominator",
        )
    if (
        ind.compare == "share"
        and numerator is not None
        and denominator is not None
        and numerator > denominator
    ):
        raise Invalid(
            _(
                "%(c)s: the numerator (%(n)s) exceeds the denominator (%(d)s).",
                c=ind.code,
                n=numerator,
                d=denominator,
            ),
            field=f"{ind.code}.numerator",
        )


@transactional
def save_values(
    user, scope: Scope, plan, w: Window, area: Area, entries: list[dict]
) -> list[ReportValue]:
    """Write a unit's figures for a window (every entry checked before anything is written);
    an entry without figures, note or files removes the value."""
    access.check_unit_writer(user.role, scope, area)
    check_unlocked(w.key, area)
    checked = []
    for entry in entries:
        ind = _reported(plan, entry["indicator"], area)
        num, den = entry.get("numerator"), entry.get("denominator")
        check_entry(ind, num, den)
        note = (entry.get("note") or "").strip() or None
        if note and len(note) > NOTE_MAX:
            raise Invalid(
                _("%(c)s: the note is longer than %(n)s characters.", c=ind.code, n=NOTE_MAX),
                field=f"{ind.code}.note",
            )
        checked.append((ind, num, den, note))
    existing = {v.indicator_id: v for v in own_values(w.key, area)}
    for ind, num, den, note in checked:
        value = existing.get(ind.id)
        if num is None and den is None and note is None:
            if value is not None and not value.files:
                db.session.delete(value)
            elif value is not None:
                value.numerator = value.denominator = value.note = None
            continue
        if value is None:
            value = ReportValue(indicator_id=ind.id, window=w.key, area_id=area.id)
            db.session.add(value)
            existing[ind.id] = value
        value.numerator, value.denominator, value.note = num, den, note
        value.updated_by_id = user.id
    db.session.flush()
    return own_values(w.key, area)


@transactional
def add_file(
    user, scope: Scope, plan, w: Window, area: Area, code: str, data: bytes, name: str
) -> ValueFile:
    """Keep an evidence file (PDF, JPEG or PNG, under the size cap) of a unit's figure."""
    access.check_unit_writer(user.role, scope, area)
    check_unlocked(w.key, area)
    ind = _reported(plan, code, area)
    files.check_size(len(data))
    content_type, ext = evidence.sniff(data)
    value = db.session.scalar(
        select(ReportValue).where(
            ReportValue.indicator_id == ind.id,
            ReportValue.window == w.key,
            ReportValue.area_id == area.id,
        )
    )
    if value is None:
        value = ReportValue(indicator_id=ind.id, window=w.key, area_id=area.id)
        value.updated_by_id = user.id
        db.session.add(value)
        db.session.flush()
    if len(value.files) >= MAX_FILES:
        raise Invalid(_("At most %(n)s files per figure.", n=MAX_FILES), field="file")
    digest, key = storage.save(data, ext, owner_id=value.id, folder="reports/evidence")
    row = ValueFile(
        value_id=value.id,
        file_name=evidence.clean_name(name, ext),
        sha256=digest,
        content_type=content_type,
        size_bytes=len(data),
        stored_name=key,
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


@transactional
def remove_file(user, scope: Scope, w: Window, area: Area, file_id: int) -> None:
    """Remove an evidence file from a unit's figure (a sent report keeps its own copy)."""
    access.check_unit_writer(user.role, scope, area)
    check_unlocked(w.key, area)
    row = unit_file(w, area, file_id)
    db.session.delete(row)
    db.session.flush()


def unit_file(w: Window, area: Area, file_id: int) -> ValueFile:
    """An evidence file of the unit's figures for the window, or NotFound."""
    row = db.session.get(ValueFile, file_id)
    if row is None or row.value.window != w.key or row.value.area_id != area.id:
        raise NotFound(_("No such file."))
    return row


def entered_on(window_key: str, area_ids: list[int]) -> dict[int, int]:
    """How many values each of these units entered for the window."""
    if not area_ids:
        return {}
    rows = db.session.execute(
        select(ReportValue.area_id, func.count().label("n"))
        .where(ReportValue.window == window_key, ReportValue.area_id.in_(area_ids))
        .group_by(ReportValue.area_id)
    )
    return {r.area_id: int(r.n) for r in rows}
