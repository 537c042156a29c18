"""Survey rounds: a second answer through the same personal link in the same round replaces the first.

A personal link belongs to one client and one survey, so "the same link" is the same client
and survey, for the answers that came through a link: the collector and the importers give an
answer whose client they found from its token a response id with `-link-` in it (a response id
given by a form tool is kept as it is, and such an answer is never superseded; nor is one
written into the file by hand with its client, since several people of one client may answer). A client's round k runs from `agreement.start + k × interval` (inclusive) to
`start + (k + 1) × interval` (exclusive), where the interval is the client's survey cadence
(12, 6 or 3 months; month arithmetic clamps to the month's end, counted from the start each
time, as everywhere in docs/metrics.md). Of a client's responses to one survey in one round,
the one submitted last counts (the later row of the file on a tie); the others are superseded:
kept in data/responses/ as they are, shown as replaced, and left out of every count and metric.
Anonymous responses never replace one another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from generator.metrics.dates import add_months

SUPERSEDED_COLUMNS = ("survey", "response_id", "client", "day", "replaced_by")
LINK_MARK = "-link-"  # in the response id of an answer whose client came from its link's token


def through_link(response_id: str) -> bool:
    """Whether the answer came through a personal link (see above)."""
    return LINK_MARK in response_id


def round_of(start: dt.date, interval_months: int, day: dt.date) -> int:
    """The number of the client's survey round that `day` falls in (negative before the agreement starts)."""
    months = (day.year - start.year) * 12 + day.month - start.month
    k = months // interval_months
    # clamped month ends make the estimate one round late or early at most
    while add_months(start, k * interval_months) > day:
        k -= 1
    while add_months(start, (k + 1) * interval_months) <= day:
        k += 1
    return k


def superseded(frame: pd.DataFrame, rounds: Mapping[str, tuple[dt.date, int]]) -> tuple[np.ndarray, list[str]]:
    """(mask of the superseded rows, the response id that replaced each row ('' where none)).

    `frame` has `client`, `submitted_at`, `response_id` and `date` columns; `rounds` maps a
    client id to its (agreement start, interval in months). Clients not in `rounds` and
    anonymous rows, and rows that did not come through a link, are never superseded.
    """
    size = len(frame)
    replaced_by = [""] * size
    mask = np.zeros(size, dtype=bool)
    if size == 0:
        return mask, replaced_by
    # only answers through a link, of a client with rounds, can replace or be replaced: the others
    # are passed over before their times are read (most rows of a large file, at a fraction of the cost)
    clients, ids = frame["client"].tolist(), frame["response_id"].tolist()
    linked = np.array([LINK_MARK in response_id for response_id in ids], dtype=bool)  # through_link, inline
    candidates = np.flatnonzero(linked & frame["client"].isin(list(rounds)).to_numpy(dtype=bool)).tolist()
    if not candidates:
        return mask, replaced_by
    chosen = frame.iloc[candidates]
    instants = pd.to_datetime(chosen["submitted_at"], utc=True, format="ISO8601", errors="coerce").tolist()
    latest: dict[tuple[str, int], tuple[object, int]] = {}
    keys: list[tuple[tuple[str, int], int]] = []
    for position, day, instant in zip(candidates, chosen["date"].tolist(), instants):
        client = clients[position]
        start, interval = rounds[client]
        key = (client, round_of(start, interval, pd.Timestamp(day).date()))
        keys.append((key, position))
        order = (instant if instant == instant else pd.Timestamp.min.tz_localize("UTC"), position)  # NaT sorts first
        if key not in latest or order >= latest[key][0]:  # type: ignore[operator]
            latest[key] = (order, position)
    for key, position in keys:
        if latest[key][1] != position:
            mask[position] = True
            replaced_by[position] = ids[latest[key][1]]
    return mask, replaced_by
