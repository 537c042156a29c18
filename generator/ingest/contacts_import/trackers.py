"""Contacts from time-tracker exports: Harvest, Toggl Track and Clockify detailed reports, or a plain CSV.

Every entry is matched to a client (by the Client column, else a `match:` keyword in the
client or project), given a kind (the first `contacts_import.kinds` key found in its
project, task or tags; else `remote`), and summed into one contact per client, day and
kind. That contact is keyed by source, day, client and kind: exporting the same days again
gives the same key, so a re-import changes a row only when the tool's entries changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.bounds import CONTACT_KINDS
from generator.csv_text import reader
from generator.errors import RapportError, shorten
from generator.ingest.contacts_import.matching import ClientMatcher, fold, kind_for
from generator.ingest.contacts_import.records import Candidate, ContactRow, LeftOut, Parsed, clean_text, minutes_text
from generator.ingest.contacts_import.values import date_order, parse_date, parse_duration
from generator.model import Client

DEFAULT_KIND = "remote"


@dataclass(frozen=True)
class Preset:
    """Where one tool's detailed export keeps each thing (header names, compared folded)."""

    label: str
    date: str
    durations: tuple[tuple[str, str], ...]    # (column, unit of a plain number), first one present wins
    staff: tuple[str, ...]
    notes: tuple[str, ...]
    signature: frozenset[str]                 # columns that identify the export
    usual_order: str | None = None            # the tool's default for dates like 11/03/2026


PRESETS: dict[str, Preset] = {
    # Reports → Detailed time → Export → CSV (help.getharvest.com: detailed time report)
    "harvest": Preset("Harvest", "date", (("hours", "hours"),), ("first name", "last name"), ("notes",),
                      frozenset({"date", "client", "project", "task", "notes", "hours", "first name", "last name"}), "mdy"),
    # Reports → Detailed → Export → Download CSV (support.toggl.com: detailed report)
    "toggl": Preset("Toggl", "start date", (("duration", "hours"),), ("user", "member"), ("description",),
                    frozenset({"client", "project", "description", "start date", "start time", "duration"})),
    # Reports → Detailed → Export → Save as CSV (clockify.me/help: detailed report)
    "clockify": Preset("Clockify", "start date", (("duration (h)", "hours"), ("duration (decimal)", "hours")),
                       ("user",), ("description",),
                       frozenset({"project", "client", "description", "start date", "duration (h)"}), "mdy"),
    "csv": Preset("CSV", "date", (("minutes", "minutes"), ("duration", "hours"), ("hours", "hours")),
                  ("staff", "user"), ("note", "notes", "description"), frozenset({"date", "client"})),
}


def detect(header: list[str]) -> str | None:
    """The tracker whose export has this header, if any (the generic `csv` last)."""
    folded = {fold(name) for name in header}
    for name, preset in PRESETS.items():
        if preset.signature <= folded and (name != "csv" or folded & {"minutes", "duration", "hours"}):
            return name
    return None


def read_table(path: Path, shown: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, cells) rows of a CSV export in UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows: list[tuple[int, list[str]]] = []
    try:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True) if delimiter != "," else reader(text)
        line = 1
        for record in records:
            if any(cell.strip() for cell in record):
                rows.append((line, record))
            line = records.line_num + 1
    except csv.Error as exc:
        raise RapportError(f"{shown}:{line}: not valid CSV ({exc})") from None
    if not rows:
        raise RapportError(f"{shown}: the file is empty (expected a header line and one line per time entry)")
    header = [cell.strip() for cell in rows[0][1]]
    return header, rows[1:]


@dataclass
class _Group:
    seconds: float = 0.0
    staff: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def read_tracker(path: Path, shown: str, source: str, clients: list[Client], starts: Mapping[str, dt.date],
                 first: dt.date, last: dt.date, kinds: Mapping[str, str], order: str) -> Parsed:
    """The export's entries, summed into one keyed contact per client, day and kind."""
    header, rows = read_table(path, shown)
    if source == "auto":
        found = detect(header)
        if found is None:
            raise RapportError(f"{shown}: its header ({shorten(','.join(header), 120)}) is not a Harvest, Toggl or "
                               "Clockify detailed export, nor a CSV with date,client and minutes (or duration); "
                               "name the tool with --source")
        source = found
    preset = PRESETS[source]
    columns = {fold(name): index for index, name in enumerate(header)}
    missing = sorted(preset.signature - set(columns))
    duration = next(((name, unit) for name, unit in preset.durations if name in columns), None)
    if missing or duration is None:
        needed = missing + ([] if duration else [" or ".join(name for name, _ in preset.durations)])
        raise RapportError(f"{shown}: not a {preset.label} export: the header lacks {', '.join(needed)}")

    def cell(row: list[str], name: str) -> str:
        at = columns.get(name)
        return row[at].strip() if at is not None and at < len(row) else ""

    order, assumed = date_order((cell(row, preset.date) for _, row in rows), order, shown, preset.usual_order)
    matcher = ClientMatcher(clients)
    parsed = Parsed(source)
    if assumed:
        parsed.notes.append(f"no date in {shown} has a day above 12: read month first, {preset.label}'s default "
                            "(MM/DD/YYYY); if yours shows days first, run again with --date-order dmy")
    groups: dict[tuple[str, str, str], _Group] = {}
    for line, row in rows:
        where = f"{shown}:{line}"
        written = cell(row, preset.date)
        date = parse_date(written, order)
        client_text, project, task = cell(row, "client"), cell(row, "project"), cell(row, "task")
        label = " / ".join(part for part in (client_text, project, task) if part) or "(no client or project)"
        if date is None:
            parsed.left_out.append(LeftOut(where, "", label, f"{header[columns[preset.date]]} '{shorten(written, 30)}' is not a date"))
            continue
        spent = cell(row, duration[0])
        seconds = parse_duration(spent, duration[1])
        if seconds is None:
            parsed.left_out.append(LeftOut(where, date.isoformat(), label, f"{header[columns[duration[0]]]} '{shorten(spent, 30)}' "
                                           "is not a duration (expected 1:30, 1.5 or 01:30:00)"))
            continue
        if date < first:
            parsed.ignored["before the tracked range"] += 1
            continue
        if date > last:
            parsed.ignored["after the report date"] += 1
            continue
        match = matcher.by_name(client_text) if client_text else None
        if match is None:
            match = matcher.in_texts([client_text, project])
        if match.client is None:
            parsed.left_out.append(LeftOut(where, date.isoformat(), label, match.reason))
            continue
        if date < starts.get(match.client, first):
            parsed.ignored["before the client's agreement or tracking start"] += 1
            continue
        tags = [tag.strip() for tag in cell(row, "tags").replace(";", ",").split(",") if tag.strip()]
        kind = cell(row, "kind") if source == "csv" and cell(row, "kind") in CONTACT_KINDS else \
            kind_for([project, task, *tags], kinds, DEFAULT_KIND)
        group = groups.setdefault((date.isoformat(), match.client, kind), _Group())
        group.seconds += seconds
        group.lines.append(line)
        staff = " ".join(part for part in (cell(row, name) for name in preset.staff) if part) if source == "harvest" \
            else next((cell(row, name) for name in preset.staff if cell(row, name)), "")
        if staff:
            group.staff.add(clean_text(staff, 60))
        note = next((cell(row, name) for name in preset.notes if cell(row, name)), "") or " – ".join(p for p in (project, task) if p)
        if note and clean_text(note) not in group.notes:
            group.notes.append(clean_text(note))
    for (date_text, client_id, kind), group in sorted(groups.items()):
        note = clean_text(f"{preset.label}: " + "; ".join(group.notes)) if group.notes else preset.label
        row_out = ContactRow(date_text, client_id, kind, ", ".join(sorted(group.staff)), minutes_text(group.seconds), note)
        lines = ", ".join(str(line) for line in group.lines[:5]) + (", …" if len(group.lines) > 5 else "")
        parsed.candidates.append(Candidate(f"{date_text} {client_id} {kind}", row_out, f"{shown}:{lines}"))
    return parsed
