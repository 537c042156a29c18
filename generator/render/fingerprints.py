"""Digests of what a page is made from, so that a rebuild can reuse the pages whose inputs did not change.

A client's page is a function of that client's own data — its record, its contacts, its
responses and its row of the metrics table — and of what every page shares: the settings, the
surveys, the report date, the templates, this package's code and the versions of the libraries
that turn them into HTML. Its digest covers exactly those, at a cost of a few milliseconds per
hundred clients, against the milliseconds per client of making the page; the write stage keeps
it in the manifest (`OutputFile.inputs`), and the next build reuses the page when the digest is
the same (`Previous.reuse`, which also checks the file's bytes).

Whoever makes a client page depend on anything else (another client's data, say) must add it
to `client_digests` or `shared_digest`; tests/test_incremental.py compares rebuilds with clean
builds after each kind of change.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from generator.portfolio import Portfolio

LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "orjson", "pandas", "numpy", "pydantic")
PACKAGE = Path(__file__).resolve().parent.parent


def _digest(*parts: bytes) -> bytes:
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))  # so that ("ab", "c") and ("a", "bc") differ
        hasher.update(part)
    return hasher.digest()


@functools.cache
def code_version() -> bytes:
    """This package's source and the versions of Python and of the libraries pages depend on."""
    parts = [sys.version.encode()]
    for name in LIBRARIES:
        try:
            parts.append(f"{name} {importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            parts.append(name.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        parts += [path.relative_to(PACKAGE).as_posix().encode(), path.read_bytes()]
    return _digest(*parts)


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


def client_digests(portfolio: Portfolio) -> dict[str, bytes]:
    """Per client id, a digest of its record, its contacts and its responses (every column, in file order)."""
    contacts = _rows_by_client(portfolio.contacts)
    responses = [_rows_by_client(portfolio.responses[survey.id]) for survey in portfolio.surveys]
    return {
        client.id: _digest(client.model_dump_json().encode(), contacts.get(client.id, b""),
                           *(found.get(client.id, b"") for found in responses))
        for client in portfolio.clients
    }


def _rows_by_client(frame: pd.DataFrame) -> dict[str, bytes]:
    """Per value of `client`, the 64-bit hashes of its rows (pandas' own, stable across runs) as bytes."""
    if frame.empty:
        return {}
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    codes, clients = pd.factorize(frame["client"], sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(clients)))[:-1]
    return {client: rows.tobytes() for client, rows in zip(clients.tolist(), np.split(hashes[order], bounds))}


@dataclass(frozen=True)
class PageInputs:
    """The digests pages are keyed by: what all share, and each client's own data."""

    shared: bytes
    clients: dict[str, bytes]

    def client_page(self, row: dict) -> str:
        """The inputs digest of one client's page: shared, the client's data, its metrics row (without the record)."""
        own = self.clients.get(row["id"])
        if own is None:
            return ""
        values = {key: value for key, value in row.items() if key != "client"}
        return _digest(self.shared, own, pickle.dumps(values, protocol=4)).hex()


def page_inputs(
    portfolio: Portfolio, environment: jinja2.Environment, clients: dict[str, bytes] | None = None,
) -> PageInputs | None:
    """The digests for this build (`clients`: `client_digests(portfolio)` when made already); None if unknowable."""
    shared = shared_digest(portfolio, environment)
    if shared is None:
        return None
    return PageInputs(shared, client_digests(portfolio) if clients is None else clients)
