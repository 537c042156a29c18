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

    def stage(self, name: str) -> None:
        """Announce the next stage."""
        self.done += 1
        if self.enabled:
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"\r\x1b[2K[{self.done}/{self.stages}] {name}… ({elapsed:.1f} s)")
            self.stream.flush()

    def finish(self) -> None:
        """Clear the progress line."""
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
