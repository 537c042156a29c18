"""Since when each client's schedules count: `tracking_since`, and whether a client is still new.

A practice that starts keeping its records in Rapport has no history before that day, and a
client who signed last week has none before their agreement. Counting visits, contacts and
surveys from before either would show every new client as missed, silent and overdue.

The rule (docs/metrics.md, "Tracking since"):

- a client's `tracking_since` in clients.yaml wins;
- else the latest of: the agreement start, `tracking_since` in site.yaml (when set), and the
  client's first contact in the log on or before A (when there is one).

With no site setting, and a log that begins at or before the agreement, this is the agreement
start: the metrics are then exactly those of a client with full history.

A client is *new* while it has less history than one full period: its first full calendar
month since `tracking_since` has not ended yet, or fewer than `no_contact_days` days have
passed since `tracking_since`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from generator.metrics.dates import DAY
from generator.model import Client

NAT = np.datetime64("NaT", "D")


def _dates(values: list[object]) -> np.ndarray:
    return np.array([NAT if value is None else value for value in values], dtype="datetime64[D]")


def tracking_since(clients: list[Client], start: np.ndarray, site_since: dt.date | None,
                   first_contact: np.ndarray) -> np.ndarray:
    """Each client's `tracking_since` (`datetime64[D]`), clients in roster order."""
    override = _dates([client.tracking_since for client in clients])
    since = np.asarray(start, dtype="datetime64[D]")
    if site_since is not None:
        since = np.maximum(since, np.datetime64(site_since, "D"))
    # np.fmax ignores NaT: a client with no contact yet keeps the later of the other two
    since = np.fmax(since, first_contact)
    return np.where(np.isnat(override), since, override)


def first_counted_month(since: np.ndarray) -> np.ndarray:
    """The first calendar month that begins on or after `since` (`datetime64[M]`)."""
    month = since.astype("datetime64[M]")
    return np.where(month.astype("datetime64[D]") == since, month, month + 1)


def new_until(since: np.ndarray, no_contact_days: int) -> np.ndarray:
    """The first day on which a client is no longer new: one full month and the contact period have passed."""
    after_first_month = (first_counted_month(since) + 1).astype("datetime64[D]")
    until: np.ndarray = np.maximum(after_first_month, since + no_contact_days * DAY)
    return until


def is_new(since: np.ndarray, no_contact_days: int, today: np.datetime64, active: np.ndarray) -> np.ndarray:
    """Active clients with less history than one full period at A."""
    new: np.ndarray = active & (today < new_until(since, no_contact_days))
    return new
