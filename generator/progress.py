"""Build progress: a bar on a terminal for builds long enough to wait for; silence everywhere else
(pipes, CI logs, tests). Every stage is timed either way."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Sequence
from typing import TextIO

SHOW_AFTER = 0.3     # seconds: a build quicker than this never draws anything
REDRAW_EVERY = 0.1   # seconds between two drawings of the bar
BAR_WIDTH = 24


class Progress:
    """Times each stage; on a terminal, draws `[#####-----] 4/6 rendering pages 40%… 1.4 s`.

    `stages` lists (key, label) pairs in order (or is just their number); the key names the
    stage in `durations`, the label is what the bar says.
    """

    def __init__(self, stages: Sequence[tuple[str, str]] | int, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.labels = {} if isinstance(stages, int) else dict(stages)
        self.order = {key: number for number, key in enumerate(self.labels, start=1)}
        self.stages = stages if isinstance(stages, int) else len(stages)
        self.done = 0
        self.started = time.perf_counter()
        self.durations: dict[str, float] = {}
        self._current: tuple[str, float] | None = None
        self._part = (0, 0)
        self._drawn_at = 0.0
        self._visible = False

    def _close_current(self) -> None:
        if self._current is not None:
            name, began = self._current
            self.durations[name] = time.perf_counter() - began
            self._current = None

    def stage(self, name: str) -> None:
        """Start the next stage (and time the previous one)."""
        self._close_current()
        self._current = (name, time.perf_counter())
        self.done = self.order.get(name, self.done + 1)
        self._part = (0, 0)
        self._draw(force=True)

    def advance(self, done: int, total: int) -> None:
        """Within the current stage, `done` of `total` steps are finished."""
        self._part = (done, total)
        self._draw()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def finish(self) -> None:
        """Time the last stage and clear the bar."""
        self._close_current()
        if self._visible:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._visible = False

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        elapsed = now - self.started
        if elapsed < SHOW_AFTER or (not force and now - self._drawn_at < REDRAW_EVERY):
            return
        self._drawn_at = now
        done, total = self._part
        fraction = (self.done - 1 + (done / total if total else 0)) / max(self.stages, 1)
        filled = round(BAR_WIDTH * min(max(fraction, 0.0), 1.0))
        name = self._current[0] if self._current else ""
        steps = f" {100 * done // total}%" if total else ""
        line = (f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {self.done}/{self.stages} "
                f"{self.labels.get(name, name)}{steps}… {elapsed:.1f} s")
        width = shutil.get_terminal_size((80, 20)).columns
        self.stream.write("\r\x1b[2K" + line[:max(width - 1, 10)])
        self.stream.flush()
        self._visible = True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False
