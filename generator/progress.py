"""Build progress on a terminal; silence everywhere else (pipes, CI logs, tests)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Reports each stage with its elapsed time when the stream is a terminal."""

    def __init__(self, stages: int, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.stages = stages
        self.done = 0
        self.started = time.perf_counter()
        self.durations: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def _close_current(self) -> None:
        if self._current is not None:
            name, began = self._current
            self.durations[name] = time.perf_counter() - began
            self._current = None

    def stage(self, name: str) -> None:
        """Announce the next stage (and time the previous one)."""
        self._close_current()
        self._current = (name, time.perf_counter())
        self.done += 1
        if self.enabled:
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"\r\x1b[2K[{self.done}/{self.stages}] {name}… ({elapsed:.1f} s)")
            self.stream.flush()

    def finish(self) -> None:
        """Time the last stage and clear the progress line."""
        self._close_current()
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
