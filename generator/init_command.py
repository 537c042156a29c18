"""`rapport init DIR`: a new, empty practice with its site secret, and the next three steps."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import click

from generator.cli import reports_errors
from generator.errors import RapportError
from generator.keys import SecretError, configured_secret, record_fingerprint, write_new_secret

LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UsageProblem(RapportError):
    """A usage problem (exit 2)."""

    exit_code = 2


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--business", default=None, help="Your business's name (asked on a terminal when missing).")
@click.option("--email", default=None, help="The business's e-mail address.")
@click.option("--language", default="en", show_default=True, help="Language of the site and surveys (e.g. en, de, fr).")
@reports_errors
def init(folder: Path, business: str | None, email: str | None, language: str) -> None:
    """Create FOLDER with an empty practice: settings, no clients yet, one survey, the site secret."""
    from generator.starter import write_starter

    if folder.exists() and not folder.is_dir():
        raise UsageProblem(f"{folder} is a file, not a folder: choose a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageProblem(f"{folder} is not empty: nothing was written (choose a new or empty folder; "
                           "init never overwrites)")
    business = _business(business)
    if not LANGUAGE.fullmatch(language):
        raise UsageProblem(f"--language '{language[:40]}' is not a language code (expected e.g. en, de, fr, pt-BR)")
    if email is not None and (CONTROL.search(email) or "@" not in email):
        raise UsageProblem(f"--email '{email[:80]}' is not an e-mail address")
    made = write_starter(folder, business, email, language, dt.date.today())
    click.echo(f"created {folder} for {business}: {', '.join(made)}")
    click.echo(_secret_line(folder))
    run = command_prefix()
    data = f" --data {folder}" if folder != Path("data") else ""
    click.echo("next:")
    click.echo(f"  1. add a client: edit {folder / 'clients.yaml'} (its commented example shows every field)")
    click.echo(f"  2. log a contact: {run} log CLIENT-ID onsite --minutes 60{data}")
    click.echo(f"  3. build: {run} build{data} --out output, then open output/dashboard/index.html")


def _business(given: str | None) -> str:
    """The business name from --business, else asked on a terminal; refused when there is none to ask on."""
    if given is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageProblem("--business NAME is required when not run on a terminal "
                               "(e.g. rapport init DIR --business \"Harbor Point IT\")")
        given = click.prompt("Your business's name")
    name = given.strip()
    if not name or CONTROL.search(name):
        raise UsageProblem("--business: expected a name on one line")
    return name


def _secret_line(folder: Path) -> str:
    """Use the secret already configured beside the folder, else make one; record its fingerprint."""
    existing = configured_secret(folder)
    if existing is not None:
        record_fingerprint(folder, existing.value)
        return (f"site secret: using the one already in {existing.source} (its fingerprint is recorded in "
                f"{folder}/.secret-fingerprint)")
    try:
        made = write_new_secret(folder)
    except OSError as exc:
        raise SecretError(f"cannot write the site secret beside {folder}: {exc.strerror}") from None
    return (f"site secret: new, in {made.source} (git-ignored; keep a copy in your password manager: "
            f"`{command_prefix()} secret show --data {folder}`)")


def command_prefix() -> str:
    """How to run rapport from this shell: `rapport` when the shell finds it, else the path it was run by."""
    invoked = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if invoked is None or invoked.name != "rapport":
        return "rapport"
    found = shutil.which("rapport")
    if found and Path(found).resolve() == invoked.resolve():
        return "rapport"
    return str(invoked)
