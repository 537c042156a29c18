"""`rapport quarantine` (list the held rows) and `rapport quarantine retry` (run them again)."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli import data_option, reports_errors
from generator.errors import RapportError


@click.group(invoke_without_command=True)
@data_option
@click.pass_context
@reports_errors
def quarantine(ctx: click.Context, data_dir: Path) -> None:
    """List the rows held in DATA/quarantine/: file, line, reason and the fix to try."""
    if ctx.invoked_subcommand is not None:
        return
    from generator.ingest.quarantine_list import held_rows

    if not data_dir.is_dir():
        raise RapportError(f"{data_dir}: no such data folder (expected site.yaml, clients.yaml, …)")
    held = held_rows(data_dir)
    if not held:
        click.echo(f"nothing held: {data_dir}/quarantine/ has no rows")
        return
    for row in held:
        detail = row.get("detail")
        click.echo(f"{row.where}: {row.get('reason')}{f' ({detail})' if detail else ''}")
        click.echo(f"    held in {row.path.name} since {row.get('received_at')}; fix: {row.fix}")
    files = sorted({row.path.name for row in held})
    click.echo(f"{len(held):,} row{'' if len(held) == 1 else 's'} held in {data_dir}/quarantine/ ({', '.join(files)})")


@quarantine.command("retry")
@data_option
@click.pass_context
@reports_errors
def retry(ctx: click.Context, data_dir: Path) -> None:
    """Run the held rows through the import again; accepted ones move into DATA/responses/."""
    from generator.ingest.retry import retry_quarantine

    if ctx.get_parameter_source("data_dir") == click.core.ParameterSource.DEFAULT and ctx.parent is not None:
        data_dir = ctx.parent.params["data_dir"]  # `rapport quarantine --data DIR retry` means DIR too
    if not data_dir.is_dir():
        raise RapportError(f"{data_dir}: no such data folder (expected site.yaml, clients.yaml, …)")
    result = retry_quarantine(data_dir)
    click.echo(result.summary())
    from generator.followups.opening import arrival_lines

    for line in arrival_lines(result.followups, result.followup_problem):
        click.echo(line, err=line.startswith("warning:"))
    if result.still_held:
        click.echo(f"`rapport quarantine --data {data_dir}` lists the rows still held and why")
