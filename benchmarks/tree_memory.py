"""The true memory of a process and every process it forked: the peak of their PSS added up, sampled.

A fork starts by sharing all its parent's pages, so adding up each process's peak RSS counts a
shared page once per process that maps it (up to three times in a build: the main process, the
one beside the metrics, the render worker). The proportional set size (`Pss:` in
`/proc/<pid>/smaps_rollup`, Linux 4.14+) charges each page to its sharers in equal parts, so
the PSS of every process of the tree added up is the memory they hold together. A thread of the
benchmark (not of the build: a build with a second thread does not fork) reads it every 30 ms
while the build runs, and keeps the largest total seen.

Reading smaps_rollup makes the kernel walk the process's page tables: about 18 ms of CPU for a
700 MB process here, so three such processes read every 30 ms would take a whole core of a
2-core machine from the build being measured. The thread therefore waits at least nine times
as long as its last sample took (at most a tenth of a core): every 30 ms at the start, every
half second or so when a 10,000-client build holds 1.2 GB. The peak is a plateau of minutes
(while the pages render), so it is not missed.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
INTERVAL_S = 0.03  # a fork lives for seconds: sampled a hundred times or more
DUTY = 0.1  # the largest share of one core the sampling may take


@dataclass
class TreeMemory:
    """Samples the summed PSS of `root` and its descendants from a thread, between start() and stop()."""

    root: int
    interval: float = INTERVAL_S
    peak_kib: int = 0  # the largest summed PSS seen
    samples: int = 0
    peaks_kib: dict[int, int] = field(default_factory=dict)  # each process's own largest PSS
    _ours: set[int] = field(default_factory=set)
    _others: set[int] = field(default_factory=set)  # processes seen that are not in the tree
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @staticmethod
    def available() -> bool:
        """This system reports PSS (Linux with smaps_rollup)."""
        return (PROC / "self" / "smaps_rollup").is_file()

    def start(self) -> None:
        """Begin sampling in a daemon thread."""
        self._ours = {self.root}
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling (after the root process has ended: its last forks are gone by then)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def peak_mb(self) -> float:
        """The largest summed PSS seen, in MiB."""
        return self.peak_kib / 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.thread_time()  # the kernel's time reading /proc counts here too
            self.sample()
            cost = time.thread_time() - started
            self._stop.wait(max(self.interval, cost * (1 - DUTY) / DUTY))

    def sample(self) -> int:
        """Add up the PSS of every live process of the tree now (KiB); keep the peaks."""
        self._discover()
        total = 0
        for pid in list(self._ours):
            pss = _pss_kib(pid)
            if pss is None:
                continue
            total += pss
            self.peaks_kib[pid] = max(self.peaks_kib.get(pid, 0), pss)
        self.samples += 1
        self.peak_kib = max(self.peak_kib, total)
        return total

    def _discover(self) -> None:
        """Put each process not seen before in the tree when its parent is (a fork of a fork too)."""
        try:
            listed = [int(name) for name in os.listdir(PROC) if name.isdigit()]
        except OSError:
            return
        new = sorted(pid for pid in listed if pid not in self._ours and pid not in self._others)
        for pid in new:  # a parent has a lower pid than its fork, as a rule: one pass finds forks of forks
            parent = _parent(pid)
            (self._ours if parent in self._ours else self._others).add(pid)


def _parent(pid: int) -> int | None:
    """The parent's pid, from /proc/<pid>/stat (the field after the command, which may hold spaces)."""
    try:
        stat = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2:].split(maxsplit=2)[1])


def _pss_kib(pid: int) -> int | None:
    """The process's proportional set size (KiB), None once it is gone."""
    try:
        with open(PROC / str(pid) / "smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None
