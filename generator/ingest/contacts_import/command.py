"""`rapport import-contacts FILE`: exit 0 all imported, 1 some events or entries left out, 2 a usage or file error."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from generator.cli import ISO_DATE, data_option
from generator.errors import RapportError
from generator.ingest.contacts_import import ImportResult, import_contacts, tracker_label
from generator.ingest.contacts_import.ledger import LEDGER_PATH, Change
from generator.ingest.contacts_import.records import SOURCES
from generator.ingest.contacts_import.values import DATE_ORDERS

# the left-out list is for reading: past this many lines the rest are counted
SHOWN_LEFT_OUT = 25


@click.command("import-contacts")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--source", type=click.Choice(["auto", *SOURCES]), default="auto", show_default=True,
              help="ics (Google, Outlook, Apple calendars), harvest, toggl, clockify, or csv; auto tells them by extension and header.")
@click.option("--dry-run", is_flag=True, help="Print what would be added, updated and left out; write nothing.")
@click.option("--date-order", type=click.Choice(DATE_ORDERS), default="auto", show_default=True,
              help="Day/month order of dates such as 03/11/2026 in a tracker export, when the file cannot tell.")
@click.option("--timezone", "timezone", default=None,
              help="IANA time zone for calendar times written in UTC without a zone of their own (default: this computer's).")
@click.option("--as-of", "as_of", type=ISO_DATE, default=None,
              help="Last day to import (default: as_of in site.yaml, else today; nothing later is imported).")
@data_option
def import_contacts_command(file: Path, source: str, dry_run: bool, date_order: str, timezone: str | None,
                            as_of: dt.date | None, data_dir: Path) -> None:
    """Add visits, calls and sessions from a calendar (.ics) or time-tracker export FILE to DATA/contacts.csv.

    Re-importing the same or an overlapping file adds nothing; an edited event updates its row.
    """
    try:
        if not data_dir.is_dir():
            raise RapportError(f"{data_dir}: no such data folder (expected site.yaml, clients.yaml, …)")
        if not file.is_file():
            raise RapportError(f"{file}: no such file")
        result = import_contacts(data_dir, file, source, as_of=as_of, dry_run=dry_run, date_order=date_order,
                                 timezone=timezone)
    except (RapportError, OSError) as exc:
        context = click.get_current_context(silent=True)
        if context is not None and context.find_root().obj and context.find_root().obj.get("debug"):
            raise
        message = f"{exc.filename or file}: cannot be read or written ({exc.strerror})" if isinstance(exc, OSError) else str(exc)
        click.echo(f"error: {message}", err=True)
        sys.exit(2)
    for line in report(result, data_dir):
        click.echo(line)
    sys.exit(1 if result.left_out else 0)


def report(result: ImportResult, data_dir: Path) -> list[str]:
    """What the user reads: counts, every change, everything left out or skipped."""
    plan = result.plan
    would = "would be " if result.dry_run else ""
    lines = [f"{result.shown} ({tracker_label(result.source)}, {result.first} to {result.last}): "
             f"{len(plan.added)} {would}added, {len(plan.updated)} {would}updated, {len(plan.removed)} {would}removed, "
             f"{plan.unchanged} unchanged"]
    lines += [f"  {'would update' if result.dry_run else 'updated'} {_describe(change)}" for change in plan.updated]
    lines += [f"  {'would remove' if result.dry_run else 'removed'} {_describe(change)} (no longer in the file: "
              "cancelled, deleted or moved)" for change in plan.removed]
    if result.dry_run:
        lines += [f"  would add {_describe(change)}" for change in plan.added]
    lines += [f"note: {note}" for note in [*result.parsed.notes, *plan.notes]]
    if result.left_out:
        lines.append(f"left out {len(result.left_out)} (no row written):")
        for item in result.left_out[:SHOWN_LEFT_OUT]:
            text = f" {item.text!r}" if item.text and item.text not in item.where else ""
            lines.append(f"  {item.where}:{text} {item.reason}")
        if len(result.left_out) > SHOWN_LEFT_OUT:
            lines.append(f"  … and {len(result.left_out) - SHOWN_LEFT_OUT} more")
        if any("client" in item.reason for item in result.left_out):
            lines.append("  (name one client in the title or location, or add a word it uses to that client's match: "
                         "list in clients.yaml)")
    if result.parsed.ignored:
        lines.append("skipped: " + ", ".join(f"{count} {reason}" for reason, count in sorted(result.parsed.ignored.items())))
    if result.dry_run:
        lines.append("dry run: nothing was written")
    elif plan.changes:
        shown = str(data_dir).rstrip("/")
        lines.append(f"wrote {shown}/contacts.csv and {shown}/{LEDGER_PATH.as_posix()}")
    return lines


def _describe(change: Change) -> str:
    new, old = change.new, change.old
    row = new or old
    assert row is not None
    text = f"{row.date} {row.client} {row.kind} {row.minutes or '?'} min"
    if new is not None and old is not None:
        was = [f"{name} {getattr(old, name)}" for name in ("date", "client", "kind", "minutes", "staff", "note")
               if getattr(old, name) != getattr(new, name)]
        text += f" (was {', '.join(was)})"
    return f"{text} [{change.key}]"
