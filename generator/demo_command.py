"""`rapport demo`: write a sample data folder to explore Rapport with."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from generator.demo import write_demo
from generator.keys import SAMPLE_SECRET, record_fingerprint
from generator.plurals import plural


def _iso_date(ctx: click.Context, param: click.Parameter, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (expected YYYY-MM-DD)") from None


@click.command()
@click.option("--clients", "clients", type=click.IntRange(min=1), default=14, show_default=True,
              help="How many clients; the first nine play fixed story roles, the rest are random.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed; the same seed gives identical files.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write the sample data into (e.g. data).")
@click.option("--as-of", "as_of", default="2026-11-30", show_default=True, callback=_iso_date, metavar="YYYY-MM-DD",
              help="Report date the sample is built around (YYYY-MM-DD).")
@click.option("--force", is_flag=True, help="Write even if OUT is not empty (overwrites the sample's files).")
def demo(clients: int, seed: int, out_dir: Path, as_of: dt.date, force: bool) -> None:
    """Write a realistic sample portfolio (Harbor Point IT) into OUT."""
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"{out_dir} is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        _fail(f"{out_dir} is not empty; choose an empty folder or pass --force to overwrite its sample files")
    counts = write_demo(out_dir, clients=clients, seed=seed, as_of=as_of)
    # a sample builds with the built-in sample secret (generator/keys.py): never a real client's links
    record_fingerprint(out_dir, SAMPLE_SECRET.encode())
    click.echo(f"wrote {plural(counts.clients, 'client', grouped=True)}, {plural(counts.contacts, 'contact', grouped=True)}, "
               f"{plural(counts.surveys, 'survey')}, "
               f"{plural(counts.responses, 'response', grouped=True)} to {out_dir} (a sample: it builds with the public sample secret, "
               "and publish refuses it)")


def _fail(message: str) -> None:
    # printed like every other command's errors; this module stays importable on its own
    click.echo(f"error: {message}", err=True)
    sys.exit(1)
