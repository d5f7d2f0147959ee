"""`flask --app inspections venues ...`: import a list from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import spreadsheets
from ..accounts.services import Scope
from ..cli import fail, run_service


def register_commands(group: AppGroup) -> None:
    """Attach the registry's commands to the blueprint's command group."""

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
    @click.option(
        "--rejected",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write the rejected rows with an 'error' column to this .xlsx or .csv file.",
    )
    def import_command(path: str, dry_run: bool, rejected: str | None) -> None:
        """Import venues from an XLSX, XLS or CSV list (Vietnamese or English headers; UTF-8,
        UTF-16, Windows-1258, TCVN3 or VNI text).

        Rows are matched to existing venues on registration or certificate number, else on
        name and address within 50 m; a second run of the same file changes nothing.
        """
        from .importing.files import read_table
        from .importing.write import rejected_rows, run_import

        file = Path(path)
        if rejected and not rejected.lower().endswith((".xlsx", ".csv")):
            fail("--rejected must name a .xlsx or .csv file")
        limit = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
        size = file.stat().st_size
        if size > limit:
            fail(f"{file.name} is {size / 1024 / 1024:.1f} MB; the limit is {limit // 1048576} MB")
        data = file.read_bytes()
        table = run_service(read_table, data, file.name, limit)
        report = run_service(run_import, table, scope=Scope(), dry_run=dry_run, source=file.name)
        prefix = "dry run: " if dry_run else ""
        click.echo(
            f"{prefix}{table.kind}"
            + (f" ({table.encoding})" if table.encoding else "")
            + f", header on row {table.header_row}, {len(table.rows)} rows"
        )
        click.echo("columns: " + ", ".join(f"{h} -> {f}" for h, f in report.columns.items()))
        if report.ignored:
            click.echo("ignored columns: " + ", ".join(report.ignored))
        verb = "would be " if dry_run else ""
        click.echo(
            f"{prefix}{report.created} {verb}created, {report.updated} {verb}updated, "
            f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
        )
        for r in report.rejected:
            click.echo(f"  row {r.row}: {r.reason}")
        if rejected and report.rejected:
            headers, rows = rejected_rows(table, report)
            body = (
                spreadsheets.write_xlsx(headers, rows, "rejected")
                if rejected.lower().endswith(".xlsx")
                else spreadsheets.write_csv(headers, rows)
            )
            Path(rejected).write_bytes(body)
            click.echo(f"rejected rows written to {rejected}")

    @group.command("reindex")
    def reindex_command() -> None:
        """Recompute every venue's search text (after an upgrade that changes how search
        folds accents and punctuation); safe to run again."""
        from .reindex import reindex_search_text

        click.echo(f"{run_service(reindex_search_text)} venues reindexed")
