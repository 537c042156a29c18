"""`rapport serve` and a loopback `rapport collect` answer only loopback Host headers (DNS rebinding)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from generator.ingest.hosts import allowed_host
from generator.ingest.serve import Preview
from tests.conftest import REPO
from tests.test_ingest_collector import running_server

SECRET = "hosts-test-secret"
REFUSAL = "Invalid Host header: this server on your computer answers only localhost, 127.0.0.1 or [::1].\n"


@pytest.fixture
def data(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny portfolio with a known secret."""
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    return make_portfolio(site={"business": {"name": "Test IT"}})


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def command(args: list[str], port: int) -> Iterator[str]:
    """Run a `rapport` command that serves on 127.0.0.1:port until it answers; stop it afterwards."""
    env = {**os.environ, "RAPPORT_SECRET": SECRET, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "generator", *args, "--port", str(port)], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{args[0]} did not start: {process.communicate()[1]}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def status_by_host(base: str, path: str, hosts: list[str]) -> dict[str, int]:
    """The status of GET path sent with each Host header."""
    found = {}
    with httpx.Client(base_url=base) as http:
        for host in hosts:
            answer = http.get(path, headers={"host": host})
            if answer.status_code == 400:
                assert answer.text == REFUSAL
            found[host] = answer.status_code
    return found


def test_only_loopback_names_with_the_servers_port_pass() -> None:
    assert allowed_host("localhost:8000", 8000) and allowed_host("127.0.0.1:8000", 8000) and allowed_host("[::1]:8000", 8000)
    assert allowed_host("LOCALHOST", 8000) and allowed_host("[::1]", 8000)
    for host in ["evil.example", "evil.example:8000", "127.0.0.1:8001", "localhost.evil.example", "127.0.0.2:8000",
                 "[::1]:80000", "localhost:8000@evil", "", None]:
        assert not allowed_host(host, 8000), host


def test_serve_refuses_a_foreign_host_with_400(data: Path, tmp_path: Path) -> None:
    preview = Preview(data, tmp_path / "output", quiet=True)
    assert preview.build_once().ok
    with running_server(preview.app()) as base:
        port = int(base.rsplit(":", 1)[1])
        found = status_by_host(base, "/", [f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost",
                                           "rebind.attacker.example", f"rebind.attacker.example:{port}", f"127.0.0.1:{port + 1}"])
        with httpx.Client(base_url=base) as http:
            dashboard = http.get("/dashboard/", headers={"host": f"attacker.example:{port}"})
            posted = http.post("/api/responses", data={"survey": "review", "overall": "4"},
                               headers={"host": "attacker.example"})
    assert found == {f"localhost:{port}": 200, f"127.0.0.1:{port}": 200, f"[::1]:{port}": 200, "localhost": 200,
                     "rebind.attacker.example": 400, f"rebind.attacker.example:{port}": 400, f"127.0.0.1:{port + 1}": 400}
    assert dashboard.status_code == 400 and "Dana Ruiz" not in dashboard.text
    assert posted.status_code == 400
    assert not (data / "quarantine").exists() and not (data / "responses" / "review.csv").exists()


def test_the_serve_command_listens_on_loopback_and_refuses_a_foreign_host(data: Path, tmp_path: Path) -> None:
    port = free_port()
    with command(["serve", "--data", str(data), "--out", str(tmp_path / "output")], port) as base:
        found = status_by_host(base, "/", [f"localhost:{port}", "evil.example"])
    assert found == {f"localhost:{port}": 200, "evil.example": 400}


def test_collect_on_loopback_refuses_a_foreign_host(data: Path) -> None:
    port = free_port()
    with command(["collect", "--data", str(data)], port) as base:
        found = status_by_host(base, "/api/responses", [f"127.0.0.1:{port}", "evil.example"])
    assert found == {f"127.0.0.1:{port}": 405, "evil.example": 400}
