"""The plan: every file of the site, each with how to make it and what it is made from.

`plan_pages` makes no page: it lists them. Running the plan (generator/speed/__init__.py)
makes them, plainly one after the other, or on two cores reusing the last build's pages whose
inputs did not change; either way the same bytes. A page that names its inputs promises that
it is a function of them and of what every page shares (the settings, the surveys, the report
date, the templates and this package's code) — nothing else. Whoever makes a page read more
must name it here; tests/test_speed.py compares rebuilds with plain builds after each kind of change.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from generator.files import OutputFile
from generator.portfolio import Portfolio

Make = Callable[[], list[OutputFile]]


@dataclass(frozen=True)
class ClientInputs:
    """Made from one client's record, contacts and responses, and its row of the metrics table."""

    client_id: str
    row: Mapping[str, Any]

    @functools.cached_property
    def row_values(self) -> tuple[tuple[str, ...], bytes]:
        """The row's keys, and its values but the record (which the client's data digest holds) as bytes
        (`values_bytes`): made once per build, for the page's digest and for the exports' lines kept from the last build."""
        names = tuple(self.row)
        return names, values_bytes([value for key, value in self.row.items() if key != "client"])


def values_bytes(values: list[Any]) -> bytes:
    """A list of plain values as bytes that only an equal list of values of the same kinds gives.

    A pickle, with each date written as its day number first: a pickle looks the date class up for
    every date (a row holds a dozen: most of its time). So that no other value is written the same
    way, a list holding bytes is pickled as it is, marked apart.
    """
    kinds = set(map(type, values))
    if bytes in kinds:
        return b"P" + pickle.dumps(values, protocol=5)
    if dt.date in kinds:
        values = [b"D" + value.toordinal().to_bytes(4, "little") if type(value) is dt.date else value for value in values]
    return b"D" + pickle.dumps(values, protocol=5)


@dataclass(frozen=True)
class FrameInputs:
    """Made from whole frames of the data (`contacts`, `responses/<survey id>`) and every client record."""

    frames: tuple[str, ...]


@dataclass(frozen=True)
class ClientData:
    """One client's record and its rows of `frames` (`contacts`, `responses/<survey id>`): what a page listing the
    client reads of it when that is less than its whole page (`ClientInputs`)."""

    client_id: str
    frames: tuple[str, ...]


@dataclass(frozen=True)
class ValueInputs:
    """Made from exactly this value (a page's context: its pager, its rows) and the named clients' inputs, nothing else.

    The value is digested as a pickle, so it holds plain data: equal values give equal digests.
    A page listing clients names each one's `ClientInputs` (it shows what their pages show:
    each is digested once per build, for its page and for every list holding it) or
    `ClientData` instead of putting their rows into its value.
    """

    value: object
    clients: tuple[ClientInputs | ClientData, ...] = ()
    # the value holds only texts, whole numbers, and tuples, lists and dataclasses of them, so that an equal value (==)
    # is the same page: `rapport serve` takes the digest of the last build's equal value rather than pickling it again
    exact: bool = False


Inputs = ClientInputs | FrameInputs | ValueInputs


@dataclass(frozen=True)
class PageJob:
    """One or more files, how to make them, and (when reusable) what they are made from."""

    make: Make
    paths: tuple[str, ...] = ()  # the files it makes, when known before
    inputs: Inputs | None = None  # None: made afresh by every build
    batch: str = ""  # jobs of one batch are many small pages, best made several at a time
    name: str = ""  # for a job of several files known only once made: what they are keyed by, as a path would be

    @property
    def key_name(self) -> str:
        """What the job's inputs are keyed by: its one file's path, else its name ('' when it has neither)."""
        return self.paths[0] if len(self.paths) == 1 else self.name


@dataclass(frozen=True)
class Plan:
    """Every file of a build, in the order they are best made: the longest first."""

    portfolio: Portfolio
    environment: jinja2.Environment
    jobs: tuple[PageJob, ...]
