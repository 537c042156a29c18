"""contacts.csv read ahead, by a fork, while `rapport build` imports its later stages and reads the other files.

A first build spends a second on one core importing the stages and reading the data, while
the other core idles. Reading and checking contacts.csv (a hundred thousand rows at 1,000
clients) is most of that reading, and needs only pandas and the readers of CSV files: `rapport
build` imports those, forks (generator/forks.py), and imports the rest of the stages (the
records' schema and the YAML reader among them), then reads clients.yaml and the responses,
while the fork reads contacts.csv (generator/cli.py `import_stages`).

A large contacts.csv (150 MB at 10,000 clients) takes the fork longer than this process takes
for the rest: then the fork reads only its last records, as many as keep both cores busy until
it is done (`fork_share`), and this process reads the first ones once it has read the other
files. The two parts are read as the load stage reads an appended file (generator/load/appended.py):
the header line and the records after the cut, their lines moved; a cut is only ever made
between two records.

The fork reads as the load stage does, but keeps no problem: a part with one gives None, and
the load stage then reads the whole file itself, so that every message comes from the usual
place in the usual words and with the usual exit status. The fork does not know the client ids:
the load stage checks them, and reads the file itself when one is unknown. Only a first build
reads ahead: once the memo holds the files (generator/speed/cache.py keeps it beside the data
folder), a rebuild takes them from there sooner than a fork could read them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from generator.digests import row_hashes
from generator.errors import Problem
from generator.file_keys import file_size
from generator.forks import Beside
from generator.keys import cache_folder
from generator.load.appended import appended, tail_text
from generator.load.contacts import contacts_from, load_contacts
from generator.load.csv_fast import QUOTE
from generator.load.csv_fast import _quotes_plain as quotes_plain  # the plain file's rule for quotes

__all__ = ["READ_AHEAD_FROM", "READ_AHEAD_UP_TO", "ContactsRead", "ReadAhead", "contacts_read", "fork_share",
           "read_ahead", "read_contacts", "record_start"]

# A smaller contacts.csv is read in a few hundredths of a second: less than forking costs.
READ_AHEAD_FROM = 1_000_000  # bytes
# The fork holds some four times what it reads while it parses it: up to 10,000 clients' 150 MB (0.6 GB), less
# than the render holds later; a larger file is read by the load stage alone.
READ_AHEAD_UP_TO = 200_000_000  # bytes
# What this process does meanwhile, in bytes of contacts.csv read in the same time (measured at 10,000 clients):
# the later stages' imports, and the rest of the load stage's (the records' schema, pydantic, the YAML reader: 0.08 s)
IMPORTS = 12_000_000
YAML_COST = 5.5  # a byte of clients.yaml (parsed and validated)
RESPONSES_COST = 2.0  # a byte of responses/*.csv
SENT_COST = 0.125  # a byte the fork reads, once more: its frame pickled there and unpickled here
FEWEST = 10_000_000  # bytes: a part of contacts.csv left to this process, or none (a smaller one saves less than it costs)
# the contacts (their client ids not yet checked), their row hashes, and the byte their records start from (0: all)
ContactsRead = tuple[pd.DataFrame, np.ndarray, int]


@dataclass(frozen=True)
class ReadAhead:
    """What was read ahead: `contacts` gives its value (waiting for it), or None when the file has a problem."""

    contacts: Callable[[], ContactsRead | None]
    cancel: Callable[[], None]  # stops the reading (what it has not delivered is not needed)
    share: int = 0  # how many of the file's last bytes the fork reads (about: it cuts between records); 0: all


def read_ahead(data_dir: Path, share: int | None = None) -> ReadAhead | None:
    """Start reading `data_dir`'s contacts in a fork; None when that does not pay (or forking is not safe).

    `share`: how many of its last bytes the fork reads (0: all); by default, what keeps both cores busy.
    """
    data_dir = Path(data_dir)
    try:
        size = (data_dir / "contacts.csv").stat().st_size
    except OSError:
        return None
    # a build made there before kept the files in the memo
    if not READ_AHEAD_FROM <= size <= READ_AHEAD_UP_TO or cache_folder(data_dir).is_dir():
        return None
    share = fork_share(data_dir, size) if share is None else share
    beside = Beside([functools.partial(read_contacts, data_dir, share)], fork=True)
    if not beside.pid:
        return None  # no fork: the load stage reads the file as it always does
    return ReadAhead(beside.later(0), beside.cancel, share)


def fork_share(data_dir: Path, size: int) -> int:
    """How many of contacts.csv's `size` bytes the fork reads (its last ones) to be done when this process is
    done with the rest, measured in the time each byte takes (0: all of them)."""
    meanwhile = IMPORTS + YAML_COST * file_size(data_dir / "clients.yaml")
    meanwhile += RESPONSES_COST * sum(file_size(path) for path in (data_dir / "responses").glob("*.csv"))
    # the fork's part, times (1 + SENT_COST), equals `meanwhile` plus this process's part
    share = int((meanwhile + size) / (2 + SENT_COST))
    return 0 if size - share < FEWEST else share


def record_start(data: bytes, at: int) -> int | None:
    """The offset of the first record starting at or after `at` (a line start outside a quoted field), from which
    the records can be read as appended ones (`tail_text`); None when there is none (or the file is not plain)."""
    if at <= 0 or at >= len(data):
        return None
    end = data.find(b"\n", at - 1)
    # a line end inside a quoted field has an odd number of quotes before it: the next one then
    while end != -1 and data.count(b'"', 0, end) % 2:
        end = data.find(b"\n", end + 1)
    header_end = data.find(b"\n") + 1
    # what tail_text asks of a file (no carriage return, a header without quotes), without making its text
    if end == -1 or not header_end <= end < len(data) - 1 or b'"' in data[:header_end] or b"\r" in data:
        return None
    # the parity of the quotes says where a field is quoted only when each opens, closes or doubles one
    chars = np.frombuffer(data, dtype=np.uint8, count=end + 1)
    return end + 1 if quotes_plain(chars, np.flatnonzero(chars == QUOTE)) else None


def read_contacts(data_dir: Path, share: int = 0) -> ContactsRead | None:
    """contacts.csv as the load stage reads it (generator/load/stage.py), but for its client ids, and its row
    hashes: all of it, or its records from the first one in its last `share` bytes; None on a problem. Whoever reads
    clients.yaml checks the ids: a contact with an unknown one is the only problem this read cannot see, and the frame
    is the one a read with the ids gives when every id is known."""
    problems: list[Problem] = []
    path = data_dir / "contacts.csv"
    shown = f"{str(data_dir).rstrip('/')}/contacts.csv"
    data = path.read_bytes() if share else b""
    start = record_start(data, len(data) - share) if share else None
    text = tail_text(data, start) if start is not None else None
    if start is None or text is None:
        contacts = load_contacts(path, shown, None, problems)
        return None if problems else (contacts, row_hashes(contacts), 0)
    part = contacts_from(text[0], shown, None, problems)
    if problems:
        return None
    part = part.assign(line=part["line"] + text[1])
    return part, row_hashes(part), start


def contacts_read(ahead: ReadAhead, path: Path, shown: str, client_ids: set[str] | None) -> tuple[pd.DataFrame, np.ndarray] | None:
    """What the load stage reads of contacts.csv at `path`, and its row hashes, with what `ahead` read: the fork's
    records and, when it read only the last ones, the first ones read here; None on a problem (or a file changed
    meanwhile), and then the load stage reads the file itself."""
    start, head = _first_records(path, shown, client_ids, ahead.share) if ahead.share else (None, None)
    if start is not None and head is None:
        return None  # a problem in the first records
    made = ahead.contacts()
    # read ahead without the client ids: with every id known, it is the frame a read checking them gives
    if made is None or (client_ids is not None and not made[0]["client"].isin(list(client_ids)).all()):
        return None
    contacts, hashes, start_made = made
    if head is None:
        return (contacts, hashes) if start_made == 0 else None
    if start_made != start:
        return None  # the file changed between the two reads
    whole = appended(head[0], contacts, 0)
    return None if whole is None else (whole, np.concatenate([head[1], hashes]))


def _first_records(path: Path, shown: str, client_ids: set[str] | None,
                   share: int) -> tuple[int | None, tuple[pd.DataFrame, np.ndarray] | None]:
    """Where the fork's records start, and the records before it with their row hashes (None on a problem);
    (None, None) when the fork read them all (it cut nowhere)."""
    try:
        data = path.read_bytes()
    except OSError:
        return -1, None
    start = record_start(data, len(data) - share)
    if start is None:
        return None, None
    problems: list[Problem] = []
    first = contacts_from(data[:start], shown, client_ids, problems)
    return start, None if problems else (first, row_hashes(first))
