"""The benchmark's processes: a command that must succeed, a timed build's process, and a quiet moment before one."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tree_memory import TreeMemory

ROOT = Path(__file__).resolve().parent.parent
PROBE_FILES = 500
# creating a small file takes 0.025 ms on this machine's quiet disk, and up to 1 ms for minutes after tens of thousands
# were deleted (the file system is mounted with online discard: the deleted blocks are trimmed meanwhile)
QUIET_FILE_S = 0.0002
QUIET_WAIT_UP_TO_S = 180.0
PROBES = ".disk-probes"  # the probes' files, beside the outputs and deleted with them
WAITED_S: list[float] = []  # how long each clean build waited for a quiet disk


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """A command that must succeed; its output captured."""
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def timed_process(command: list[str], env: dict[str, str]) -> tuple[float, float | None, str]:
    """Run a command that must succeed, from the checkout: its wall time, the peak of its processes' PSS added up
    (MB; benchmarks/tree_memory.py; None where not reported) and what it printed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)  # every process it forks is in its tree while it runs (a build server too)
    memory.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    memory.stop()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args, stdout, stderr)
    return wall, (memory.peak_mb if memory.samples else None), stdout


def settle(out: Path) -> None:
    """Let the previous run finish what it leaves to the background (its old tree deleted, its load
    cache written: processes it forked may outlive it), and its writes reach the disk."""
    deadline = time.monotonic() + 30
    while (any(out.parent.glob(f".{out.name}.old-*")) or _forked_builds()) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.sync()
    time.sleep(0.2)


def quiet_disk(near: Path) -> None:
    """Wait (up to QUIET_WAIT_UP_TO_S) until small files are created near `near` at a quiet disk's pace.

    Every run deletes its outputs at its end (some 40,000 files), and a clean build of 10,000
    clients started in the minutes after that takes up to half as long again, for its 12,467 files
    alone: that is the disk catching up with the deletions, not the build. A clean build (ours or
    Pelican's) starts once the disk is quiet, and the run says how long it waited. The probe's own
    files are deleted with the outputs, at the end (deleting them now would keep the disk busy).
    """
    started = time.monotonic()
    while True:
        probe = near / PROBES / f"{len(list((near / PROBES).glob('*'))) if (near / PROBES).is_dir() else 0}"
        probe.mkdir(parents=True)
        began = time.perf_counter()
        for number in range(PROBE_FILES):
            (probe / f"{number}.html").write_bytes(b"x" * 3000)
        took = time.perf_counter() - began
        if took <= PROBE_FILES * QUIET_FILE_S or time.monotonic() - started > QUIET_WAIT_UP_TO_S:
            WAITED_S.append(time.monotonic() - started)
            return
        time.sleep(5)


def _forked_builds() -> bool:
    """A process of an earlier build (build_once.py, or a fork of it) is still running."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if b"build_once.py" in (entry / "cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False
