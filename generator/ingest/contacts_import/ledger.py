"""The import keys beside `contacts.csv`: what each earlier import wrote, so a re-import changes only what changed.

`data/imported/contacts.csv` is a history, appended to under the data lock: one line per
row the import added, updated or removed (`source,key,date,client,kind,staff,minutes,note,
action,imported_at`). The newest line of a source and key says which row of `contacts.csv`
that key stands for now; older lines keep what a row was before an edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import RapportError
from generator.ingest.append import appended, read_bytes, read_table, replace_atomically
from generator.ingest.contacts_import.records import Candidate, ContactRow, Parsed
from generator.load.contacts import CONTACT_COLUMNS

LEDGER_PATH = Path("imported") / "contacts.csv"
LEDGER_COLUMNS = ("source", "key", "date", "client", "kind", "staff", "minutes", "note", "action", "imported_at")


@dataclass(frozen=True)
class Change:
    """One row to add, replace or remove, with the key that owns it."""

    key: str
    old: ContactRow | None
    new: ContactRow | None
    where: str = ""


@dataclass
class Plan:
    """What an import would do to `contacts.csv`."""

    added: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        """Every change, in the order they are applied."""
        return [*self.updated, *self.removed, *self.added]


def read_ledger(data_dir: Path, source: str) -> dict[str, ContactRow]:
    """Key → the row it stands for now, for one source (a removed key stands for none)."""
    path = data_dir / LEDGER_PATH
    try:
        header, rows = read_table(read_bytes(path))
    except ValueError as exc:
        raise RapportError(f"{path}: {exc}; nothing was written") from None
    if header and [column for column in LEDGER_COLUMNS if column not in header]:
        raise RapportError(f"{path}: header is not {','.join(LEDGER_COLUMNS)}; nothing was written")
    index = {column: header.index(column) for column in LEDGER_COLUMNS if column in header}
    current: dict[str, ContactRow] = {}
    for row in rows:
        cells = {column: row[at] if at < len(row) else "" for column, at in index.items()}
        if cells["source"] != source:
            continue
        if cells["action"] == "removed":
            current.pop(cells["key"], None)
        else:
            current[cells["key"]] = ContactRow(*(cells[column] for column in CONTACT_COLUMNS))
    return current


def plan_changes(parsed: Parsed, known: dict[str, ContactRow]) -> Plan:
    """Compare the file's rows with what earlier imports wrote."""
    plan = Plan()
    latest: dict[str, Candidate] = {candidate.key: candidate for candidate in parsed.candidates}
    for key, candidate in latest.items():
        old = known.get(key)
        if old is None:
            plan.added.append(Change(key, None, candidate.row, candidate.where))
        elif old != candidate.row:
            plan.updated.append(Change(key, old, candidate.row, candidate.where))
        else:
            plan.unchanged += 1
    # new rows go in date order, whatever order the file lists them in
    plan.added.sort(key=lambda change: (change.new.date if change.new else "", change.new.client if change.new else "", change.key))
    kept = {item.key for item in parsed.left_out if item.key}
    for key, old in known.items():
        if key not in latest and key not in kept and key.rsplit("#", 1)[0] not in kept and parsed.speaks_for(key, old.date):
            plan.removed.append(Change(key, old, None))
    return plan


def new_contacts(current: bytes | None, plan: Plan, shown: str) -> bytes:
    """`contacts.csv` after the plan: appended to when only rows are added, else rewritten whole."""
    try:
        header, rows = read_table(current)
    except ValueError as exc:
        raise RapportError(f"{shown}: {exc}; nothing was written") from None
    header = header or list(CONTACT_COLUMNS)
    missing = [column for column in CONTACT_COLUMNS if column not in header]
    if missing:
        raise RapportError(f"{shown}: header lacks {', '.join(missing)} (expected {','.join(CONTACT_COLUMNS)}); "
                           "nothing was written")

    def line(row: ContactRow) -> list[str]:
        cells = row.cells()
        return [cells.get(column, "") for column in header]

    added = [line(change.new) for change in plan.added if change.new is not None]
    if not plan.updated and not plan.removed:
        return appended(current, header, added) if added else (current or b"")
    from generator.csv_text import csv_lines

    kept: list[list[str] | None] = [list(row) for row in rows]
    for change in [*plan.updated, *plan.removed]:
        assert change.old is not None
        at = _find(kept, line(change.old))
        if at is None:
            plan.notes.append(f"{shown}: the row for {change.key} ({change.old.date}, {change.old.client}) was no longer "
                              "there (changed by hand?)" + ("; its new row is added" if change.new else ""))
            if change.new is not None:
                added.append(line(change.new))
            continue
        kept[at] = line(change.new) if change.new is not None else None
    return csv_lines([header, *[row for row in kept if row is not None], *added])


def _find(rows: list[list[str] | None], wanted: list[str]) -> int | None:
    """The last row equal to `wanted` (cells compared without the padding a hand edit may add)."""
    target = [cell.strip() for cell in wanted]
    for at in range(len(rows) - 1, -1, -1):
        row = rows[at]
        if row is not None and [cell.strip() for cell in row] + [""] * (len(target) - len(row)) == target:
            return at
    return None


def new_ledger(current: bytes | None, source: str, plan: Plan, now: dt.datetime) -> bytes:
    """The ledger with a line per change appended."""
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    lines = []
    for action, changes in (("updated", plan.updated), ("removed", plan.removed), ("added", plan.added)):
        for change in changes:
            row = change.new if change.new is not None else change.old
            assert row is not None
            cells = row.cells()
            lines.append([source, change.key, *(cells[column] for column in CONTACT_COLUMNS), action, stamp])
    return appended(current, LEDGER_COLUMNS, lines) if lines else (current or b"")


def write_plan(data_dir: Path, source: str, plan: Plan, now: dt.datetime) -> None:
    """Write contacts.csv, then the ledger (the caller holds the data lock)."""
    contacts = data_dir / "contacts.csv"
    ledger = data_dir / LEDGER_PATH
    current = read_bytes(contacts)
    updated = new_contacts(current, plan, str(contacts))
    earlier = read_bytes(ledger)
    ledger_bytes = new_ledger(earlier, source, plan, now)
    if updated != (current or b""):
        replace_atomically(contacts, updated)
    if ledger_bytes != (earlier or b""):
        replace_atomically(ledger, ledger_bytes)
