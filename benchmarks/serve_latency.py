"""How soon `rapport serve` shows a page rebuilt after a data file is saved (benchmarks/run.py uses it).

It starts `rapport serve` on 127.0.0.1 over a copy of a portfolio, waits for its first build,
then, several times: saves contacts.csv with one more on-site visit for the first client (dated
the report date, so that client's page changes), and polls that client's dashboard page
through the server until its bytes change. The time from the save to the first changed answer
is what a consultant waits for, watcher and rebuild included (the server shows a changed page
as soon as the build has made it); the time to the end of that build is given beside it, and
the CPU seconds the builder process spent per save (its forks included, as it collects them).
"""

from __future__ import annotations

import contextlib
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
from pathlib import Path

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


def add_visit(data: Path, client: str, number: int) -> None:
    """Append an on-site visit of the client, dated the report date, to contacts.csv (one write, like an editor's save)."""
    as_of = next(line.split(":", 1)[1].strip() for line in (data / "site.yaml").read_text(encoding="utf-8").splitlines()
                 if line.startswith("as_of:"))
    path = data / "contacts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + f"{as_of},{client},onsite,Bench,{30 + number},\n",
                    encoding="utf-8")


def serve_latency(data: Path, work: Path, env: dict[str, str], saves: int = 3) -> dict[str, object]:
    """Median seconds from saving contacts.csv to the served client page showing the change."""
    copy = work / "serve" / "data"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(data, copy)
    client = sorted(line.split(":", 1)[1].strip() for line in (copy / "clients.yaml").read_text(encoding="utf-8").splitlines()
                    if line.startswith("- id:"))[0]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = f"{base}/dashboard/clients/{client}.html"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--data", str(copy), "--out", str(copy.parent / "output"),
         "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times: list[float] = []
    builds: list[float] = []  # from the save to the end of the build (the page may show before)
    cpu: list[float] = []  # the builder's CPU seconds per save, its own forks included
    try:
        wait_for(lambda: _built(base) >= 1, "the first build")
        builder = _builder(server.pid)
        for number in range(1, saves + 1):
            before = fetch(page)
            generation = _built(base)
            spent = _cpu_seconds(builder)
            saved = time.perf_counter()
            add_visit(copy, client, number)
            wait_for(lambda before=before: fetch(page) not in (before, None), "showing the saved change")
            times.append(time.perf_counter() - saved)
            wait_for(lambda generation=generation: _built(base) > generation and not _building(base), "the rebuild's end")
            builds.append(time.perf_counter() - saved)
            time.sleep(0.5)  # the build's last forks are collected a moment after it ends (generator/speed/workers.py)
            cpu.append(_cpu_seconds(builder) - spent)
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        if server.poll() is None:
            server.kill()
            server.wait()
    shutil.rmtree(copy.parent, ignore_errors=True)
    return {"median_s": statistics.median(times), "runs_s": [round(t, 3) for t in times],
            "build_median_s": round(statistics.median(builds), 3),
            "builder_cpu_s": round(statistics.median(cpu), 3) if all(c >= 0 for c in cpu) else None, "client": client}


def _builder(server: int) -> int:
    """The server's builder process (generator/ingest/serve_builder.py), 0 when it has none (or this is not Linux)."""
    try:
        children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    except OSError:
        return 0
    return int(children[0]) if len(children) == 1 else 0


def _cpu_seconds(pid: int) -> float:
    """CPU time of process pid and of its children it has collected (Linux /proc); -1 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return -1.0
    # utime, stime, cutime, cstime are fields 14-17 of the line, counted from the pid
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _state(base: str) -> dict[str, object]:
    body = fetch(f"{base}/api/build")
    return json.loads(body) if body else {}


def _built(base: str) -> int:
    state = _state(base)
    return int(state.get("generation", 0)) if state.get("ok") else 0  # type: ignore[call-overload]


def _building(base: str) -> bool:
    return bool(_state(base).get("building", True))


if __name__ == "__main__":
    figures = serve_latency(Path(sys.argv[1]), Path(sys.argv[2]), {**os.environ, "RAPPORT_SECRET": "bench"})
    print(json.dumps(figures))
