"""What `rapport import` prints: notes, a dry run's plan row by row, the summary, and its exit status."""

from __future__ import annotations

import click

from generator.ingest.importers import ImportResult

WOULD = {"accepted": "would add", "replaced": "would replace", "duplicate": "already present"}


def print_import(result: ImportResult) -> int:
    """Print the result of one import; 0 when every row was accepted or already present, else 1."""
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    report = result.report
    if result.dry_run:
        for outcome in report.outcomes:
            if outcome.status == "quarantined":
                where = f" in {outcome.quarantine_file}" if outcome.quarantine_file else ""
                click.echo(f"would quarantine line {outcome.line}{where}: {outcome.reason} — {outcome.detail}")
            else:
                click.echo(f"{WOULD.get(outcome.status, outcome.status)}: {outcome.response_id}")
        for column in result.ignored:
            click.echo(f"would ignore column: {column}")
    click.echo(result.summary())
    from generator.followups.opening import arrival_lines

    for line in arrival_lines(report.followups, report.followup_problem):
        click.echo(line, err=line.startswith("warning:"))
    quarantined = report.count("quarantined")
    if quarantined:
        where = ", ".join(str(path) for path in report.quarantine_files)
        verb = ("would be" if result.dry_run else "were" if quarantined != 1 else "was")
        click.echo(f"error: {quarantined} row{'s' if quarantined != 1 else ''} {verb} quarantined in {where} "
                   "(each with its line and reason; after a fix, importing the file again adds them)", err=True)
        return 1
    return 0
