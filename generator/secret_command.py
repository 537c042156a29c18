"""`rapport secret new` and `rapport secret show`: the only ways the site secret is made or changed."""

from __future__ import annotations

import os
from pathlib import Path

import click

from generator.cli import data_option, reports_errors
from generator.errors import RapportError
from generator.keys import (
    SAMPLE_FINGERPRINT,
    SECRET_ENV,
    SecretError,
    configured_secret,
    fingerprint_file,
    record_fingerprint,
    recorded_fingerprint,
    resolve_secret,
    secret_file,
    write_new_secret,
)


@click.group()
def secret() -> None:
    """Make, change or show the site secret that keys every personal survey link."""


@secret.command("new")
@data_option
@click.option("--replace", is_flag=True, help="Replace the existing secret: every personal link already sent stops working.")
@reports_errors
def new(data_dir: Path, replace: bool) -> None:
    """Create the site secret in .rapport/secret beside DATA and record its fingerprint in DATA."""
    if not data_dir.is_dir():
        raise RapportError(f"{data_dir}: no such data folder (make one with `rapport init {data_dir}`)")
    existing = configured_secret(data_dir)
    recorded = recorded_fingerprint(data_dir)
    if not replace and (existing is not None or recorded is not None):
        raise SecretError(_already_message(data_dir, existing is not None, recorded is not None))
    if os.environ.get(SECRET_ENV, "").strip():
        raise SecretError(f"{SECRET_ENV} is set, and it would win over a new secret in {secret_file(data_dir)}: "
                          f"unset it, run this again, then put the new secret (`rapport secret show`) where "
                          f"{SECRET_ENV} came from")
    replacing = existing is not None or recorded is not None
    links = personal_links(data_dir) if replacing else None
    made = write_new_secret(data_dir)
    click.echo(f"new site secret in {made.source} (fingerprint recorded in {fingerprint_file(data_dir)}); "
               f"keep a copy in your password manager: `rapport secret show --data {data_dir}`")
    if replacing:
        counted = "every personal survey link" if links is None else f"{links} personal survey link{'s' if links != 1 else ''}"
        click.echo(f"{counted} changed (active clients × surveys): links sent before no longer identify "
                   "the client; build and send the new ones")


@secret.command("show")
@data_option
@reports_errors
def show(data_dir: Path) -> None:
    """Print the site secret (for a password manager or a CI secret named RAPPORT_SECRET)."""
    found = resolve_secret(data_dir)
    if found.is_sample:
        click.echo(f"warning: {data_dir} uses the built-in sample secret, which is public", err=True)
    click.echo(found.value.decode())


def personal_links(data_dir: Path) -> int | None:
    """How many personal links a new secret changes: active clients × surveys (None: unknown, the data has problems)."""
    from generator.load import load_portfolio

    try:
        portfolio = load_portfolio(data_dir)
    except RapportError:
        return None
    day = portfolio.as_of
    active = [client for client in portfolio.clients
              if client.agreement.start <= day and (client.ended is None or client.ended >= day)]
    return len(active) * len(portfolio.surveys)


def _already_message(data_dir: Path, has_secret: bool, has_fingerprint: bool) -> str:
    """The refusal of `secret new` when a secret exists; pins an unrecorded one's fingerprint first."""
    pinned = ""
    if has_secret and not has_fingerprint:
        found = configured_secret(data_dir)
        if found is not None:
            record_fingerprint(data_dir, found.value)
            pinned = f"; its fingerprint is now recorded in {fingerprint_file(data_dir)}"
    where = configured_secret(data_dir)
    if where is None and recorded_fingerprint(data_dir) == SAMPLE_FINGERPRINT:
        return (f"{data_dir} is a sample, made with the built-in sample secret: to give it a secret of its own, "
                f"`rapport secret new --replace --data {data_dir}` (every personal link of the sample changes)")
    source = where.source if where is not None else f"its fingerprint in {fingerprint_file(data_dir)}"
    return (f"{data_dir} already has a site secret ({source}){pinned}. To change it on purpose, "
            f"`rapport secret new --replace --data {data_dir}` (every personal link already sent stops working)")
