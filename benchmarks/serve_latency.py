"""How soon `rapport serve` shows a page rebuilt after a data file is saved (benchmarks/run.py uses it).

It starts `rapport serve` on 127.0.0.1 over a copy of a portfolio, waits for its first build,
then, several times each, makes two kinds of save (benchmarks/edits.py), one write each:

- contacts.csv with one more on-site visit of the first client (dated the report date);
- one new response appended to the first survey's responses (as an import or the collector
  adds one), the warm rebuild that issue #17 item 6 holds to 0.2× of a clean build.

After each save it polls the changed client's dashboard page through the server until its
bytes change: the time from the save to the first changed answer is what a consultant waits
for, watcher and rebuild included (the server shows a changed page as soon as it is made).
Beside it: the time to the end of that build (`/api/build` no longer building, a new
generation, and the time it says that build ended), the CPU seconds the builder process spent per save (its forks included, as it
collects them), and how many builds the save started (more than one is wasted work).
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from edits import add_visit, first_survey, new_response

ROOT = Path(__file__).resolve().parent.parent
POLL_S = 0.05  # each poll takes the server's attention from its build a moment: not too often
TIMEOUT_S = 120.0


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> bytes | None:
    """The body at url, None while the server cannot answer."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # our own server, on 127.0.0.1
            return bytes(response.read())
    except (OSError, http.client.HTTPException):  # not up yet, or the file was replaced while it was sent
        return None


def wait_for(condition, what: str) -> float:  # type: ignore[no-untyped-def]
    """Poll until condition() is true; the seconds it took."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > TIMEOUT_S:
            raise RuntimeError(f"rapport serve: {what} did not happen within {TIMEOUT_S:.0f} s")
        time.sleep(POLL_S)
    return time.perf_counter() - started


def serve_latency(data: Path, work: Path, env: dict[str, str], saves: int = 3) -> dict[str, object]:
    """Medians of `saves` saves of each kind: a visit in contacts.csv (top level) and a new response ("response")."""
    copy = work / "serve" / "data"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(data, copy)
    client = sorted(line.split(":", 1)[1].strip() for line in (copy / "clients.yaml").read_text(encoding="utf-8").splitlines()
                    if line.startswith("- id:"))[0]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--data", str(copy), "--out", str(copy.parent / "output"),
         "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _built(base) >= 1, "the first build")
        builder = _builder(server.pid)
        visits = [_timed_save(base, builder, client, lambda number: add_visit(copy, client, number), number)
                  for number in range(1, saves + 1)]
        answered = _client_of_next_response(copy)
        responses = [_timed_save(base, builder, answered, lambda number: new_response(copy, number), number)
                     for number in range(1, saves + 1)]
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        if server.poll() is None:
            server.kill()
            server.wait()
    shutil.rmtree(copy.parent, ignore_errors=True)
    return {**_summary(visits), "client": client, "response": {**_summary(responses), "client": answered}}


def _client_of_next_response(data: Path) -> str:
    """The client a new response is for (new_response copies the first survey's last row)."""
    lines = first_survey(data).read_text(encoding="utf-8").splitlines()
    return next(csv.reader([lines[-1]]))[1]


def _timed_save(base: str, builder: int, client: str, save: Callable[[int], object], number: int) -> dict[str, float]:
    """One save: seconds to the client's changed page and to the end of its build, builder CPU, builds started."""
    page = f"{base}/dashboard/clients/{client}.html"
    before = fetch(page)
    generation = _generation(base)
    spent = _cpu_seconds(builder)
    saved, saved_at = time.perf_counter(), time.time()
    save(number)
    wait_for(lambda: fetch(page) not in (before, None), "showing the saved change")
    shown = time.perf_counter() - saved
    wait_for(lambda: _built(base) > generation and not _building(base), "the rebuild's end")
    # when the server says the build ended, not when a poll saw it (up to POLL_S later)
    built = float(_state(base)["ended_at"]) - saved_at  # type: ignore[arg-type]
    time.sleep(0.5)  # the build's last forks are collected a moment after it ends (generator/speed/workers.py)
    # a build the save started once more (a save seen half written) has begun by now: its CPU counts too
    wait_for(lambda: not _building(base), "the builds after the save")
    return {"page": shown, "build": built, "cpu": _cpu_seconds(builder) - spent,
            "builds": _generation(base) - generation}


def _summary(runs: list[dict[str, float]]) -> dict[str, object]:
    """Medians of the saves of one kind, and each save's page time."""
    cpu = [run["cpu"] for run in runs]
    return {"median_s": statistics.median(run["page"] for run in runs), "runs_s": [round(run["page"], 3) for run in runs],
            "build_median_s": round(statistics.median(run["build"] for run in runs), 3),
            "build_runs_s": [round(run["build"], 3) for run in runs],
            "builder_cpu_s": round(statistics.median(cpu), 3) if all(c >= 0 for c in cpu) else None,
            "builds_per_save": max(int(run["builds"]) for run in runs)}


def _builder(server: int) -> int:
    """The server's builder process (generator/ingest/serve_builder.py), 0 when it has none (or this is not Linux)."""
    try:
        children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    except OSError:
        return 0
    return int(children[0]) if len(children) == 1 else 0


def _cpu_seconds(pid: int) -> float:
    """CPU time of process pid, of its children it has collected and of those still running, like the process
    making early pages that the builder keeps (Linux /proc); -1 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError):
        return -1.0
    # utime, stime, cutime, cstime are fields 14-17 of the line, counted from the pid
    own = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return own + sum(max(_cpu_seconds(int(child)), 0.0) for child in children)  # one gone meanwhile: collected, counted


def _state(base: str) -> dict[str, object]:
    body = fetch(f"{base}/api/build")
    return json.loads(body) if body else {}


def _built(base: str) -> int:
    state = _state(base)
    return int(state.get("generation", 0)) if state.get("ok") else 0  # type: ignore[call-overload]


def _generation(base: str) -> int:
    """Builds attempted so far (good or not)."""
    return int(_state(base).get("generation", 0))  # type: ignore[call-overload]


def _building(base: str) -> bool:
    return bool(_state(base).get("building", True))


if __name__ == "__main__":
    figures = serve_latency(Path(sys.argv[1]), Path(sys.argv[2]), {**os.environ, "RAPPORT_SECRET": "bench"})
    print(json.dumps(figures))
