"""The only way anything is written into `data/`: under one lock, by atomic replacement.

Every writer (collector, importers, `rapport log`) holds `data/.rapport.lock` (an exclusive
`flock`) while it reads a file, decides what to add, and swaps in the old bytes plus the new
rows. The swap is a temporary file in the same folder, flushed and fsynced, then
`os.replace`d over the original and the folder fsynced, so a reader or a crash sees either
the old file or the new one, never half of one. The quarantine, under the same lock, is
the one exception: its files are only appended to (generator/ingest/quarantine.py), so that
a stranger filling it cannot make every later write copy a bigger file.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator.csv_text import csv_lines, reader

LOCK_NAME = ".rapport.lock"
TEMP_SUFFIX = ".rapport-tmp"

# flock already excludes other open files of this process; the thread lock keeps one
# process's own writers in order without each of them opening the lock file at once
_PROCESS_LOCK = threading.Lock()


@contextlib.contextmanager
def data_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's write lock (other processes and threads wait)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with _PROCESS_LOCK:
        descriptor = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def replace_atomically(path: Path, content: bytes) -> None:
    """Make `path` hold exactly `content`, all at once; on failure it keeps its old bytes."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_folder(folder)


def _remove_stale_temporaries(path: Path) -> None:
    """Temporaries left by a writer that died mid-write (we hold the lock: none is live)."""
    for stale in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def appended(current: bytes | None, header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """The file's new bytes: the old ones untouched, then the rows (a header first if new)."""
    if current is None or current.strip() == b"":
        return csv_lines([header, *rows])
    # a last line without its newline would otherwise run into the first new row
    separator = b"" if current.endswith(b"\n") else b"\n"
    return current + separator + csv_lines(rows)


def table_to_append(path: Path, content: bytes | None, columns: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file about to grow (`columns` and none for a new or empty file).

    Raises ValueError naming the file (and line 1 for the header) when it is not UTF-8 CSV or
    its header lacks one of `columns`; each writer adds what it did not do.
    """
    try:
        header, rows = read_table(content)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    if not header:
        return list(columns), []
    missing = [column for column in columns if column not in header]
    if missing:
        raise ValueError(f"{path}:1: header lacks {', '.join(missing)} (expected {','.join(columns)})")
    return header, rows


def read_table(content: bytes | None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of CSV bytes (`[]`, `[]` for a missing or empty file).

    Raises ValueError when the bytes are not UTF-8 CSV.
    """
    if content is None:
        return [], []
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        records = [row for row in reader(text) if row]
    except csv.Error as exc:
        raise ValueError(f"not valid CSV: {exc}") from None
    if not records:
        return [], []
    header = [cell.strip().lstrip("\ufeff") for cell in records[0]]
    return header, records[1:]
