"""The benchmark's processes: a command that must succeed, a timed build's process, and a quiet moment before one."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tree_memory import TreeMemory

ROOT = Path(__file__).resolve().parent.parent


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


def _forked_builds() -> bool:
    """A process of an earlier build (build_once.py, or a fork of it) is still running."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if b"build_once.py" in (entry / "cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False
