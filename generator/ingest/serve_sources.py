"""What the sources `rapport serve` watches look like: a signature of their files, and when a save is whole.

A save rewrites a file (a new size or time) or replaces it (a new inode): the signature of the
data folder and the template folders changes with every save, and a watcher event that comes
after the build that already read the saved bytes finds it the same (generator/ingest/serve.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

Signature = tuple[str, tuple[tuple[str, int, int, int], ...]]  # the report date; (path, inode, size, time) of each file
QUIET_S = 0.05  # a build goes on to its pages once no watched file was written for this long before (`settled`)
QUIET_AT_MOST_S = 3.0  # a file written to without a pause for longer is built as it is then
STEADY_S = 0.02  # between two looks at the watched files that must agree for a save to be whole
RECENT_S = 2.0  # a write that began longer ago than this has ended (no save takes so long)


def sources(folders: list[Path], as_of: dt.date) -> Signature:
    """What the files under `folders` look like now, and the report date."""
    return str(as_of), tuple(item for folder in folders for item in _stats(folder))


def data_changed(last: Signature, now: Signature, data_dir: Path) -> bool:
    """A file under the data folder changed between the two (a template edit changes every page alike)."""
    data = str(data_dir)
    return any(item[0].startswith(data) for item in {*last[1]}.symmetric_difference(now[1]))


def quiet(look: Callable[[], Signature]) -> Signature:
    """`look()` once the watched files are quiet: none written for QUIET_S, and two looks STEADY_S apart agree
    (waiting QUIET_AT_MOST_S at most).

    A save the collector reports, or a large one the watcher sees begin, may still be under
    way: built from its first bytes, it would be built again for its last ones. A file's time
    is set when a write begins, so a long write (megabytes in one call) shows only as a size
    that still grows.
    """
    deadline = time.monotonic() + QUIET_AT_MOST_S
    signature = look()
    while True:
        newest = _newest(signature)
        if time.time() - newest > RECENT_S:
            return signature  # nothing written lately: no write can be under way
        wait = max(newest + QUIET_S - time.time(), STEADY_S)
        if time.monotonic() + wait > deadline:
            return signature
        time.sleep(wait)
        again = look()
        if again == signature and time.time() - newest >= QUIET_S:
            return again
        signature = again


def settled(first: Signature, looked_at: float, look: Callable[[], Signature]) -> bool:
    """Whether the files were whole when `look()` found them `first` at `looked_at` (time.time()), by `quiet`'s rule:
    nothing written lately then, or a look now (once QUIET_S after their last write, STEADY_S after the first)
    finds them the same.

    What a build read between the two looks is what the second one finds: quiet, as if the
    build had waited for it to be so before it began (generator/ingest/serve.py).
    """
    newest = _newest(first)
    if looked_at - newest > RECENT_S:
        return True
    time.sleep(max(newest + QUIET_S - time.time(), looked_at + STEADY_S - time.time(), 0.0))
    return look() == first


def _newest(signature: Signature) -> float:
    """The time of the last write to any of the files (time.time())."""
    return max((item[3] for item in signature[1]), default=0) / 1e9


def _stats(folder: Path) -> Iterator[tuple[str, int, int, int]]:
    """(path, inode, size, modification time) of every file under folder, in a fixed order."""
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):  # gone meanwhile: it is not in the signature
                status = os.stat(path)
                yield path, status.st_ino, status.st_size, status.st_mtime_ns
