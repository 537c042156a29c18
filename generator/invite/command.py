"""`rapport invite`: survey invitations (or reminders) as `.eml` drafts and a mail-merge CSV, recorded in data/.

Exit status: 0 when something was written (or would be, with --dry-run), 1 when there is
nothing to invite (the reason is printed), 2 for a usage or data problem. docs/invitations.md
describes the files and the rules.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.cli import as_of_option, data_option, reports_errors
from generator.errors import RapportError, did_you_mean
from generator.plurals import plural

# beside data/ and output/, not in output/ (a build replaces that folder); git-ignored: the drafts carry personal links
DRAFTS = Path("invitations")


class UsageProblem(RapportError):
    """A usage or setup problem: exit 2."""

    exit_code = 2


# a data or usage problem exits 2: 1 means "nothing to invite"
_exits: Callable[[Callable[..., Any]], Callable[..., Any]] = reports_errors(data_exit=2, error_exit=2, not_done="; nothing was written")


@click.command()
@click.option("--survey", "survey_id", default=None, help="The survey to invite to (default: the only survey).")
@click.option("--due", is_flag=True, help="Only the clients whose survey is due (within 30 days, or overdue).")
@click.option("--client", "client_ids", multiple=True, metavar="ID", help="Only this client (repeat for more).")
@click.option("--reminders", is_flag=True, help="Write reminders to those invited who have not answered.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the .eml files and the mail-merge CSV (default: invitations/<date>/, which builds leave alone).")
@click.option("--dry-run", is_flag=True, help="List who would get what; write and record nothing.")
@data_option
@as_of_option
@_exits
def invite(survey_id: str | None, due: bool, client_ids: tuple[str, ...], reminders: bool, out_dir: Path | None,
           dry_run: bool, data_dir: Path, as_of: dt.date | None) -> None:
    """Write survey invitations: one .eml draft per client and a mail-merge CSV; record them in DATA/invitations.csv."""
    from generator.invite.run import prepare, write

    batch = prepare(data_dir, as_of, survey_id, client_ids, due=due, reminders_only=reminders)
    noun = "reminder" if reminders else "invitation"
    for choice in batch.choices:
        contact = choice.client.contact
        if choice.skipped:
            click.echo(f"skipped  {choice.client.id}: {choice.skipped}")
        else:
            click.echo(f"{noun}  {choice.client.id}: {contact.name or choice.client.name} <{(contact.email or '').strip()}>")
    if not batch.mails:
        why = batch.why if not batch.choices else f"every client selected was skipped (see above; {len(batch.choices)} skipped)"
        what = "no reminder to send" if reminders else "nothing to invite"
        click.echo(f"{what} for {batch.survey.id} on {batch.today}: {why}", err=True)
        sys.exit(1)
    count = len(batch.mails)
    folder = out_dir or DRAFTS / batch.today.isoformat()
    if dry_run:
        click.echo(f"dry run: would write {plural(count, noun)} to {folder} and record "
                   f"{'them' if count != 1 else 'it'} in {data_dir}/invitations.csv; nothing was written")
        return
    try:
        files, recorded = write(batch, folder, data_dir)
    except OSError as exc:  # a full disk, a folder not ours: said plainly, and what was not done
        raise UsageProblem(f"cannot write {exc.filename or folder}: {exc.strerror}; the invitations were not recorded "
                           "(run the command again once it can write)") from None
    click.echo(f"wrote {plural(count, noun)} for {batch.survey.id} to {folder}: "
               f"{files[0].name} (mail merge) and {plural(count, '.eml draft')}")
    repeat = count - recorded
    click.echo(f"recorded {recorded} in {data_dir}/invitations.csv"
               + (f" ({repeat} recorded already today)" if repeat else ""))
    if folder.resolve().is_relative_to(Path("output").resolve()):
        click.echo("note: the next build replaces output/: send these drafts, or move them, before you build again", err=True)


def unknown_client(client_id: str, known: list[str], data_dir: Path) -> UsageProblem:
    """The problem for a --client that names no client."""
    return UsageProblem(f"--client '{client_id[:60]}': no such client in {data_dir}/clients.yaml{did_you_mean(client_id, known)}")
