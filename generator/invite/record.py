"""Record sent invitations in `data/invitations.csv`: appended under the data folder's lock, never twice.

Like every writer into `data/` (generator/ingest/append.py), it holds the lock while it reads
the file, decides what to add and swaps in the old bytes plus the new rows, so two runs at
once both land whole. A row whose date, client, survey and kind the file holds already is not
added again: re-running `rapport invite` on the same day records nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RapportError
from generator.ingest.append import appended, data_lock, read_bytes, replace_atomically, table_to_append
from generator.portfolio import INVITATION_COLUMNS


@dataclass(frozen=True)
class Sent:
    """One row of invitations.csv."""

    date: str
    client: str
    survey: str
    round: str
    channel: str
    kind: str

    def key(self) -> tuple[str, str, str, str]:
        """What makes an invitation the same one: date, client, survey, kind."""
        return (self.date, self.client, self.survey, self.kind)


def record_sent(data_dir: Path, rows: Sequence[Sent]) -> int:
    """Append the rows the file does not hold yet; the number appended."""
    path = data_dir / "invitations.csv"
    with data_lock(data_dir):
        current = read_bytes(path)
        try:
            header, records = table_to_append(path, current, INVITATION_COLUMNS)
        except ValueError as exc:
            raise RapportError(f"{exc}; nothing was recorded") from None
        if tuple(header) != INVITATION_COLUMNS:  # the rows below are written in this order
            raise RapportError(f"{path}:1: the header is {','.join(header)} (expected {','.join(INVITATION_COLUMNS)}); "
                               "nothing was recorded")
        position = {column: index for index, column in enumerate(INVITATION_COLUMNS)}
        held = {tuple(record[position[name]].strip() for name in ("date", "client", "survey", "kind"))
                for record in records if len(record) == len(INVITATION_COLUMNS)}
        new: list[Sent] = []
        for row in rows:
            if row.key() not in held:
                held.add(row.key())
                new.append(row)
        if new:
            cells = [[getattr(row, column) for column in INVITATION_COLUMNS] for row in new]
            replace_atomically(path, appended(current, INVITATION_COLUMNS, cells))
    return len(new)
