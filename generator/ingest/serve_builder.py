"""The builder of `rapport serve`: a forked process that builds whenever it is woken, and the state it shares.

A process of its own, forked before the server starts any thread, may fork in turn
(generator/speed/workers.py): its builds render on both cores, as `rapport build` does, and
what they keep in memory stays warm between builds. The state of the last build travels to
the server through shared memory; the requests for a build through a shared event.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import multiprocessing.process
import os
import signal
from dataclasses import asdict, dataclass
from types import FrameType
from typing import Protocol

from generator.errors import RapportError

STATE_BYTES = 1 << 20  # the shared build state (its error text is cut to fit)
PARENT_CHECK_S = 1.0  # how often an idle builder process looks whether the server is still there


@dataclass
class BuildState:
    """The last build: a counter that grows with every attempt, and how it went."""

    generation: int = 0
    ok: bool | None = None
    building: bool = False
    files: int = 0
    seconds: float = 0.0
    ended_at: float = 0.0  # when it ended, in seconds since the epoch (0 until one has)
    error: str = ""


class SharedState:
    """A `BuildState` in memory shared by the builder process and the server process."""

    def __init__(self) -> None:
        self._buffer = multiprocessing.get_context("fork").Array(ctypes.c_char, STATE_BYTES)  # with its own lock

    def publish(self, state: BuildState) -> None:
        """Make `state` what the server reports."""
        fields = asdict(state)
        data = json.dumps(fields).encode()
        if len(data) >= STATE_BYTES:  # a traceback or a list of problems this long: its start says enough
            fields["error"] = fields["error"][:STATE_BYTES // 8] + "\n…"
            data = json.dumps(fields).encode()
        with self._buffer.get_lock():
            self._buffer.value = data

    def read(self) -> BuildState:
        """The state last published (generation 0 before any)."""
        with self._buffer.get_lock():
            data = self._buffer.value
        return BuildState(**json.loads(data)) if data else BuildState(building=True)


class Wake(Protocol):
    """What the builder waits on: set by the watcher and the collector, cleared by the builder."""

    def set(self) -> None:
        """Ask for a build."""

    def clear(self) -> None:
        """Take the request (just before building)."""


class Builds(Protocol):
    """What the builder process runs: a first build, then a rebuild each time it is woken."""

    def build_once(self) -> BuildState:
        """Build now."""
        ...

    def rebuild(self) -> BuildState:
        """Build again unless nothing changed."""
        ...


class BuilderProcess:
    """A forked process that builds the preview's site at once, then each time it is woken."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("fork")
        self.shared = SharedState()
        self.wake = self._context.Event()
        self._built = self._context.Event()
        self._process: multiprocessing.process.BaseProcess | None = None

    def start(self, preview: Builds) -> None:
        """Fork the builder (from a process with one thread: it may fork its own workers then)."""
        self._process = self._context.Process(target=self._serve_builds, args=(preview, os.getpid()),
                                              name="rapport-builder", daemon=True)
        self._process.start()

    def wait_built(self) -> BuildState:
        """The state once a build has finished since the process started."""
        while not self._built.wait(PARENT_CHECK_S):
            if not self._alive():
                raise RapportError("the preview's builder stopped before its first build")
        return self.state()

    def state(self) -> BuildState:
        """The last build's state; an error if the builder is gone (nothing rebuilds any more)."""
        state = self.shared.read()
        if not self._alive():
            state.ok, state.building = False, False
            state.error = "the builder stopped: restart `rapport serve` to rebuild"
        return state

    def stop(self) -> None:
        """Stop the builder: a build under way is cut short and leaves the output as it was."""
        if self._process is None:
            return
        self._process.terminate()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def pid(self) -> int:
        """The builder's process id (0 before it starts)."""
        return self._process.pid or 0 if self._process is not None else 0

    def _alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _serve_builds(self, preview: Builds, server: int) -> None:
        """The builder's loop (in the fork): build, then wait to be woken, until the server is gone."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then stops this process
        signal.signal(signal.SIGTERM, _leave)
        build = preview.build_once
        while True:
            self.wake.clear()  # a change from now on is one more build after this one, however many come
            build()
            self._built.set()
            build = preview.rebuild
            while not self.wake.wait(PARENT_CHECK_S):
                if os.getppid() != server:  # the server died without stopping this process
                    return


def _leave(signum: int, frame: FrameType | None) -> None:
    """SIGTERM in the builder: unwind, so that a build under way removes its staging folder."""
    raise SystemExit(0)
