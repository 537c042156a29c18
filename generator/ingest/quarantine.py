"""Rejected records: kept whole in `data/quarantine/<source>-<date>.csv` with their reason.

A record is stored exactly as it arrived (as JSON text), with where it came from (file and
line for imports) and why it was refused. The same record refused for the same reason is
stored once: re-importing a file adds nothing here either. The files are only ever appended
to (never rewritten), and the collector bounds them (`QuarantineBound`): a stranger can fill
the quarantine, but not the disk, and not slow every later request by making it bigger.

The consultant opens these files in a spreadsheet, and most cells repeat what a stranger sent
(a column name, a survey id, a file name): a text cell that a spreadsheet would run as a
formula gets a leading `'`, as in the dashboards' CSV exports. Two cells are left exactly as
written: `record`, the JSON of what arrived (JSON never starts with a formula; a negative
number is only a number), and `key`, hex digits that earlier files are matched by.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.csv_text import csv_lines, spreadsheet_text
from generator.ingest.append import fsync_folder, read_bytes, read_table
from generator.load.held import QUARANTINE_FOLDER

QUARANTINE_COLUMNS = ("received_at", "source", "file", "line", "reason", "detail", "survey", "record", "key")


@dataclass(frozen=True)
class Rejected:
    """One refused record: the reason is a short code (`too_fast`, `out_of_range: recommend=11`)."""

    source: str
    reason: str
    detail: str
    record: Any
    survey: str = ""
    file: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        """Identity of the refusal: source, reason and record (not when or from which copy)."""
        payload = json.dumps([self.source, self.reason, self.record], sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(payload.encode("ascii")).hexdigest()[:24]


def record_text(record: Any) -> str:
    """The record as JSON text; escapes only what UTF-8 cannot hold (lone surrogates)."""
    text = json.dumps(record, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record, ensure_ascii=True, default=str)
    return text


def quarantine_path(data_dir: Path, source: str, day: dt.date) -> Path:
    """`data/quarantine/<source>-<YYYY-MM-DD>.csv`."""
    return data_dir / QUARANTINE_FOLDER / f"{source}-{day.isoformat()}.csv"


@dataclass(frozen=True)
class QuarantineBound:
    """At most this many bytes and entries per source; None is no bound (imports)."""

    max_bytes: int | None = None
    max_entries: int | None = None


@dataclass
class QuarantineWrite:
    """Where each stored refusal is (by key), and the keys refused because the bound was reached."""

    where: dict[str, Path] = field(default_factory=dict)
    full: set[str] = field(default_factory=set)


@dataclass
class _FileIndex:
    signature: tuple[int, int, int]
    keys: set[str]
    entries: int


class QuarantineStore:
    """The quarantine folder: files only ever appended to, their keys indexed, an optional bound.

    A file is read again only when its size or time changed since this store last saw it, so
    a long-running collector pays for each refusal once, not once per request.
    """

    def __init__(self, data_dir: Path, bound: QuarantineBound | None = None):
        self.data_dir = data_dir
        self.bound = bound or QuarantineBound()
        self._index: dict[Path, _FileIndex] = {}

    def write(self, rejected: Iterable[Rejected], received_at: dt.datetime, write: bool = True) -> QuarantineWrite:
        """Append the refusals not already stored, while the bound allows (caller holds the data lock).

        With `write=False` (a dry run) only says where they would go.
        """
        by_source: dict[str, list[Rejected]] = {}
        for item in rejected:
            by_source.setdefault(item.source, []).append(item)
        result = QuarantineWrite()
        for source, items in by_source.items():
            files = self._refresh(source)
            known = {key: path for path, index in files.items() for key in index.keys}
            used_bytes = sum(index.signature[1] for index in files.values())
            used_entries = sum(index.entries for index in files.values())
            target = quarantine_path(self.data_dir, source, received_at.date())
            rows: list[tuple[str, list[str]]] = []
            for item in items:
                if item.key in known:
                    result.where[item.key] = known[item.key]
                    continue
                texts = [received_at.isoformat(timespec="seconds"), item.source, item.file,
                         str(item.line) if item.line else "", item.reason, item.detail, item.survey]
                row = [*map(spreadsheet_text, texts), record_text(item.record), item.key]
                size = len(csv_lines([row]))
                if self._over(used_bytes + size, used_entries + 1):
                    result.full.add(item.key)
                    continue
                used_bytes, used_entries = used_bytes + size, used_entries + 1
                known[item.key] = target
                result.where[item.key] = target
                rows.append((item.key, row))
            if rows and write:
                self._append(target, rows)
        return result

    def _over(self, size: int, entries: int) -> bool:
        bound = self.bound
        return (bound.max_bytes is not None and size > bound.max_bytes) or \
               (bound.max_entries is not None and entries > bound.max_entries)

    def _append(self, target: Path, rows: list[tuple[str, list[str]]]) -> None:
        """Add the rows at the end of the file (a header first if it is new), flushed to disk."""
        target.parent.mkdir(parents=True, exist_ok=True)
        created = not target.exists()
        with target.open("ab") as handle:
            start = handle.tell()
            head = b""
            if start == 0:
                head = csv_lines([list(QUARANTINE_COLUMNS)])
            elif _last_byte(target) != b"\n":
                head = b"\n"  # a write cut short by a crash must not run into the next row
            handle.write(head + csv_lines([row for _, row in rows]))
            handle.flush()
            os.fsync(handle.fileno())
        if created:
            fsync_folder(target.parent)
        previous = self._index.get(target)
        keys = (previous.keys if previous else set()) | {key for key, _ in rows}
        entries = (previous.entries if previous else 0) + len(rows)
        self._index[target] = _FileIndex(_signature(target), keys, entries)

    def _refresh(self, source: str) -> dict[Path, _FileIndex]:
        """This source's files, each re-read only when it changed since it was last indexed."""
        folder = self.data_dir / QUARANTINE_FOLDER
        paths = sorted(folder.glob(f"{source}-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].csv")) if folder.is_dir() else []
        files: dict[Path, _FileIndex] = {}
        for path in paths:
            try:
                signature = _signature(path)
            except FileNotFoundError:
                continue
            cached = self._index.get(path)
            if cached is None or cached.signature != signature:
                cached = _read_index(path, signature)
                self._index[path] = cached
            files[path] = cached
        return files


def write_quarantine(data_dir: Path, rejected: Iterable[Rejected], received_at: dt.datetime,
                     write: bool = True) -> dict[str, Path]:
    """Append the refusals not already stored (no bound); return each one's key → the file holding it.

    The caller holds the data lock. With `write=False` only says where they would go.
    """
    return QuarantineStore(data_dir).write(rejected, received_at, write).where


def _read_index(path: Path, signature: tuple[int, int, int]) -> _FileIndex:
    """The keys and the number of entries of one quarantine file."""
    try:
        header, rows = read_table(read_bytes(path))
    except ValueError:
        return _FileIndex(signature, set(), 0)  # an unreadable quarantine file only costs a repeated entry
    if "key" not in header:
        return _FileIndex(signature, set(), len(rows))
    column = header.index("key")
    return _FileIndex(signature, {row[column] for row in rows if column < len(row)}, len(rows))


def _signature(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)

