"""The memo kept on disk: values the stages derive from the data, kept between builds.

A rebuild after one new response reads `contacts.csv` (a hundred thousand rows at 1,000
clients) and `clients.yaml` exactly as they were: checking them again is most of the load
stage. Each value is kept in `.rapport/cache/` beside the data folder (git-ignored, like the
site secret there), keyed by a digest of what the stage says it is a function of (the file's
bytes, the client ids, the survey: generator/load/keys.py) and of this package's code and
library versions. One entry per name: a new value replaces the old. Only values computed
without a problem are kept, so every message a problem gives comes from the checks themselves.

The entries are pickles: whoever can write into `.rapport/` can change the data, the secret
and the code as well. A cache that cannot be read or written is simply not used. New entries
are written when `flush()` is called (the speed layer does it on whichever core is free), or by
the fork that made them (`write_now`).

A process that builds again and again (`rapport serve`) hands every build the same `Kept`:
the entries as this process last read or wrote them, in memory, so that a rebuild unpickles
only what changed, and writes them once the build has ended rather than while it runs. Each file on disk starts with its key and a token drawn when the entry was
written; a value is taken from memory only when the file holds the same key and token, so an
entry another process wrote since (a `rapport build` beside the preview), even under the same
key, is read from disk.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from generator.digests import digest
from generator.errors import Problem
from generator.keys import cache_folder
from generator.load.keys import bytes_key, file_key
from generator.memo import Extend
from generator.unchanged import PACKAGE, library_versions  # one list of what a build's bytes depend on

Value = TypeVar("Value")


@functools.cache
def code_version() -> bytes:
    """This package's source, and the versions of Python and of the libraries the build uses."""
    parts = [sys.version.encode()]
    parts.append(library_versions().encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        # by their digests, made already when `rapport build` checked whether anything changed (generator/unchanged.py)
        parts += [path.relative_to(PACKAGE).as_posix().encode(), file_key(path)]
    return digest(*parts)


TOKEN_BYTES = 16  # after the key in each entry's file: which writing of the entry it is


class Kept:
    """The memo's entries as one process last read or wrote them: (folder, name) → (key, token, value), one per name.

    The values are shared by the builds that read them, as the stages share a value within
    one build: no stage changes a value it was given (tests/test_speed_kept.py builds with and
    without them after every kind of change and compares the bytes).
    """

    def __init__(self, defer_writes: bool = False) -> None:
        self._entries: dict[tuple[Path, str], tuple[bytes, Any]] = {}
        self._held: dict[tuple[Path | None, str], tuple[bytes, Any]] = {}  # `DiskMemo.hold`'s, in memory only
        # `defer_writes`: new entries are written by `write_deferred()`, once the build that made them has ended
        # (its pages are shown sooner); till then they are in memory only, and a reader elsewhere misses them
        self._deferred: list[Callable[[], None]] | None = [] if defer_writes else None

    def defer(self, writes: list[Callable[[], None]]) -> bool:
        """Take `writes` for `write_deferred()` when this keeps writes for later (False: do them now)."""
        if self._deferred is None:
            return False
        self._deferred += writes
        return True

    def write_deferred(self) -> None:
        """Write the entries the builds since the last call made (in the order they were made)."""
        while self._deferred:
            self._deferred.pop(0)()

    def find(self, folder: Path, name: str, header: bytes) -> tuple[Any] | None:
        """The value of `name` kept under exactly `header` (its key and token), else None."""
        found = self._entries.get((folder, name))
        return (found[1],) if found is not None and found[0] == header else None

    def keep(self, folder: Path, name: str, header: bytes, value: Any) -> None:
        """Remember `value` as the entry `name` written with `header` (replacing the one before)."""
        self._entries[(folder, name)] = (header, value)

    def held(self, folder: Path | None, name: str, key: bytes) -> Any | None:
        """The value `hold` kept as `name` under exactly `key`, else None (and one under another key is let go: its
        successor, about to be made, replaces it)."""
        found = self._held.get((folder, name))
        if found is not None and found[0] != key:
            del self._held[(folder, name)]
            return None
        return found[1] if found is not None else None

    def hold(self, folder: Path | None, name: str, key: bytes, value: Any) -> None:
        """Keep `value` as `name` under `key` in memory only (replacing the one before): no file, no token, as
        the key alone says what the value is a function of."""
        self._held[(folder, name)] = (key, value)


class DiskMemo:
    """The memo of one data folder, in `<project>/.rapport/cache/` (generator/memo.py says what a memo is)."""

    def __init__(self, folder: Path | None, kept: Kept | None = None):
        self.folder = folder
        self.kept = kept  # the entries in memory between builds, when one process builds again (rapport serve)
        self.pending: list[tuple[str, bytes, Any]] = []  # new entries, written by flush()
        self._first: dict[Path, bytes] = {}  # each grown file's key when this memo first read it

    @classmethod
    def for_data(cls, data_dir: Path, kept: Kept | None = None) -> DiskMemo:
        """The memo beside the data folder (the folder of the site secret)."""
        return cls(cache_folder(data_dir), kept)

    def load(self, name: str, key_parts: list[bytes], compute: Callable[[], Value], problems: list[Problem]) -> Value:
        """`compute()`, or its value from the last build when the key is the same and it had no problem."""
        key = self._key(name, key_parts)
        found = self._read(name, key)
        if found is not None:
            return found[0]  # type: ignore[no-any-return]  # a pickle holds what was computed under this key
        before = len(problems)
        value = compute()
        if len(problems) == before:
            self.pending.append((name, key, value))
        return value

    def load_grown(self, name: str, key_parts: list[bytes], path: Path, compute: Callable[[], Value],
                   extend: Extend[Value], problems: list[Problem]) -> Value:
        """`load` of a value of a file that grows by appending, kept with the file's length and digest:
        when the file is the kept one plus bytes at its end, `extend` gives the value from the kept one."""
        key = self._key(name, [b"grown", *key_parts])
        # a file saved while a build reads it (`rapport serve`): what was made from it is kept only if it is still the
        # file the build first read — a value of the earlier bytes under the later ones' key would be taken as theirs
        first = self._first.setdefault(path, file_key(path))
        found = self._read(name, key)
        value: Value | None = None
        size = -1
        if found is not None:
            length, kept_key, kept = found[0]
            if file_key(path) == kept_key:
                return kept  # type: ignore[no-any-return]  # a pickle holds what was computed under this key
            with contextlib.suppress(OSError):
                data = path.read_bytes()
                size = len(data)
                if size > length and bytes_key(memoryview(data)[:length]) == kept_key:
                    value = extend(kept, data, length)
        before = len(problems)
        if value is None:
            value = compute()
        if len(problems) == before and file_key(path) == first:
            with contextlib.suppress(OSError):
                size = path.stat().st_size if size < 0 else size
                self.pending.append((name, key, (size, first, value)))
        return value

    def get(self, name: str, key_parts: list[bytes]) -> Any | None:
        """The entry `name` when it was stored under the same key (and code), else None."""
        found = self._read(name, self._key(name, key_parts))
        return None if found is None else found[0]

    def put(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Keep `value` as the entry `name`, written at the next `flush()`."""
        self.pending.append((name, self._key(name, key_parts), value))

    def held(self, name: str, key_parts: list[bytes]) -> Any | None:
        """The value `hold` kept under `name` with this key (and code) in this process's `Kept`, else None."""
        return self.kept.held(self.folder, name, self._key(name, key_parts)) if self.kept is not None else None

    def hold(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Keep `value` in this process's `Kept` only (none: not at all), never on disk."""
        if self.kept is not None:
            self.kept.hold(self.folder, name, self._key(name, key_parts), value)

    def writes(self) -> list[Callable[[], None]]:
        """The new entries as functions that write them, for whichever process has time; taken off `flush`'s list."""
        pending = self._take()
        writes: list[Callable[[], None]] = [functools.partial(self._write, name, header, value) for name, header, value in pending]
        return [] if self.kept is not None and self.kept.defer(writes) else writes

    def write_now(self, entries: list[tuple[str, bytes, Any]]) -> None:
        """Write entries as `pending` holds them (a fork's, which this memo's own list never had)."""
        for name, key, value in entries:
            self._write(name, key + os.urandom(TOKEN_BYTES), value)

    def flush(self) -> None:
        """Write the new entries (or leave them to `Kept.write_deferred`)."""
        for write in self.writes():
            write()

    def _take(self) -> list[tuple[str, bytes, Any]]:
        """The new entries, off the list, each with the header its file will start with (key, then a new token);
        kept in memory here, as they are about to be on disk (written maybe by a fork)."""
        pending, self.pending = self.pending, []
        entries = [(name, key + os.urandom(TOKEN_BYTES), value) for name, key, value in pending]
        if self.kept is not None and self.folder is not None:
            for name, header, value in entries:
                self.kept.keep(self.folder, name, header, value)
        return entries

    def _key(self, name: str, key_parts: list[bytes]) -> bytes:
        return digest(code_version(), name.encode(), *key_parts)

    def _path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{name}.pickle"

    def _read(self, name: str, key: bytes) -> tuple[Any] | None:
        if self.folder is None:
            return None
        try:
            with open(self._path(name), "rb") as handle:
                header = handle.read(len(key) + TOKEN_BYTES)
                if header[:len(key)] != key:
                    return None
                # the same writing of the entry as the one in memory: its value, not unpickled again
                found = self.kept.find(self.folder, name, header) if self.kept is not None else None
                if found is None:
                    found = (pickle.load(handle),)
                    if self.kept is not None:
                        self.kept.keep(self.folder, name, header, found[0])
                return found
        except Exception:  # a missing, partial or foreign entry is a miss
            return None

    def _write(self, name: str, header: bytes, value: Any) -> None:
        if self.folder is None:
            return
        value = _compact(value)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            ignore = self.folder.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=self.folder)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(header)
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
