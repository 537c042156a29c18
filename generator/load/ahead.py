"""clients.yaml and contacts.csv read ahead, by a fork, while `rapport build` imports its later stages.

A first build spends a second on one core importing the stages and reading the data, while
the other core idles. Reading and checking contacts.csv (a hundred thousand rows at 1,000
clients) and clients.yaml is most of that reading, and needs only the load stage's own
modules: `rapport build` imports those, forks (generator/forks.py), and imports the rest of
the stages while the fork reads the two files (generator/cli.py `import_stages`).

The fork reads them exactly as the load stage does, but keeps no problem: a file with one
gives None, and the load stage then reads it itself, so that every message comes from the
usual place in the usual words and with the usual exit status. Only a first build reads
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
from generator.load.contacts import load_contacts
from generator.load.yaml_files import read_clients
from generator.model import Client

__all__ = ["READ_AHEAD_FROM", "READ_AHEAD_UP_TO", "ClientsRead", "ContactsRead", "ReadAhead", "Reader", "read_ahead"]

# A smaller contacts.csv is read in a few hundredths of a second: less than forking costs.
READ_AHEAD_FROM = 1_000_000  # bytes
# A larger one (some 2,500 clients) costs more to send through a pickle than the imports it overlaps, and the
# fork's memory, while it parses, adds to the build's peak (1.39 GB instead of 1.14 at 10,000 clients).
READ_AHEAD_UP_TO = 40_000_000  # bytes
ClientsRead = tuple[list[Client], set[str] | None]  # as read_clients returns them
ContactsRead = tuple[pd.DataFrame, np.ndarray, set[str] | None]  # the contacts, their row hashes, the client ids checked


@dataclass(frozen=True)
class ReadAhead:
    """What was read ahead: each function gives its value (waiting for it), or None when the file has a problem."""

    clients: Callable[[], ClientsRead | None]
    contacts: Callable[[], ContactsRead | None]
    cancel: Callable[[], None]  # stops the reading (what it has not delivered is not needed)


def read_ahead(data_dir: Path) -> ReadAhead | None:
    """Start reading `data_dir`'s clients and contacts in a fork; None when that does not pay (or forking is not safe)."""
    data_dir = Path(data_dir)
    try:
        size = (data_dir / "contacts.csv").stat().st_size
    except OSError:
        return None
    # the memo's folder (generator/speed/cache.py `DiskMemo.for_data`): a build made there before kept the files
    if not READ_AHEAD_FROM <= size <= READ_AHEAD_UP_TO or (data_dir.resolve().parent / ".rapport" / "cache").is_dir():
        return None
    reader = Reader(data_dir)
    beside = Beside([reader.clients, reader.contacts], fork=True)
    if not beside.pid:
        return None  # no fork: the load stage reads the files as it always does
    return ReadAhead(beside.later(0), beside.later(1), beside.cancel)


class Reader:
    """Reads clients.yaml, then contacts.csv, as the load stage does (generator/load/__init__.py); None on a problem."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.shown = str(data_dir).rstrip("/")

    @functools.cached_property
    def _clients(self) -> ClientsRead | None:
        problems: list[Problem] = []
        read = read_clients(self.data_dir / "clients.yaml", f"{self.shown}/clients.yaml", problems)
        return None if problems else read

    def clients(self) -> ClientsRead | None:
        """The clients and their ids; None when clients.yaml has a problem."""
        return self._clients

    def contacts(self) -> ContactsRead | None:
        """The contacts, checked against the clients' ids, their row hashes and those ids; None on a problem in either file."""
        if self._clients is None:
            return None
        client_ids = self._clients[1]
        problems: list[Problem] = []
        contacts = load_contacts(self.data_dir / "contacts.csv", f"{self.shown}/contacts.csv", client_ids, problems)
        return None if problems else (contacts, row_hashes(contacts), client_ids)
