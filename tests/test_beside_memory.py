"""The fork beside the build leaves as soon as its values are made, however large they are (generator/forks.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_a_fork_with_values_larger_than_a_pipe_holds_exits_before_they_are_asked_for() -> None:
    # forking is used only from a process with one thread: a fresh interpreter
    code = textwrap.dedent("""
        import os, select
        from generator.forks import Beside
        from generator.forks import reap_all
        big = [bytes([n % 251]) * 4_000_000 for n in range(3)]  # 12 MB: a pipe holds 64 KB
        beside = Beside([lambda: big[0], lambda: big[1:]], fork=True)
        gone = os.pidfd_open(beside.pid)
        # readable once the fork has exited (nothing here has read a value yet)
        print(select.select([gone], [], [], 60)[0] == [gone])
        print(beside.later(1)() == big[1:], beside.later(0)() == big[0])
        reap_all()
    """)
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                               env={**os.environ, "RAPPORT_SECRET": "beside-test"}, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["True", "True", "True"]
