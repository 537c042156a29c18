"""The benchmark's processes: a command that must succeed, and a quiet moment before each timed build."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """A command that must succeed; its output captured."""
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


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
