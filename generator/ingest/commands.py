"""`rapport collect`, `rapport import`, `rapport log` and `rapport serve`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import sys
from pathlib import Path

import click

from generator.bounds import CONTACT_KINDS
from generator.cli import ISO_DATE, as_of_option, data_option, out_option, reports_errors, templates_option
from generator.errors import RapportError, did_you_mean


@click.command()
@data_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--thanks-url", default=None,
              help="Where a form is sent after its answers are saved (default: site.base_url + thanks/, else /thanks/).")
@click.option("--origin", default=None,
              help="The one origin allowed to post from scripts (CORS); default: the scheme and host of site.base_url.")
@click.option("--max-body-bytes", default=64 * 1024, show_default=True, type=click.IntRange(1024),
              help="Largest request body accepted.")
@click.option("--rate-limit", default=30.0, show_default=True, type=click.FloatRange(0),
              help="Posts a minute per client address (bursts of up to 30); 0 = no limit.")
@click.option("--max-connections", default=200, show_default=True, type=click.IntRange(1),
              help="Open connections; past it the one that has waited longest for its headers is closed.")
@click.option("--quarantine-max-entries", default=10_000, show_default=True, type=click.IntRange(1),
              help="Refused posts kept in DATA/quarantine/; when full, refusals are answered 503 and logged.")
@click.option("--quarantine-max-mb", default=10.0, show_default=True, type=click.FloatRange(0.1),
              help="Size of the collector's quarantine files at most, in MB.")
@reports_errors
def collect(data_dir: Path, host: str, port: int, thanks_url: str | None, origin: str | None, max_body_bytes: int,
            rate_limit: float, max_connections: int, quarantine_max_entries: int, quarantine_max_mb: float) -> None:
    """Run the response collector: POST /api/responses appends to DATA/responses/."""
    import uvicorn

    from generator.ingest.collector import ENDPOINT, CollectorConfig, create_collector_app
    from generator.ingest.guard import Guard, RateLimit, server_config
    from generator.ingest.hosts import LoopbackHostOnly
    from generator.ingest.quarantine import QuarantineBound

    _require_data(data_dir)
    _require_secret(data_dir)
    bound = QuarantineBound(max_bytes=int(quarantine_max_mb * 1024 * 1024), max_entries=quarantine_max_entries)
    guard = Guard(posts_per_minute=rate_limit, max_connections=max_connections)
    app = RateLimit(create_collector_app(CollectorConfig(data_dir, thanks_url=thanks_url, origin=origin,
                                                         max_body_bytes=max_body_bytes, quarantine=bound)),
                    paths=(ENDPOINT,), guard=guard)
    # on the loopback only this computer (or a reverse proxy on it) posts: refuse other Hosts (DNS rebinding)
    served = LoopbackHostOnly(app) if _is_loopback(host) else app
    click.echo(f"collecting responses at http://{_url_host(host)}:{port}{ENDPOINT} into {data_dir}/responses/ "
               f"(Ctrl-C to stop)")
    try:
        uvicorn.Server(server_config(served, guard, host=host, port=port)).run()
    except KeyboardInterrupt:  # Ctrl-C is how it is stopped (uvicorn re-raises it once its connections are closed)
        click.echo("Stopped collecting.")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--source", default="auto", show_default=True,
              help="Which tool wrote FILE: auto (told by its header), google-forms, microsoft-forms, surveymonkey, "
                   "typeform, tally, jotform, formspree, netlify, csv or jsonl.")
@click.option("--survey", default=None, help="Survey id for rows that do not name their survey.")
@click.option("--timezone", "timezone", default=None,
              help="IANA time zone of times written without an offset, and of stored times (default: this computer's).")
@click.option("--dayfirst", "date_order", flag_value="dmy", help="Dates such as 03/04/2026 are day/month (3 April).")
@click.option("--monthfirst", "date_order", flag_value="mdy", help="Dates such as 03/04/2026 are month/day (4 March).")
@click.option("--date-order", "date_order", type=click.Choice(["auto", "mdy", "dmy"]), default="auto", show_default=True,
              help="The same as --monthfirst (mdy) or --dayfirst (dmy); auto: site.yaml's locale, else the file.")
@click.option("--dry-run", is_flag=True, help="Print what would be added, replaced, ignored and quarantined; write nothing.")
@data_option
def import_command(file: Path, source: str, survey: str | None, timezone: str | None, date_order: str, dry_run: bool,
                   data_dir: Path) -> None:
    """Import a survey tool's export FILE into DATA/responses/ (re-importing changes nothing).

    Exit status: 0 when every row was accepted or already present, 1 when any row was
    quarantined, 2 when the command or the file is wrong (nothing imported).
    """
    from generator.ingest.import_report import print_import
    from generator.ingest.importers import import_file

    try:
        _require_data(data_dir)
        if not file.is_file():
            raise RapportError(f"{file}: no such file")
        result = import_file(data_dir, file, source, survey=survey, timezone=timezone, date_order=date_order,
                             dry_run=dry_run)
    except RapportError as exc:
        context = click.get_current_context()
        if (context.find_root().obj or {}).get("debug"):
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    sys.exit(print_import(result))


@click.command("log")
@click.argument("client")
@click.argument("kind")
@click.option("--date", "date", type=ISO_DATE, default=None, help="Date of the contact (default: today).")
@click.option("--minutes", default=None, help="How long it took, in whole minutes.")
@click.option("--staff", default="", help="Who made the contact.")
@click.option("--note", default="", help="A short note.")
@data_option
@reports_errors
def log(client: str, kind: str, date: dt.date | None, minutes: str | None, staff: str, note: str, data_dir: Path) -> None:
    """Append a contact with CLIENT (an id from clients.yaml) of KIND (onsite, remote, phone, email)."""
    from generator.ingest.contacts import ContactEntry, append_contact

    _require_data(data_dir)
    if kind not in CONTACT_KINDS:
        raise RapportError(f"'{kind}' is not a contact kind (expected {', '.join(CONTACT_KINDS)}){did_you_mean(kind, CONTACT_KINDS)}")
    if date is not None and date > dt.date.today():
        raise RapportError(f"--date {date.isoformat()} is after today: log a contact once it has happened "
                           "(planned visits belong in your calendar)")
    entry = ContactEntry(date=(date or dt.date.today()).isoformat(), client=client, kind=kind, staff=staff,
                         minutes=minutes or "", note=note)
    path = append_contact(data_dir, entry)
    click.echo(f"logged {kind} contact with {client} on {entry.date} in {path}")


@click.command()
@data_option
@out_option
@as_of_option
@templates_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@reports_errors
def serve(data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None, host: str, port: int) -> None:
    """Build, serve public pages and dashboards on this computer, collect responses, rebuild on change."""
    from generator.ingest.serve import run_preview

    _require_data(data_dir)
    if not _is_loopback(host):
        raise RapportError(f"'{host}' is not a loopback address: the preview serves your private dashboards, "
                           "so it only listens on 127.0.0.1 (use `rapport collect` on a server)")
    _require_secret(data_dir)
    try:
        run_preview(data_dir, out_dir, host=host, port=port, as_of=as_of, templates_dir=templates_dir)
    except KeyboardInterrupt:
        # Ctrl-C is how a preview ends, not a failure: without this click says "Aborted!" and exits 1.
        # uvicorn stops gracefully first, then raises the signal again, which lands here; so does a
        # Ctrl-C during the first build. run_preview's `finally` has stopped the builder by now, and
        # a build it had under way has removed its staging folder.
        click.echo("Stopped the preview.")


def _require_data(data_dir: Path) -> None:
    if not data_dir.is_dir():
        raise RapportError(f"{data_dir}: no such data folder (expected site.yaml, clients.yaml, …)")


def _require_secret(data_dir: Path) -> None:
    """Without this folder's secret no survey link would match: refuse to start (exit 2, generator/keys.py)."""
    from generator.keys import resolve_secret

    resolve_secret(data_dir)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
