"""Digests of what a page is made from, so that a rebuild can reuse the pages whose inputs did not change.

The plan names each reusable page's inputs (generator/render/plan.py): a client page is a
function of that client's own data — its record, its contacts, its responses and its row of the
metrics table — and of what every page shares: the settings, the surveys, the report date, the
templates, this package's code and the versions of the libraries that turn them into HTML. Its
digest covers exactly those, at a cost of a few milliseconds per hundred clients, against the
milliseconds per client of making the page; the manifest keeps it (`OutputFile.inputs`), and the
next build reuses the page when the digest is the same (`Previous.reuse`, which also checks the
file's bytes). Files made from whole frames (contacts per month; the responses to one survey)
are keyed the same way by those frames.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from generator.digests import Records, record_classes, value_digest
from generator.digests import digest as _digest
from generator.memo import NO_MEMO, Memo
from generator.portfolio import Portfolio
from generator.render.plan import ClientData, ClientInputs, Inputs, ValueInputs
from generator.speed.cache import code_version


def templates_digest(environment: jinja2.Environment) -> bytes | None:
    """Every file the environment's loaders can read; None for a loader that is not folders on disk."""
    loader = environment.loader
    loaders = loader.loaders if isinstance(loader, jinja2.ChoiceLoader) else [loader]
    parts: list[bytes] = []
    for each in loaders:
        if not isinstance(each, jinja2.FileSystemLoader):
            return None
        for folder in each.searchpath:
            root = Path(folder)
            parts.append(str(root.resolve()).encode())
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    parts += [path.relative_to(root).as_posix().encode(), path.read_bytes()]
    return _digest(*parts)


def shared_digest(portfolio: Portfolio, environment: jinja2.Environment) -> bytes | None:
    """What every dashboard page depends on; None when the templates cannot be told apart."""
    templates = templates_digest(environment)
    if templates is None:
        return None
    return _digest(
        code_version(), templates, portfolio.settings.model_dump_json().encode(),
        *(survey.model_dump_json().encode() for survey in portfolio.surveys), portfolio.as_of.isoformat().encode(),
    )


@dataclass(frozen=True)
class DataDigests:
    """Digests of the portfolio's data: per client, per frame, and of every client record."""

    clients: dict[str, bytes]  # a client's record, contacts and responses
    frames: dict[str, bytes]   # "contacts", "responses/<survey id>": every row, in file order
    records: bytes             # every client record, in id order
    json: Mapping[str, str] = field(default_factory=dict)  # each client record's JSON, by client id
    rows: dict[str, dict[str, bytes]] = field(default_factory=dict)  # per frame, per client: its rows, in file order


def data_digests(portfolio: Portfolio, memo: Memo = NO_MEMO) -> DataDigests:
    """The digests of `portfolio`, from the row hashes the loader made (a few hundredths of a second at 1,000 clients).

    A frame's digests per client are kept in `memo` under the digest of all its rows: a rebuild
    after a new response groups that survey's rows again, not the contact log's.
    """
    frames = {"contacts": portfolio.contacts, **{f"responses/{s.id}": portfolio.responses[s.id] for s in portfolio.surveys}}
    by_client, whole = {}, {}
    for name, frame in frames.items():
        hashes = portfolio.hashes(name)
        whole[name] = _digest(hashes.tobytes())
        entry, key = "page-rows-" + name.replace("/", "-"), [name.encode(), whole[name]]
        kept = memo.get(entry, key)
        if isinstance(kept, dict):
            by_client[name] = kept
        else:
            by_client[name] = _by_client(frame, hashes)
            memo.put(entry, key, by_client[name])
    json = portfolio.records_json
    records = {client_id: text.encode() for client_id, text in json.items()}
    return DataDigests(
        clients={client_id: _digest(record, *(found.get(client_id, b"") for found in by_client.values()))
                 for client_id, record in records.items()},
        frames=whole,
        records=_digest(*records.values()),
        json=json,
        rows=by_client,
    )


def _by_client(frame: pd.DataFrame, hashes: np.ndarray) -> dict[str, bytes]:
    """Per value of `client`, a digest of the hashes of its rows, in file order."""
    if frame.empty:
        return {}
    codes, clients = pd.factorize(frame["client"], sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(clients)))[:-1]
    return {client: _digest(rows.tobytes()) for client, rows in zip(clients.tolist(), np.split(hashes[order], bounds))}


@dataclass(frozen=True)
class PageInputs:
    """The digests pages are keyed by: what all share, and the data's."""

    shared: bytes
    data: DataDigests
    records: Records = field(default_factory=dict)  # each client record's JSON, made once for every page that lists it
    # each client page's digest (and the row it is of), by client id: taken once per process, for its page and every
    # list holding the client
    pages: dict[str, tuple[object, bytes]] = field(default_factory=dict, compare=False)
    classes: tuple[type, ...] | None = field(default=None, compare=False)  # `value_digest`'s, found once per build
    keys: dict[tuple[str, ...], bytes] = field(default_factory=dict, compare=False)  # a digest of each kind of row's keys
    # the digests of exact values (`ValueInputs.exact`) by path, with the value and what every page shared then: the last
    # build's (held by `rapport serve`: `SpeedSession.run`), and this build's
    exact_before: dict[str, tuple[object, bytes, str]] = field(default_factory=dict, compare=False)
    exact: dict[str, tuple[object, bytes, str]] = field(default_factory=dict, compare=False)

    def of(self, inputs: Inputs, path: str) -> str:
        """The digest of a plan job's inputs (generator/render/plan.py); '' when unknown."""
        if isinstance(inputs, ClientInputs):
            return self._client_page(inputs).hex()
        if isinstance(inputs, ValueInputs):
            if inputs.exact and not inputs.clients:
                return self._exact_value(path, inputs.value)
            return self.from_value(path, inputs.value, inputs.clients)
        return self.from_frames(path.removeprefix("dashboard/"), inputs.frames)

    def client_page(self, row: Mapping[str, Any]) -> str:
        """A client's page: shared, the client's data, its metrics row (without the record, digested already)."""
        return self._page_of_row(ClientInputs(row["id"], row)).hex()

    def _page_of_row(self, inputs: ClientInputs) -> bytes:
        """`client_page` as bytes (b'' when unknown)."""
        own = self.data.clients.get(inputs.client_id)
        if own is None:
            return b""
        # the row's keys (the same few dozen in every row: digested once) and its values in their order, which
        # pickle faster than the row itself
        names, values = inputs.row_values
        keys = self.keys.get(names)
        if keys is None:
            keys = self.keys[names] = _digest(pickle.dumps([key for key in names if key != "client"], protocol=4))
        return _digest(self.shared, own, keys, values)

    def _client_page(self, inputs: ClientInputs) -> bytes:
        """`client_page` of these inputs as bytes (b'' when unknown), taken once per process."""
        found = self.pages.get(inputs.client_id)
        if found is None or found[0] is not inputs.row:
            found = self.pages[inputs.client_id] = (inputs.row, self._page_of_row(inputs))
        return found[1]

    def _client_data(self, inputs: ClientData) -> bytes:
        """A client's record and its rows of some frames (b'' when unknown)."""
        record = self.data.json.get(inputs.client_id)
        if record is None or any(frame not in self.data.rows for frame in inputs.frames):
            return b""
        return _digest(record.encode(), *(self.data.rows[frame].get(inputs.client_id, b"") for frame in inputs.frames))

    def from_value(self, path: str, value: object, clients: tuple[ClientInputs | ClientData, ...] = ()) -> str:
        """A file made from one value and the named clients' inputs (and what every page shares); '' when any of them
        cannot be known (a value that cannot be pickled, a client without data)."""
        # a tag per kind: a client's page digest never stands for the same client's data digest
        parts = [b"P" + self._client_page(each) if isinstance(each, ClientInputs) else b"D" + self._client_data(each)
                 for each in clients]
        if any(len(part) == 1 for part in parts):
            return ""
        try:
            data = value_digest(_dates_as_bytes(value), self.records, self.classes)
        except Exception:  # not plain data: the page is made by every build
            return ""
        return _digest(self.shared, path.encode(), data, *parts).hex()

    def _exact_value(self, path: str, value: object) -> str:
        """`from_value` of an exact value: the last build's digest of an equal value under the same shared digest."""
        found = self.exact_before.get(path)
        if found is not None and found[1] == self.shared and found[0] == value:
            self.exact[path] = found
            return found[2]
        made = self.from_value(path, value)
        if made:
            self.exact[path] = (value, self.shared, made)
        return made

    def from_frames(self, name: str, frames: tuple[str, ...]) -> str:
        """A file made from whole frames of the data (and every client record, for names)."""
        if any(frame not in self.data.frames for frame in frames):
            return ""
        return _digest(self.shared, name.encode(), self.data.records, *(self.data.frames[f] for f in frames)).hex()

    def with_records(self, portfolio: Portfolio, exact: dict[str, tuple[object, bytes, str]] | None = None) -> PageInputs:
        """These digests, with the JSON of `portfolio`'s records (written once for the data's digests) ready for every page
        (and `exact`: the last build's digests of exact values)."""
        records: Records = {id(client): (client, self.data.json[client.id]) for client in portfolio.clients
                            if client.id in self.data.json}
        return dataclasses.replace(self, records=records, pages={}, classes=record_classes(), keys={},
                                   exact_before=exact or {}, exact={})


# the types `_dates_as_bytes` leaves where they are without a look inside
_ATOMS = frozenset((str, int, float, bool, type(None)))


def _dates_as_bytes(value: object) -> object:
    """The value with every date inside its dicts, lists and tuples written as bytes, and every bytes as a pair.

    A page's rows hold a dozen dates each, and a pickle written without a memo (`value_digest`)
    looks the date class up again for every one of them: most of the digest's time. Bytes pickle
    as they are. The mapping stays one-to-one: a date becomes `b"D"` and its day number, a bytes
    value `(b"B", value)`, so no bytes of the result was a bytes of the value, and no tuple of the
    result that starts with bytes was a tuple of it. Other objects (records, dataclasses, named
    tuples) are left as they were, dates and all: turned into tuples here, they cost more than they save.
    """
    kind: type = type(value)
    if kind is dict:
        return {key: item if type(item) in _ATOMS else _dates_as_bytes(item) for key, item in value.items()}  # type: ignore[attr-defined]  # a dict
    if kind is list:
        return [item if type(item) in _ATOMS else _dates_as_bytes(item) for item in value]  # type: ignore[attr-defined]  # a list
    if kind is tuple:
        return tuple([item if type(item) in _ATOMS else _dates_as_bytes(item) for item in value])  # type: ignore[attr-defined]  # a tuple
    if kind is dt.date:
        return b"D" + value.toordinal().to_bytes(4, "little")  # type: ignore[attr-defined]  # a date
    if kind is bytes:
        return (b"B", value)
    return value


def page_digests(portfolio: Portfolio, environment: jinja2.Environment, memo: Memo = NO_MEMO,
                 data: DataDigests | None = None) -> PageInputs | None:
    """The digests for this build, as plain data another process can send (see `with_records`); None when
    they cannot be known (templates not from folders). `data`: the portfolio's `data_digests`, when made already."""
    shared = shared_digest(portfolio, environment)
    if shared is None:
        return None
    return PageInputs(shared, data if data is not None else data_digests(portfolio, memo))

