"""`rapport followup list|close|assign|sync`: the follow-ups of unhappy answers, in `data/followups.csv`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from generator.cli import as_of_option, data_option, reports_errors
from generator.errors import RapportError
from generator.plurals import plural

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str, option: str) -> str:
    if CONTROL.search(value):
        raise RapportError(f"{option} contains a control character (expected plain text)")
    return value


@click.group()
def followup() -> None:
    """Follow-ups of detractors, low ratings and requests to be contacted (data/followups.csv)."""


@followup.command("list")
@data_option
@as_of_option
@click.option("--open", "which", flag_value="open", default=True, help="Open follow-ups, most urgent first (the default).")
@click.option("--overdue", "which", flag_value="overdue", help="Only those open past their due date.")
@click.option("--all", "which", flag_value="all", help="Every follow-up, closed ones too.")
@reports_errors
def list_command(data_dir: Path, as_of: dt.date | None, which: str) -> None:
    """List follow-ups: id, client, opened, due, status, owner and why it was opened."""
    from generator.load import load_portfolio
    from generator.metrics.followups import every_followup

    portfolio = load_portfolio(data_dir, as_of)
    names = {client.id: client.name for client in portfolio.clients}
    items = every_followup(portfolio.followups, portfolio.as_of)
    if which == "open":
        items = [item for item in items if item.status == "open"]
    elif which == "overdue":
        items = [item for item in items if item.overdue]
    if not items:
        click.echo({"open": "no open follow-up", "overdue": "no overdue follow-up", "all": "no follow-up yet"}[which]
                   + f" (as of {portfolio.as_of.isoformat()})")
        return
    header = ("id", "client", "opened", "due", "status", "owner", "why")
    rows = [(item.id, names.get(item.client, item.client), item.opened.isoformat(), item.due.isoformat(),
             f"overdue {item.days_overdue} d" if item.overdue else item.status, item.owner or "—", item.reason)
            for item in items]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        click.echo("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip())
    open_count = sum(1 for item in items if item.status == "open")
    overdue = sum(1 for item in items if item.overdue)
    click.echo(f"{plural(len(items), 'follow-up')}: {open_count} open, {overdue} overdue "
               f"(as of {portfolio.as_of.isoformat()})")


@followup.command()
@click.argument("followup_id", metavar="ID")
@click.option("--note", required=True, help="What was done, in words the client may read (shown on the client review).")
@click.option("--owner", default=None, help="Who followed it up.")
@data_option
@reports_errors
def close(followup_id: str, note: str, owner: str | None, data_dir: Path) -> None:
    """Close follow-up ID with what was done."""
    from generator.followups.store import close as close_followup

    cells = close_followup(data_dir, followup_id.strip(), _text(note, "--note"),
                           None if owner is None else _text(owner, "--owner"), dt.date.today())
    click.echo(f"closed follow-up {cells['id']} ({cells['client']}) on {cells['closed']}: {cells['note']}")


@followup.command()
@click.argument("followup_id", metavar="ID")
@click.argument("owner")
@data_option
@reports_errors
def assign(followup_id: str, owner: str, data_dir: Path) -> None:
    """Make OWNER responsible for follow-up ID."""
    from generator.followups.store import assign as assign_followup

    cells = assign_followup(data_dir, followup_id.strip(), _text(owner, "OWNER"))
    click.echo(f"follow-up {cells['id']} ({cells['client']}) is now {cells['owner']}'s")


@followup.command()
@data_option
@as_of_option
@reports_errors
def sync(data_dir: Path, as_of: dt.date | None) -> None:
    """Open the follow-ups that recent responses call for and do not have yet (safe to run again)."""
    from generator.followups.opening import sync as sync_followups

    opened, read = sync_followups(data_dir, as_of)
    if opened:
        click.echo(f"opened {plural(len(opened), 'follow-up')} ({', '.join(opened)}) "
                   f"from {plural(read, 'response', grouped=True)}")
    else:
        click.echo(f"no new follow-up: every recent response that calls for one has one ({plural(read, 'response', grouped=True)} read)")
