"""Work beside the build: functions of what is loaded already, made on the idle second core.

While one core computes the metrics, draws the charts and plans the pages, the other has
nothing to do. Some values need only the portfolio (the KPI tiles' earlier quarter ends, the
leak gate's needles): a forked process makes them meanwhile, one after the other, and sends
each back as soon as it is made. The fork holds everything the functions read (they travel as
their arguments, bound before the fork); what comes back is each value and the memo entries it
added (generator/speed/cache.py), which this process then keeps as if it had made them itself.

The values travel through an unlinked temporary file, not the pipe: a pipe holds 64 KB, so a
fork sending the leak gate's needles (megabytes at 10,000 clients) through it would wait, with
all the memory it used, until the publish checks read them after the render. Written to the
file, they let it exit as soon as they are made; the pipe carries only where each one is.

A value the fork did not deliver (it failed, or forking is not safe or does not pay) is made
here when it is asked for, so an error is raised here with its usual traceback, and the plain
path (`Speed.off()`) gets the same value the same way.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from generator.speed.workers import can_fork, give_back_memory, reap_later

Value = TypeVar("Value")
Entries = list[tuple[str, bytes, Any]]  # memo entries: (name, key, value), as DiskMemo.pending holds them
Keep = Callable[[Entries], None]  # what this process does with the memo entries the fork added


class Beside:
    """Functions made in a forked process, in order, each value sent back when made."""

    def __init__(self, functions: Sequence[Callable[[], Any]], fork: bool,
                 pending: Callable[[], Entries] | None = None, keep: Keep | None = None):
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
                _make_all(self.functions, sender, self.spool.fileno(), pending)
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
            try:
                got, made, offset, length = pickle.loads(self.receiver.recv_bytes())
                value, entries = pickle.loads(_read_at(self.spool.fileno(), offset, length)) if made else (None, [])
            except (EOFError, OSError, pickle.UnpicklingError):
                self._done()
                break
            self.values[got] = (made, value)
            if made and entries and self.keep is not None:
                self.keep(entries)
            if len(self.values) == len(self.functions):
                self._done()
        made, value = self.values.pop(index, (False, None))
        return value if made else self.functions[index]()

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


def _make_all(functions: list[Callable[[], Any]], sender: Any, spool: int, pending: Callable[[], Entries] | None) -> None:
    """In the fork: each function's value and the memo entries it added, written to `spool` as made
    and where they are sent; a failure (of the function, or of the write) is sent as not made."""
    offset = 0
    for index, function in enumerate(functions):
        before = len(pending()) if pending is not None else 0
        try:
            value = function()
            entries = pending()[before:] if pending is not None else []
            payload = pickle.dumps((value, entries), protocol=pickle.HIGHEST_PROTOCOL)
            _write_at(spool, payload, offset)
            message = (index, True, offset, len(payload))
            offset += len(payload)
        except Exception:  # made again by the parent when asked for, which raises it there
            message = (index, False, 0, 0)
        sender.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


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
