"""A cache of validated data files, so that a build does not parse and check again what did not change.

A rebuild after one new response reads `contacts.csv` (a hundred thousand rows at 1,000
clients) and `clients.yaml` exactly as they were: checking them again is most of the load
stage. Each loaded file is kept in `.rapport/cache/` beside the data folder (git-ignored, like
the site secret there), keyed by a digest of the file's bytes, of whatever else its checks
read (the client ids, the survey), and of this package's code and library versions. One entry
per file: a changed file replaces its entry. Only files that loaded without a problem are
kept, so every message a problem gives comes from the checks themselves.

Later stages keep here, the same way, what they derive from the data alone: the row hashes
behind the page digests (render/fingerprints.py), the KPI tiles' earlier quarter ends, the
leak gate's words of each free text, and the compiled templates.

The entries are pickles: whoever can write into `.rapport/` can change the data, the secret
and the code as well. A cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from generator.errors import Problem
from generator.model import Survey

PACKAGE = Path(__file__).resolve().parent.parent
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "orjson", "pandas", "numpy", "pydantic", "pyyaml")
Value = TypeVar("Value")
_FILE_KEYS: dict[tuple, bytes] = {}


def digest(*parts: bytes) -> bytes:
    """A digest of several byte strings, each length-prefixed so that their boundaries count."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.digest()


@functools.cache
def code_version() -> bytes:
    """This package's source, and the versions of Python and of the libraries the build uses."""
    parts = [sys.version.encode()]
    for name in LIBRARIES:
        try:
            parts.append(f"{name} {importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            parts.append(name.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        parts += [path.relative_to(PACKAGE).as_posix().encode(), path.read_bytes()]
    return digest(*parts)


def file_key(path: Path) -> bytes:
    """A digest of a file's bytes for a cache key; a marker when it cannot be read (the loader reports why).

    Kept per file version (size, time, inode) in this process, so a build reads a large file
    once for its keys however many parts of it ask.
    """
    try:
        stat = path.stat()
        version = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if version not in _FILE_KEYS:
            if len(_FILE_KEYS) > 256:  # a long-running preview: forget older versions
                _FILE_KEYS.clear()
            _FILE_KEYS[version] = b"file\x00" + digest(path.read_bytes())
        return _FILE_KEYS[version]
    except OSError:
        return b"missing"


def ids_key(client_ids: Collection[str] | None) -> bytes:
    """The client ids a file's checks compare against, for a cache key (None: clients.yaml unreadable)."""
    return b"unknown" if client_ids is None else "\x00".join(sorted(client_ids)).encode()


def contacts_key(data_dir: Path, client_ids: Collection[str] | None) -> list[bytes]:
    """Everything the loaded contacts frame is a function of (besides the code)."""
    return [file_key(data_dir / "contacts.csv"), ids_key(client_ids)]


def responses_key(path: Path, survey: Survey, client_ids: Collection[str] | None) -> list[bytes]:
    """Everything one survey's loaded responses frame is a function of (besides the code)."""
    return [file_key(path), survey.model_dump_json().encode(), ids_key(client_ids)]


class LoadCache:
    """Validated files of one data folder, in `<project>/.rapport/cache/`."""

    def __init__(self, folder: Path | None, deferred: list[Callable[[], None]] | None = None):
        self.folder = folder
        self.deferred = deferred  # when a list: new entries are written by calling what is put in it

    @classmethod
    def for_data(cls, data_dir: Path, deferred: list[Callable[[], None]] | None = None) -> LoadCache:
        """The cache beside the data folder (the folder of the site secret).

        With `deferred`, writing new entries is left to the caller (a build does it on its second
        core); by default they are written at once.
        """
        return cls(data_dir.resolve().parent / ".rapport" / "cache", deferred)

    def load(self, name: str, key_parts: list[bytes], compute: Callable[[], Value], problems: list[Problem]) -> Value:
        """`compute()`, or its value from the last build when the key is the same and it had no problem."""
        if self.folder is None:
            return compute()
        key = digest(code_version(), name.encode(), *key_parts)
        found = self._read(name, key)
        if found is not None:
            return found[0]
        before = len(problems)
        value = compute()
        if len(problems) == before:
            self._store(name, key, value)
        return value

    def remember(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Store `value` as the entry `name` (now, or with the deferred writes)."""
        if self.folder is not None:
            self._store(name, digest(code_version(), name.encode(), *key_parts), value)

    def _store(self, name: str, key: bytes, value: Any) -> None:
        if self.deferred is None:
            self._write(name, key, value)
        else:
            self.deferred.append(functools.partial(self._write, name, key, value))

    def get(self, name: str, key_parts: list[bytes]) -> Any | None:
        """The entry `name` when it was stored under the same key (and code), else None."""
        if self.folder is None:
            return None
        found = self._read(name, digest(code_version(), name.encode(), *key_parts))
        return None if found is None else found[0]

    def put(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Store `value` as the entry `name` (replacing what was there)."""
        if self.folder is not None:
            self._write(name, digest(code_version(), name.encode(), *key_parts), value)

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.pickle"

    def _read(self, name: str, key: bytes) -> tuple[Any] | None:
        try:
            with open(self._path(name), "rb") as handle:
                if handle.read(len(key)) != key:
                    return None
                return (pickle.load(handle),)
        except Exception:  # noqa: BLE001 - a missing, partial or foreign entry is a miss
            return None

    def _write(self, name: str, key: bytes, value: Any) -> None:
        value = _compact(value)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            ignore = self.folder.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=self.folder)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(key)
                    pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self._path(name))  # whole or not at all, even with two builds at once
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only project folder: build without the cache


def _compact(value: Any) -> Any:
    """The value with each text column of a frame holding one object per distinct text.

    The csv module makes a new string for every cell; a column of 130,000 client ids holds
    1,000 distinct ones. Shared, they pickle and unpickle four times faster and a third the size.
    """
    if isinstance(value, tuple):
        return tuple(_compact(item) for item in value)
    if not isinstance(value, pd.DataFrame):
        return value
    frame = value.copy(deep=False)
    for column in frame.columns:
        if frame[column].dtype == object:
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
            frame[column] = pd.Series(np.asarray(uniques, dtype=object).take(codes), index=frame.index, dtype=object)
    return frame
