"""`data/followups.csv` on disk: new follow-ups are appended, a closed or assigned one has its row rewritten.

Every write holds the data folder's lock (generator/ingest/append.py) and swaps the file
atomically (temporary file, fsync, `os.replace`), so concurrent writers — the collector, an
import, `rapport followup close` — never lose a row. Opening appends the new rows after the old
bytes; closing rewrites the file with every row kept and only that row's cells changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.csv_text import csv_lines
from generator.errors import RapportError
from generator.ingest.append import appended, data_lock, read_bytes, replace_atomically, table_to_append
from generator.load.followups import FOLLOWUP_COLUMNS
from generator.metrics.followups import due_date
from generator.model import Targets

FILE_NAME = "followups.csv"


class FollowupError(RapportError):
    """`data/followups.csv` cannot be read or has no such follow-up (exit 1)."""


@dataclass(frozen=True)
class NewFollowup:
    """A follow-up to open: which response, whose, why, and the day it opens."""

    client: str
    survey: str
    response: str
    reason: str
    opened: dt.date


def followups_path(data_dir: Path) -> Path:
    """`data/followups.csv`."""
    return data_dir / FILE_NAME


def _table(path: Path, content: bytes | None) -> tuple[list[str], list[list[str]]]:
    """The file's header (Rapport's own for a new file) and rows; FollowupError when it cannot be used."""
    try:
        return table_to_append(path, content, FOLLOWUP_COLUMNS)
    except ValueError as exc:
        raise FollowupError(str(exc)) from None


def open_locked(data_dir: Path, new: Sequence[NewFollowup], targets: Targets) -> list[str]:
    """Append a follow-up for each response that has none yet; the ids opened. The caller holds the data lock."""
    path = followups_path(data_dir)
    current = read_bytes(path)
    header, rows = _table(path, current)
    where = {column: header.index(column) for column in FOLLOWUP_COLUMNS}
    # a response's follow-up, open or closed, is never opened again
    taken = {(row[where["survey"]], row[where["response"]]) for row in rows if len(row) == len(header)}
    numbers = [int(row[where["id"]]) for row in rows if len(row) == len(header) and row[where["id"]].strip().isdigit()]
    next_id = max(numbers, default=0) + 1
    added: list[list[str]] = []
    opened: list[str] = []
    for item in new:
        if (item.survey, item.response) in taken:
            continue
        taken.add((item.survey, item.response))
        cells = {"id": str(next_id), "client": item.client, "survey": item.survey, "response": item.response,
                 "reason": item.reason, "opened": item.opened.isoformat(),
                 "due": due_date(item.opened, targets.followup_days).isoformat(), "owner": "", "status": "open",
                 "closed": "", "note": ""}
        added.append([cells.get(column, "") for column in header])
        opened.append(str(next_id))
        next_id += 1
    if added:
        replace_atomically(path, appended(current, header, added))
    return opened


def open_followups(data_dir: Path, new: Sequence[NewFollowup], targets: Targets) -> list[str]:
    """`open_locked` under the data lock."""
    with data_lock(data_dir):
        return open_locked(data_dir, new, targets)


def change(data_dir: Path, followup_id: str, edit: Callable[[dict[str, str]], None]) -> dict[str, str]:
    """Rewrite one follow-up's row with `edit` applied (every other row kept); its cells after the change."""
    path = followups_path(data_dir)
    with data_lock(data_dir):
        current = read_bytes(path)
        if current is None:
            raise FollowupError(f"no follow-up '{followup_id}': {path} does not exist yet "
                                "(follow-ups open when an unhappy answer arrives, or with `rapport followup sync`)")
        header, rows = _table(path, current)
        ids = [row[header.index("id")] for row in rows if len(row) == len(header)]
        if followup_id not in ids:
            numbers = sorted(int(i) for i in ids if i.isdigit())
            held = f"it holds ids {numbers[0]} to {numbers[-1]}" if numbers else "it holds none"
            raise FollowupError(f"no follow-up '{followup_id}' in {path} ({held}; `rapport followup list --all` lists them)")
        at = ids.index(followup_id)
        cells = dict(zip(header, rows[at]))
        edit(cells)
        rows[at] = [cells[column] for column in header]
        replace_atomically(path, csv_lines([header, *rows]))
        return cells


def close(data_dir: Path, followup_id: str, note: str, owner: str | None, today: dt.date) -> dict[str, str]:
    """Close a follow-up with what was done (and who did it); closing one already closed updates its note."""
    if not note.strip():
        raise FollowupError("--note is empty (expected what was done, in words the client may read)")

    def edit(cells: dict[str, str]) -> None:
        if cells["status"] != "closed":
            cells["closed"] = today.isoformat()
        cells["status"], cells["note"] = "closed", note.strip()
        if owner is not None:
            cells["owner"] = owner.strip()
    return change(data_dir, followup_id, edit)


def assign(data_dir: Path, followup_id: str, owner: str) -> dict[str, str]:
    """Give a follow-up an owner."""
    if not owner.strip():
        raise FollowupError("OWNER is empty (expected a name)")

    def edit(cells: dict[str, str]) -> None:
        cells["owner"] = owner.strip()
    return change(data_dir, followup_id, edit)
