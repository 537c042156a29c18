"""`rapport passphrase new`: print a passphrase of six random words for the encrypted dashboards."""

from __future__ import annotations

import math
from pathlib import Path

import click

from generator.cli import reports_errors


@click.group()
def passphrase() -> None:
    """Make a dashboard passphrase that is hard to guess."""


@passphrase.command("new")
@click.option("--words", default=6, show_default=True, type=click.IntRange(6, 20), help="How many words.")
@reports_errors
def new(words: int) -> None:
    """Print WORDS random words from the EFF large word list; nothing is stored."""
    from generator.keys import PASSPHRASE_ENV, passphrase_file
    from generator.safety.strength import new_passphrase, word_list

    click.echo(new_passphrase(words))
    size = len(word_list())
    click.echo(f"{words} words from a list of {size:,}: about {words * math.log2(size):.0f} bits. Keep it in your "
               f"password manager, and set it as {PASSPHRASE_ENV} or write it to {passphrase_file(Path('data'))}.",
               err=True)
