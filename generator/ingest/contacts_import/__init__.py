"""`rapport import-contacts`: the contact log filled from calendars and time trackers (see README.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from generator.bounds import CONTACT_KINDS
from generator.errors import Problem, RapportError
from generator.ingest.append import data_lock, read_bytes
from generator.ingest.contacts_import.calendar import Range, read_calendar
from generator.ingest.contacts_import.ledger import Plan, new_contacts, plan_changes, read_ledger, write_plan
from generator.ingest.contacts_import.records import SOURCES, LeftOut, Parsed
from generator.ingest.contacts_import.trackers import PRESETS, read_tracker
from generator.load.checks import check_member, check_whole_numbers, joined, parse_dates
from generator.load.contacts import CONTACT_COLUMNS
from generator.load.yaml_files import load_clients, load_settings
from generator.model import Client, Settings

__all__ = ["SOURCES", "ImportResult", "import_contacts", "tracker_label"]


@dataclass
class ImportResult:
    """What an import did (or, with --dry-run, would do)."""

    shown: str
    source: str
    plan: Plan
    parsed: Parsed
    dry_run: bool
    first: dt.date
    last: dt.date

    @property
    def left_out(self) -> list[LeftOut]:
        """Events or entries that became no row."""
        return self.parsed.left_out


def import_contacts(data_dir: Path, file: Path, source: str, *, as_of: dt.date | None = None, dry_run: bool = False,
                    date_order: str = "auto", timezone: str | None = None) -> ImportResult:
    """Read FILE, match each event or entry to a client, and add, update or remove rows of contacts.csv."""
    shown_data = str(data_dir).rstrip("/")
    problems: list[Problem] = []
    settings = load_settings(data_dir / "site.yaml", f"{shown_data}/site.yaml", problems)
    clients, _ = load_clients(data_dir / "clients.yaml", f"{shown_data}/clients.yaml", problems)
    if problems:
        raise RapportError("the data folder has problems; fix them first (rapport validate lists them):\n  "
                           + "\n  ".join(str(problem) for problem in problems[:10]))
    if not clients:
        raise RapportError(f"{shown_data}/clients.yaml: no clients to import contacts for")
    assert settings is not None
    last = as_of or settings.as_of or dt.date.today()
    now = dt.datetime.now(dt.UTC) if as_of is None and settings.as_of is None else None
    starts = {client.id: _tracking_start(client, settings) for client in clients}
    first = min(starts.values())
    kinds = dict(settings.contacts_import.kinds)
    shown = str(file)
    if source == "auto":
        source = "ics" if _looks_like_ics(file) else "auto"
    if source == "ics":
        parsed = read_calendar(file, shown, clients, starts, Range(first, last, now), kinds, _zone(timezone))
    else:
        parsed = read_tracker(file, shown, source, clients, starts, first, last, kinds, date_order)
    _check_rows(parsed, {client.id for client in clients})
    with data_lock(data_dir):
        plan = plan_changes(parsed, read_ledger(data_dir, parsed.source))
        if dry_run:
            new_contacts(read_bytes(data_dir / "contacts.csv"), plan, f"{shown_data}/contacts.csv")
        else:
            write_plan(data_dir, parsed.source, plan, dt.datetime.now(dt.UTC))
    return ImportResult(shown, parsed.source, plan, parsed, dry_run, first, last)


def _tracking_start(client: Client, settings: Settings) -> dt.date:
    """The first day whose contacts count: the agreement start, or a later `tracking_since` (client's, else site's)."""
    since: Any = getattr(client, "tracking_since", None) or getattr(settings, "tracking_since", None)
    start = client.agreement.start
    return max(start, since) if isinstance(since, dt.date) else start


def _looks_like_ics(file: Path) -> bool:
    if file.suffix.lower() in (".ics", ".ical", ".ifb", ".icalendar"):
        return True
    with file.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \r\n").upper().startswith(b"BEGIN:VCALENDAR")


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RapportError(f"--timezone '{name}' is not an IANA time zone (expected e.g. Europe/Berlin)") from None


def _check_rows(parsed: Parsed, client_ids: set[str]) -> None:
    """The loader's own checks on every row, all at once; a row that fails them is left out, not written."""
    if not parsed.candidates:
        return
    frame = pd.DataFrame([candidate.row.cells() for candidate in parsed.candidates], columns=list(CONTACT_COLUMNS), dtype=object)
    frame["line"] = pd.Series(range(len(frame)), dtype="int64")
    problems: list[Problem] = []
    parse_dates(frame, "date", "contact", problems)
    check_member(frame, "client", client_ids, "contact", problems, "a client id", "an id from clients.yaml")
    check_member(frame, "kind", CONTACT_KINDS, "contact", problems, "a contact kind", joined(CONTACT_KINDS))
    check_whole_numbers(frame, "minutes", 0, None, "contact", problems, "a whole number of minutes, 0 or more")
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        reasons.setdefault(problem.line, []).append(f"{problem.field}: {problem.message}")
    kept = []
    for index, candidate in enumerate(parsed.candidates):
        if index in reasons:
            parsed.left_out.append(LeftOut(candidate.where, candidate.row.date, candidate.row.note, "; ".join(reasons[index]),
                                           candidate.key))
        else:
            kept.append(candidate)
    parsed.candidates = kept


def tracker_label(source: str) -> str:
    """The tool's name as people write it."""
    return "calendar" if source == "ics" else PRESETS[source].label
