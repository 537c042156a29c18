"""`rapport serve` rebuilds warm: a response appended while it runs shows on the page, and a change another process
makes between two of its builds is never missed (the builder keeps the memo in memory: generator/speed/cache.py)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from generator.build import build_site
from generator.forks import can_fork
from generator.speed import Speed
from tests.conftest import REPO, demo_data_fixture
from tests.test_serve_builder import site
from tests.test_serve_hosts import free_port
from tests.test_speed import append_row

SECRET = "serve-warm-test-secret"
CLIENTS = 24


data = demo_data_fixture(SECRET, CLIENTS)


class Served:
    """A `rapport serve` subprocess on 127.0.0.1 and a client of it."""

    def __init__(self, server: subprocess.Popen[str], http: httpx.Client):
        self.server, self.http = server, http

    def state(self) -> dict[str, object]:
        """The last build's state (a first build under way until the server answers)."""
        try:
            return dict(self.http.get("/api/build").json())
        except httpx.TransportError:
            assert self.server.poll() is None, self.server.communicate()[1]
            return {"generation": 0, "building": True, "ok": None}

    def built_after(self, generation: int) -> dict[str, object]:
        """The state once a build after `generation` has ended."""
        deadline = time.monotonic() + 120
        while True:
            state = self.state()
            if int(state["generation"]) > generation and not state["building"]:  # type: ignore[call-overload]
                return state
            assert time.monotonic() < deadline, f"no build after generation {generation} within 120 s"
            time.sleep(0.02)

    def page(self, path: str) -> str:
        """A dashboard page as served now."""
        return self.http.get(f"/dashboard/{path}").text


@pytest.fixture
def served(data: Path) -> Iterator[Served]:
    """`rapport serve` over the portfolio, its first build done."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--data", str(data),
                               "--out", str(data.parent / "output"), "--port", str(port)],
                              cwd=data.parent, env={**os.environ, "PYTHONPATH": str(REPO)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            running = Served(server, http)
            assert running.built_after(0)["ok"] is True
            yield running
    finally:
        server.kill()
        server.communicate()


def last_row(path: Path) -> dict[str, str]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))[-1]


def in_another_process(change: Callable[..., object], *args: str) -> None:
    """Run `change(*args)` (a function of this module) in a process of its own, as an editor or an import would."""
    subprocess.run([sys.executable, "-c", f"import sys; from tests.test_serve_warm import {change.__name__} as change; "
                    "change(*sys.argv[1:])", *args], check=True, cwd=REPO)


def same_length_name(clients: Path) -> tuple[str, str]:
    """The first client's `name:` line in clients.yaml, and a new name as long as the old one."""
    line = next(line for line in clients.read_text(encoding="utf-8").splitlines() if line.startswith("  name: "))
    return line, ("Warmly Renamed " * 10)[:len(line) - len("  name: ")].rstrip().ljust(len(line) - len("  name: "), "x")


def rename_first_client(clients: str) -> None:
    """Give the first client of clients.yaml another name of the same length (only its bytes and time tell)."""
    path = Path(clients)
    line, name = same_length_name(path)
    path.write_text(path.read_text(encoding="utf-8").replace(line, f"  name: {name}", 1), encoding="utf-8")


@pytest.mark.skipif(not can_fork(), reason="the builder process is forked where forking is safe (Linux)")
def test_a_response_appended_while_serve_runs_shows_and_a_change_by_another_process_is_never_missed(
        served: Served, data: Path, tmp_path: Path) -> None:
    responses = data / "responses" / "annual-review.csv"
    client = last_row(responses)["client"]
    before = served.page(f"clients/{client}.html")
    generation = int(served.state()["generation"])  # type: ignore[call-overload]
    append_row(responses, lambda row: row.update(response_id="warm-1", submitted_at="2026-11-30T09:00:00+00:00"))
    state = served.built_after(generation)
    assert state["ok"] is True
    assert served.page(f"clients/{client}.html") != before, "the client who answered: their page shows it"
    plain = tmp_path / "plain"
    build_site(data, plain, speed=Speed.off())
    assert site(data.parent / "output") == site(plain)

    # between two builds, another process changes clients.yaml, keeping its size: the next build reads it again
    size, (_, name) = (data / "clients.yaml").stat().st_size, same_length_name(data / "clients.yaml")
    in_another_process(rename_first_client, str(data / "clients.yaml"))
    assert (data / "clients.yaml").stat().st_size == size
    state = served.built_after(int(state["generation"]))  # type: ignore[call-overload]
    assert state["ok"] is True
    assert name in served.page("clients/index.html")
    build_site(data, plain, speed=Speed.off())
    assert site(data.parent / "output") == site(plain)
    assert served.state()["generation"] == state["generation"], "one build for each save"
