"""contacts.csv read ahead, by a fork, while `rapport build` imports its later stages.

A first build spends a second on one core importing the stages and reading the data, while
the other core idles. Reading and checking contacts.csv (a hundred thousand rows at 1,000
clients) is most of that reading, and needs only the load stage's own modules: `rapport
build` imports those, forks (generator/forks.py), and imports the rest of the stages, then
reads clients.yaml and the responses, while the fork reads contacts.csv (generator/cli.py
`import_stages`).

The fork reads it as the load stage does, but keeps no problem: a file with one gives None,
and the load stage then reads it itself, so that every message comes from the usual place in
the usual words and with the usual exit status. The fork does not know the client ids: the
load stage checks them, and reads the file itself when one is unknown. Only a first build reads
ahead: once the memo holds the files (generator/speed/cache.py keeps it beside the data
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
from generator.forks import Beside
from generator.keys import cache_folder
from generator.load.contacts import load_contacts

__all__ = ["READ_AHEAD_FROM", "READ_AHEAD_UP_TO", "ContactsRead", "ReadAhead", "read_ahead", "read_contacts"]

# A smaller contacts.csv is read in a few hundredths of a second: less than forking costs.
READ_AHEAD_FROM = 1_000_000  # bytes
# A larger one (some 2,500 clients) costs more to send through a pickle than the imports it overlaps: at 10,000
# clients (150 MB) the load stage measured slower with it, and the fork held 0.56 GB while it parsed.
READ_AHEAD_UP_TO = 40_000_000  # bytes
ContactsRead = tuple[pd.DataFrame, np.ndarray]  # the contacts (their client ids not yet checked), their row hashes


@dataclass(frozen=True)
class ReadAhead:
    """What was read ahead: `contacts` gives its value (waiting for it), or None when the file has a problem."""

    contacts: Callable[[], ContactsRead | None]
    cancel: Callable[[], None]  # stops the reading (what it has not delivered is not needed)


def read_ahead(data_dir: Path) -> ReadAhead | None:
    """Start reading `data_dir`'s contacts in a fork; None when that does not pay (or forking is not safe)."""
    data_dir = Path(data_dir)
    try:
        size = (data_dir / "contacts.csv").stat().st_size
    except OSError:
        return None
    # a build made there before kept the files in the memo
    if not READ_AHEAD_FROM <= size <= READ_AHEAD_UP_TO or cache_folder(data_dir).is_dir():
        return None
    beside = Beside([functools.partial(read_contacts, data_dir)], fork=True)
    if not beside.pid:
        return None  # no fork: the load stage reads the file as it always does
    return ReadAhead(beside.later(0), beside.cancel)


def read_contacts(data_dir: Path) -> ContactsRead | None:
    """contacts.csv as the load stage reads it (generator/load/__init__.py), but for its client ids, and its row
    hashes; None on a problem. Whoever reads clients.yaml checks the ids: a contact with an unknown one is the only
    problem this read cannot see, and the frame is the one a read with the ids gives when every id is known."""
    problems: list[Problem] = []
    shown = str(data_dir).rstrip("/")
    contacts = load_contacts(data_dir / "contacts.csv", f"{shown}/contacts.csv", None, problems)
    return None if problems else (contacts, row_hashes(contacts))
