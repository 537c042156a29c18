"""`rapport log`: append one contact to `contacts.csv`, checked with the loader's rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.bounds import CONTACT_KINDS
from generator.errors import Problem, RapportError
from generator.ingest.append import appended, data_lock, read_bytes, replace_atomically, table_to_append
from generator.ingest.records import is_printable
from generator.load.checks import check_member, check_whole_numbers, joined, parse_dates
from generator.load.contacts import CONTACT_COLUMNS
from generator.load.yaml_files import load_clients


@dataclass(frozen=True)
class ContactEntry:
    """One contact as typed on the command line."""

    date: str
    client: str
    kind: str
    staff: str = ""
    minutes: str = ""
    note: str = ""

    def cells(self) -> dict[str, str]:
        """Column → text."""
        return {"date": self.date, "client": self.client, "kind": self.kind, "staff": self.staff,
                "minutes": self.minutes, "note": self.note}


def contact_problems(entry: ContactEntry, client_ids: set[str]) -> list[Problem]:
    """What `load_contacts` would say about this row (run as a one-row frame)."""
    frame = pd.DataFrame([entry.cells()], columns=list(CONTACT_COLUMNS), dtype=object)
    frame["line"] = pd.Series([0], dtype="int64")
    problems: list[Problem] = []
    parse_dates(frame, "date", "contact", problems)
    check_member(frame, "client", client_ids, "contact", problems, "a client id", "an id from clients.yaml")
    check_member(frame, "kind", CONTACT_KINDS, "contact", problems, "a contact kind", joined(CONTACT_KINDS))
    check_whole_numbers(frame, "minutes", 0, None, "contact", problems, "a whole number of minutes, 0 or more")
    for column in ("staff", "note"):
        if not is_printable(entry.cells()[column]):
            problems.append(Problem("contact", 0, column, "holds a control character (expected plain text)"))
    return problems


def append_contact(data_dir: Path, entry: ContactEntry) -> Path:
    """Check the contact and append it to `data_dir/contacts.csv`; RapportError says what is wrong."""
    shown = str(data_dir).rstrip("/")
    yaml_problems: list[Problem] = []
    _, client_ids = load_clients(data_dir / "clients.yaml", f"{shown}/clients.yaml", yaml_problems)
    if not client_ids:
        raise RapportError(f"{shown}/clients.yaml: no clients to log a contact for"
                           + (f" ({yaml_problems[0]})" if yaml_problems else ""))
    problems = contact_problems(entry, client_ids)
    if problems:
        raise RapportError("; ".join(f"{p.field}: {p.message}" for p in problems))
    path = data_dir / "contacts.csv"
    with data_lock(data_dir):
        current = read_bytes(path)
        try:
            header, _ = table_to_append(path, current, CONTACT_COLUMNS)
        except ValueError as exc:
            raise RapportError(f"{exc}; nothing was written") from None
        cells = entry.cells()
        replace_atomically(path, appended(current, header, [[cells.get(column, "") for column in header]]))
    return path


def today() -> str:
    """Today's date as YYYY-MM-DD (local time)."""
    return dt.date.today().isoformat()
