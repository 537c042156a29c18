"""The loaded, validated portfolio: the one object every later stage reads."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from generator.digests import row_hashes
from generator.model import Client, Settings, Survey

# data/invitations.csv (docs/data-formats.md): written by `rapport invite`, read by metrics/response_rate.py
INVITATION_COLUMNS = ("date", "client", "survey", "round", "channel", "kind")


def empty_invitations() -> pd.DataFrame:
    """An invitations frame with no rows and the right columns."""
    return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                         **{column: pd.Series(dtype=object) for column in INVITATION_COLUMNS[1:]},
                         "line": pd.Series(dtype="int64")})


@dataclass(frozen=True)
class Page:
    """A business page from `data/pages/<slug>.md`."""

    slug: str
    title: str
    markdown: str


@dataclass(frozen=True)
class Portfolio:
    """Everything in `data/`, validated.

    Frames (all rows validated, all text exactly as written):

    - `contacts`: date (datetime64), client, kind, staff, minutes (Int64, NA when empty),
      note, line (the CSV line the row starts on).
    - `responses[survey_id]`: response_id, client ('' = anonymous), submitted_at (as
      written), date (datetime64: the calendar date written in submitted_at), then one
      text column per question id ('' = unanswered), line.
    - `scores`: one row per numeric answer (rating and nps questions) of every survey:
      survey, response_id, client, date, question, type ('rating' | 'nps'), csat (bool),
      score (float).

    `row_hashes` holds, per frame (`contacts`, `responses/<survey id>`), a 64-bit hash of each
    of its rows in file order: what the metrics and the speed layer key kept values by.
    """

    data_dir: Path
    settings: Settings
    clients: tuple[Client, ...]
    surveys: tuple[Survey, ...]
    contacts: pd.DataFrame
    responses: Mapping[str, pd.DataFrame]
    scores: pd.DataFrame
    pages: tuple[Page, ...] = ()
    as_of: dt.date = field(default_factory=dt.date.today)
    notices: tuple[str, ...] = ()  # warnings for the user, e.g. data dated after a fixed as_of
    held: int = 0  # records waiting in data/quarantine/ (`rapport quarantine` lists them)
    row_hashes: Mapping[str, np.ndarray] = field(default_factory=dict)
    # date (datetime64), client, survey, round, channel, kind, line: every invitation and reminder sent
    invitations: pd.DataFrame = field(default_factory=empty_invitations)
    # data/followups.csv (generator/load/followups.py): its columns, dates as datetime.date, line
    followups: pd.DataFrame = field(default_factory=pd.DataFrame)
    # `records_json` as the load stage had it already (`rapport serve`: made by an earlier build of the same records)
    known_records_json: Mapping[str, str] | None = None

    def hashes(self, name: str) -> np.ndarray:
        """The row hashes of one frame (computed now if the loader did not)."""
        found = self.row_hashes.get(name)
        if found is not None:
            return found
        frame = self.contacts if name == "contacts" else self.responses[name.removeprefix("responses/")]
        return row_hashes(frame)

    @functools.cached_property
    def records_json(self) -> Mapping[str, str]:
        """Each client record's JSON by client id, in `clients` order: written once a build for every key and digest
        that names the records (the metrics' memo keys, the leak gate's, the pages' data digests)."""
        if self.known_records_json is not None:
            return self.known_records_json
        return records_json(self.clients)

    def client(self, client_id: str) -> Client | None:
        """The client with this id, if any."""
        return next((c for c in self.clients if c.id == client_id), None)

    def survey(self, survey_id: str) -> Survey | None:
        """The survey with this id, if any."""
        return next((s for s in self.surveys if s.id == survey_id), None)


def records_json(clients: Iterable[Client]) -> dict[str, str]:
    """Each client record's JSON by client id, in the order given."""
    return {client.id: client.model_dump_json() for client in clients}
