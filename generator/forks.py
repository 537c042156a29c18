"""Forked processes: when forking is safe, values made in one while this process goes on, and collecting it.

Work beside the build. While one core imports the stages, or computes the metrics, draws the
charts and plans the pages, the other has nothing to do. Some values need only what is at hand
already (the largest data files, before the stages are even imported; the KPI tiles' earlier
quarter ends and the leak gate's needles, once the portfolio is loaded): a forked process
makes them meanwhile, one after the other, and sends each back as soon as it is made. The fork
holds everything the functions read (they travel as their arguments, bound before the fork);
what comes back is each value and the memo entries it added (generator/speed/cache.py), which
this process then keeps as if it had made them itself.

The values travel through an unlinked temporary file, not the pipe: a pipe holds 64 KB, so a
fork sending the leak gate's needles (megabytes at 10,000 clients) through it would wait, with
all the memory it used, until the publish checks read them after the render. Written to the
file, they let it exit as soon as they are made; the pipe carries only where each one is.

A value the fork did not deliver (it failed, or forking is not safe or does not pay) is made
here when it is asked for, so an error is raised here with its usual traceback, and the plain
path (`Speed.off()`) gets the same value the same way.

The standard library only, and a foundation of the package: `rapport build` forks before it
imports the stages (generator/cli.py), and the speed layer (generator/speed/) forks its workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

__all__ = ["Beside", "Later", "can_fork", "give_back_memory", "reap_all", "reap_later", "reaped_peaks"]

Value = TypeVar("Value")
Entries = list[tuple[str, bytes, Any]]  # memo entries: (name, key, value), as DiskMemo.pending holds them
Keep = Callable[[Entries], None]  # what this process does with the memo entries the fork added


_EXITING: list[int] = []  # forks done with their work, not yet collected (see reap_later)
_PEAKS: list[int] = []  # the peak memory (KiB) of each fork collected, for a benchmark's figures (reaped_peaks)


def can_fork() -> bool:
    """Forking is safe here: Linux (macOS forks badly with its system frameworks) and one Python thread."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc `malloc_trim`); nothing elsewhere.

    Called before a fork: the metrics' temporary arrays leave hundreds of megabytes free but
    held in the heap (200 MB at 10,000 clients), and a fork starts with every page its parent
    holds resident counted in its own memory.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim` (the C library is loaded in this process already), or None where it has none."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
        return trim
    except (OSError, AttributeError):
        return None


def reap_later(pid: int) -> None:
    """Collect a worker that has delivered its result, without waiting for it to be gone.

    A forked worker shares hundreds of megabytes with this process; the kernel takes a tenth of
    a second or more to take them apart when it exits. Its result is in hand, so nothing needs
    to wait for that: it is collected whenever it is gone (checked again at each later call).
    """
    _EXITING.append(pid)
    for waiting in list(_EXITING):
        with contextlib.suppress(ChildProcessError):
            if not _collect(waiting, os.WNOHANG):
                continue
        _EXITING.remove(waiting)


def reap_all() -> None:
    """Wait for every worker left to `reap_later` (for a figure that counts them, like their peak memory)."""
    while _EXITING:
        with contextlib.suppress(ChildProcessError):
            _collect(_EXITING[0], 0)
        _EXITING.pop(0)


def reaped_peaks() -> list[int]:
    """The peak resident memory (KiB) of each worker collected so far in this process."""
    return list(_PEAKS)


def _collect(pid: int, options: int) -> bool:
    """Collect the worker if it is gone (True), noting its peak memory."""
    found, _, usage = os.wait4(pid, options)
    if found == 0:
        return False
    _PEAKS.append(usage.ru_maxrss)
    return True


class Beside:
    """Functions made in a forked process, in order, each value sent back when made."""

    def __init__(self, functions: Sequence[Callable[[], Any]], fork: bool,
                 pending: Callable[[], Entries] | None = None, keep: Keep | None = None, write: Keep | None = None):
        # `write`: what the fork does with the memo entries it added instead of sending them back (see _make_all)
        self.functions = list(functions)
        self.keep = keep
        self.pid = 0
        self.values: dict[int, tuple[bool, Any]] = {}  # index → (made, value) as received
        if not (fork and len(self.functions) and can_fork()):
            return
        try:
            # unlinked: gone when closed (in _done, once every value is in)
            self.spool = tempfile.TemporaryFile(prefix="rapport-beside-")  # noqa: SIM115
        except OSError:
            return
        receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
        sys.stdout.flush()
        sys.stderr.flush()
        give_back_memory()
        self.pid = os.fork()
        if self.pid == 0:  # the fork: make each value, send it, leave without the parent's exit handlers
            try:
                receiver.close()
                _make_all(self.functions, sender, self.spool.fileno(), pending, write)
            finally:
                os._exit(0)
        sender.close()
        self.receiver = receiver

    def later(self, index: int) -> Later[Any]:
        """The value of the index-th function, when asked for."""
        return Later(self, index)

    def result(self, index: int) -> Any:
        """The index-th value: from the fork when it sent one, else made here now."""
        while self.pid and index not in self.values:
            self._receive()
        made, value = self.values.pop(index, (False, None))
        return value if made else self.functions[index]()

    def ready(self, index: int) -> bool:
        """Whether the index-th value is at hand (or would be made here): asking for it would not wait for the fork."""
        with contextlib.suppress(OSError):
            while self.pid and index not in self.values and self.receiver.poll():
                self._receive()
        return not self.pid or index in self.values

    def _receive(self) -> None:
        """Take in the next value the fork sends (waiting for it); the fork is done when it has sent them all, or failed."""
        try:
            got, made, offset, length = pickle.loads(self.receiver.recv_bytes())
            value, entries = pickle.loads(_read_at(self.spool.fileno(), offset, length)) if made else (None, [])
        except (EOFError, OSError, pickle.UnpicklingError):
            self._done()
            return
        self.values[got] = (made, value)
        if made and entries and self.keep is not None:
            self.keep(entries)
        if got == len(self.functions) - 1:  # the last (they come in order; the values asked for are taken out of `values`)
            self._done()

    def cancel(self) -> None:
        """Stop the fork: its values are not needed (the build failed)."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._done()

    def _done(self) -> None:
        if self.pid:
            pid, self.pid = self.pid, 0
            self.receiver.close()
            self.spool.close()
            reap_later(pid)


class Later(Generic[Value]):
    """A value made beside the build; calling it returns the value (waiting for it if need be)."""

    def __init__(self, beside: Beside, index: int):
        self._beside = beside
        self._index = index
        self._value: tuple[Value] | None = None

    def __call__(self) -> Value:
        if self._value is None:
            self._value = (self._beside.result(self._index),)
        return self._value[0]

    def ready(self) -> bool:
        """Whether calling it now would not wait for the fork."""
        return self._value is not None or self._beside.ready(self._index)

    @property
    def here(self) -> bool:
        """Whether the value is made in this process when asked for (no fork makes it): a caller holding what
        the function would compute first may then make the value itself, from that."""
        return self._value is None and not self._beside.pid and self._index not in self._beside.values


def _make_all(functions: list[Callable[[], Any]], sender: Any, spool: int, pending: Callable[[], Entries] | None,
              write: Keep | None = None) -> None:
    """In the fork: each function's value and the memo entries it added, written to `spool` as made
    and where they are sent; a failure (of the function, or of the write) is sent as not made.

    With `write`, the entries stay here and are written once every value is sent: the process
    that waits for the values neither reads them back nor writes them at the end of its build.
    """
    offset = 0
    made: Entries = []
    for index, function in enumerate(functions):
        before = len(pending()) if pending is not None else 0
        try:
            value = function()
            entries = pending()[before:] if pending is not None else []
            if write is not None:
                made += entries
                entries = []
            payload = pickle.dumps((value, entries), protocol=pickle.HIGHEST_PROTOCOL)
            _write_at(spool, payload, offset)
            message = (index, True, offset, len(payload))
            offset += len(payload)
        except Exception:  # made again by the parent when asked for, which raises it there
            message = (index, False, 0, 0)
        sender.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    if write is not None and made:
        sender.close()  # every value is in: the parent need not wait for these writes
        write(made)


def _write_at(descriptor: int, payload: bytes, offset: int) -> None:
    """All of `payload` at `offset` of the file (a write may take only part of it)."""
    view = memoryview(payload)
    while view:
        written = os.pwrite(descriptor, view, offset)
        view, offset = view[written:], offset + written


def _read_at(descriptor: int, offset: int, length: int) -> bytes:
    """`length` bytes at `offset` of the file."""
    parts: list[bytes] = []
    while length > 0:
        part = os.pread(descriptor, length, offset)
        if not part:
            raise EOFError("the value's bytes end early")
        parts.append(part)
        offset, length = offset + len(part), length - len(part)
    return b"".join(parts)
