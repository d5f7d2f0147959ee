"""Writing an import: the planned rows go to ``services.write_batch``, which creates and
changes them by the rules ``create_venue`` and ``update_venue`` apply for the form and the
API, then assigns the district and commune of every new location for the whole batch. Rows
that fall outside the province or the user's area are rejected and the write pass is redone
without them, so good rows are never lost because of bad ones. A dry run writes inside
``uow.trial()``, which undoes it; the whole import is one unit of work, so a failure midway
writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ... import uow
from ...accounts.services import Scope
from ...audit.services import record, said
from .. import services
from .columns import ERROR_COLUMN, is_error_column, map_columns
from .files import FileRejected, Table
from .matching import decide, match, reject_in_file_duplicates
from .rows import Planned, RowResult, plan_rows


@dataclass
class ImportReport:
    """The outcome of an import, or of its dry run."""

    filename: str
    kind: str
    encoding: str | None
    dry_run: bool
    columns: dict[str, str]  # header -> field
    ignored: list[str]
    results: list[RowResult] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.results if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.results if r.action == "reject"]

    def said(self):
        """The import's audit summary (translated where it is shown)."""
        return said(
            "%(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(rejected)s rejected",
            file=self.filename,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=len(self.rejected),
        )

    def summary(self) -> str:
        return self.said().english()

    def to_dict(self) -> dict:
        return {
            "filename": self.filename,
            "kind": self.kind,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "columns": self.columns,
            "ignored": self.ignored,
            "results": [r.__dict__ for r in self.results],
        }

    @classmethod
    def from_dict(cls, d: dict) -> ImportReport:
        results = [RowResult(**r) for r in d.pop("results")]
        return cls(**d, results=results)


def _write(plans: list[Planned], scope: Scope, user, source: str) -> None:
    """Create and update through the services; raises services.OutsideAreas naming (by
    position) the plans whose location is out of bounds."""
    rows = [
        services.BatchRow(p.data if p.venue is None else _changes(p), p.venue, p.licence)
        for p in plans
    ]
    services.write_batch(
        rows, scope=scope, user=user, reason=said("Import of %(file)s", file=source)
    )
    for p, row in zip(plans, rows, strict=True):
        assert row.venue is not None  # write_batch sets the venue of every new row
        p.result.venue_id = row.venue.id


def _changes(p: Planned) -> dict:
    """What an update row gives the services: the fields it changes; a row changing a part
    of the address gives its own address, else all the parts to compose it from."""
    data = {k: v for k, v in p.changes.items() if k != "location"}
    if "location" in p.changes:
        data["latitude"], data["longitude"] = p.changes["location"]
    if any(k in data for k in services.ADDRESS_PARTS) and "address" not in data:
        if p.data.get("address"):
            data["address"] = p.data["address"]
        else:
            data.update({k: data.get(k, getattr(p.venue, k)) for k in services.ADDRESS_PARTS})
    return data


@uow.transactional
def run_import(
    table: Table, *, scope: Scope, user=None, dry_run: bool, source: str | None = None
) -> ImportReport:
    """Import (or, with dry_run, only try) every row of a table; see the module docstring."""
    mapping, ignored = map_columns(table.headers)
    report = ImportReport(
        filename=table.filename,
        kind=table.kind,
        encoding=table.encoding,
        dry_run=dry_run,
        columns={table.headers[i]: f for i, f in mapping.items()},
        ignored=ignored,
    )
    if "name" not in mapping.values():
        raise FileRejected(_("The file has no venue name column."), field="file")
    source = source or table.filename
    planned, rejected = plan_rows(table, mapping)
    planned, dup_rejected = reject_in_file_duplicates(planned)
    rejected += dup_rejected
    match(planned, scope)
    decide([p for p in planned if p.result.action != "reject"], source)
    rejected += [p.result for p in planned if p.result.action == "reject"]
    planned = [p for p in planned if p.result.action != "reject"]
    writing = [p for p in planned if p.result.action in ("create", "update")]
    while True:
        try:
            with uow.trial(keep=lambda: not dry_run):
                _write(writing, scope, user, source)
        except services.OutsideAreas as exc:
            # rows whose location fell outside: reject them and write the others again
            for i, why in exc.rows.items():
                writing[i].result.action, writing[i].result.reason = "reject", why
                rejected.append(writing[i].result)
            writing = [p for p in writing if p.result.action != "reject"]
            planned = [p for p in planned if p.result.action != "reject"]
            for p in planned:
                if p.venue is None:
                    p.result.venue_id = None
            continue
        break
    if dry_run:
        for p in planned:
            if p.result.action == "create":
                p.result.venue_id = None
    report.results = sorted([p.result for p in planned] + rejected, key=lambda r: r.row)
    if not dry_run:
        record("import", object_type="venue", summary=report.said())
    return report


# ---------------------------------------------------------------- rejected rows file


def rejected_rows(table: Table, report: ImportReport) -> tuple[list[str], list[list]]:
    """The header and the rejected rows as they were, with the reason in an error column."""
    reasons = {r.row: r.reason for r in report.rejected}
    headers = list(table.headers)
    # sheets often declare empty columns past the last one used: leave those out
    while (
        headers
        and not headers[-1]
        and all(len(r) < len(headers) or r[len(headers) - 1] in (None, "") for r in table.rows)
    ):
        headers.pop()
    keep = [i for i, h in enumerate(headers) if not is_error_column(h)]
    out = []
    for number, row in zip(table.numbers, table.rows, strict=True):
        if number in reasons:
            out.append(
                [row[i] if i < len(row) else None for i in keep]
                + [_("Row %(n)s: %(why)s", n=number, why=reasons[number])]
            )
    return [headers[i] for i in keep] + [ERROR_COLUMN], out
