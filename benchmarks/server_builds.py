"""`rapport build` as a consultant runs it: each build a fresh `rapport build` process, its build server on
(generator/build_server/), timed from the command's start to its exit.

- clean: no server running, no output, no memo: the command starts a server, which makes the
  build (a warm-up, then the median of `repeat`); and its memory, every process's PSS added up;
- rebuild after one new response: a copy built once (starting its server), then one response
  appended before each build over the previous output;
- rebuild with no change.

Before each timed rebuild the server is left two seconds idle, as a consultant's next build comes
later than that: once a second has passed without a build, the server writes the memo's new
entries and collects its garbage (generator/build_server/server.py `QUIET_SECONDS`).
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from edits import new_response
from processes import quiet_disk, timed_process

from generator.build_server.place import listening_servers

ROOT = Path(__file__).resolve().parent.parent
BETWEEN_BUILDS_S = 2.0  # longer than the server's quiet second and the tidying after it


def server_env(base: dict[str, str], runtime: Path) -> dict[str, str]:
    """The benchmark's environment, the build server on, its sockets in `runtime` (this run's own)."""
    return {**base, "RAPPORT_BUILD_SERVER": "on", "XDG_RUNTIME_DIR": str(runtime)}


def timed(env: dict[str, str], data: Path, out: Path) -> dict:
    """One `rapport build` (python -m generator build): its wall time and the peak PSS of its processes (the server is
    a fork of the command that started it: in its tree while that command builds)."""
    wall, pss_mb, said = timed_process([sys.executable, "-m", "generator", "build", "--data", str(data), "--out",
                                        str(out)], env)
    return {"wall": wall, "pss_mb": pss_mb, "said": said.strip()}


def servers(runtime: Path) -> list[int]:
    """The process of each build server listening in `runtime`."""
    return [pid for _, pid in listening_servers(str(runtime / "rapport"))]


def stop_servers(runtime: Path) -> None:
    """Stop every server in `runtime` and wait until each is gone."""
    for pid in servers(runtime):
        signal_and_wait(pid)


def signal_and_wait(pid: int) -> None:
    """Ask a server to stop (as `rapport build-server stop` does) and wait until it is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + 60
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def server_pss_mb(runtime: Path) -> float | None:
    """What the servers in `runtime` hold between builds: their PSS added up (MB)."""
    total = 0
    for pid in servers(runtime):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return None
        total += next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
    return total / 1024


def bench_server_builds(data: Path, work: Path, repeat: int, base_env: dict[str, str], settle) -> dict:
    """The clean builds, rebuilds and no-change builds of `data` through the build server; wall times in seconds."""
    runtime = Path(tempfile.mkdtemp(prefix="rapport-bench-run-"))  # short: a socket's name is at most 107 bytes
    env = server_env(base_env, runtime)
    try:
        clean = []
        for index in range(repeat + 1):
            out = data.parent / f"full-server-{index}"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(data.parent / ".rapport", ignore_errors=True)
            stop_servers(runtime)
            settle(out)
            quiet_disk(data.parent)
            figures = timed(env, data, out)
            if index:
                clean.append(figures)
        stop_servers(runtime)
        shutil.rmtree(data.parent / ".rapport", ignore_errors=True)
        copy = work / "rebuild-server" / "data"
        shutil.rmtree(copy.parent, ignore_errors=True)
        shutil.copytree(data, copy)
        out = copy.parent / "full-rebuilt"
        timed(env, copy, out)
        answered, unchanged = [], []
        for number in range(1, repeat + 1):
            new_response(copy, number)
            settle(out)
            time.sleep(BETWEEN_BUILDS_S)
            answered.append(timed(env, copy, out))
        for _ in range(repeat):
            settle(out)
            time.sleep(BETWEEN_BUILDS_S)
            unchanged.append(timed(env, copy, out))
        held = server_pss_mb(runtime)
    finally:
        stop_servers(runtime)
        shutil.rmtree(runtime, ignore_errors=True)

    def median(runs: list[dict]) -> float:
        return statistics.median(run["wall"] for run in runs)

    return {"clean_s": median(clean), "rebuild_s": median(answered), "unchanged_s": median(unchanged),
            "clean_pss_mb": max((run["pss_mb"] for run in clean if run["pss_mb"] is not None), default=None),
            "held_mb": held, "runs_s": {name: [round(run["wall"], 3) for run in runs] for name, runs in
                                         (("clean", clean), ("rebuild", answered), ("unchanged", unchanged))},
            "said": answered[-1]["said"]}
