"""What a calendar or time-tracker reader hands to the ledger: keyed contact rows and what it left out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from generator.load.contacts import CONTACT_COLUMNS

CALENDAR_SOURCES = ("ics",)
TRACKER_SOURCES = ("harvest", "toggl", "clockify", "csv")
SOURCES = (*CALENDAR_SOURCES, *TRACKER_SOURCES)
# a note longer than this is cut: an event description pasted into a title should not swell the log
NOTE_LENGTH = 200


@dataclass(frozen=True)
class ContactRow:
    """One row of `contacts.csv` as the import writes it."""

    date: str
    client: str
    kind: str
    staff: str
    minutes: str
    note: str

    def cells(self) -> dict[str, str]:
        """Column → text, for every contract column."""
        return dict(zip(CONTACT_COLUMNS, (self.date, self.client, self.kind, self.staff, self.minutes, self.note), strict=True))


@dataclass(frozen=True)
class Candidate:
    """A contact the file says happened, under the key that finds it again on the next import."""

    key: str
    row: ContactRow
    where: str


@dataclass(frozen=True)
class LeftOut:
    """An event or entry that became no row, and why (listed for the user, never guessed)."""

    where: str
    date: str
    text: str
    reason: str
    # the calendar key it would have had: its earlier row is kept, not removed, while it is left out
    key: str = ""


@dataclass
class Parsed:
    """A file read by one of the readers."""

    source: str
    candidates: list[Candidate] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    # reason → how many events or entries were skipped on purpose (cancelled, all-day, out of range)
    ignored: Counter[str] = field(default_factory=Counter)
    # things the user should know about how the file was read
    notes: list[str] = field(default_factory=list)
    # calendar only: UIDs whose every occurrence in [first, last] the file lists; an earlier
    # imported occurrence of one of them that the file no longer has was cancelled or moved
    complete_uids: frozenset[str] = frozenset()
    first: dt.date | None = None
    last: dt.date | None = None

    def speaks_for(self, key: str, date: str) -> bool:
        """Whether this file would list the earlier-imported `key` (dated `date`) if it still existed."""
        if not self.complete_uids or self.first is None or self.last is None:
            return False
        uid = key.rsplit("#", 1)[0] if key not in self.complete_uids else key
        return uid in self.complete_uids and self.first.isoformat() <= date <= self.last.isoformat()


def clean_text(text: str, limit: int = NOTE_LENGTH) -> str:
    """One line of plain text: control characters and line breaks become spaces; cut at `limit`."""
    flat = "".join(" " if (ord(char) < 32 or 127 <= ord(char) < 160) else char for char in text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def minutes_text(seconds: float) -> str:
    """Whole minutes, rounded half up."""
    return str(int(seconds / 60 + 0.5))
