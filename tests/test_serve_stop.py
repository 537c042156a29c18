"""Ctrl-C ends `rapport serve` and `rapport collect` as a consultant means it: a short line, exit status 0, no traceback, nothing half-built left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from generator.demo.sample import write_demo
from tests.conftest import REPO
from tests.test_serve_hosts import free_port

SECRET = "serve-stop-test-secret"


def start(tmp_path: Path, clients: int) -> tuple[subprocess.Popen[str], Path, int]:
    """`rapport serve` on a demo portfolio of `clients` clients in tmp_path/project."""
    data, out, port = tmp_path / "project" / "data", tmp_path / "project" / "output", free_port()
    write_demo(data, clients=clients, seed=5)
    env = {**os.environ, "RAPPORT_SECRET": SECRET, "PYTHONPATH": str(REPO)}
    env.pop("RAPPORT_DASHBOARD_PASSPHRASE", None)
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--data", str(data), "--out", str(out),
                               "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    return server, out, port


def ctrl_c(server: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGINT, as the terminal sends on Ctrl-C; the output once the server has ended (killed if it has not in a minute)."""
    server.send_signal(signal.SIGINT)
    try:
        return server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate()
        raise


def assert_stopped_cleanly(server: subprocess.Popen[str], stdout: str, stderr: str, out: Path) -> None:
    assert server.returncode == 0, stderr
    assert stdout.endswith("Stopped the preview.\n"), stdout
    assert "Aborted!" not in stderr and "Traceback" not in stderr, stderr
    assert not list(out.parent.glob(f".{out.name}.new-*")), "no staging folder is left behind"


def test_ctrl_c_while_serving_says_so_and_exits_0(tmp_path: Path) -> None:
    server, out, port = start(tmp_path, clients=3)
    try:
        deadline = time.monotonic() + 120
        while True:  # poll until the server answers after its first build
            try:
                state = httpx.get(f"http://127.0.0.1:{port}/api/build", timeout=5).json()
                if state["generation"] >= 1 and not state["building"]:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the preview did not start"
            time.sleep(0.05)
    finally:
        stdout, stderr = ctrl_c(server)
    assert_stopped_cleanly(server, stdout, stderr, out)
    assert "public site:  http://127.0.0.1:" in stdout
    assert (out / "dashboard" / "index.html").is_file(), "the last build stays"


def test_ctrl_c_during_the_first_build_exits_0_and_leaves_no_staging_folder(tmp_path: Path) -> None:
    server, out, _ = start(tmp_path, clients=40)
    try:
        deadline = time.monotonic() + 120
        # poll for the first build's staging folder: Ctrl-C lands while pages are being written
        while not list(out.parent.glob(f".{out.name}.new-*")) and not out.exists():
            assert server.poll() is None and time.monotonic() < deadline, "no build started"
            time.sleep(0.005)
    finally:
        stdout, stderr = ctrl_c(server)
    assert_stopped_cleanly(server, stdout, stderr, out)


def test_ctrl_c_stops_the_collector_with_status_0(tmp_path: Path) -> None:
    data, port = tmp_path / "project" / "data", free_port()
    write_demo(data, clients=3, seed=5)
    env = {**os.environ, "RAPPORT_SECRET": SECRET, "PYTHONPATH": str(REPO)}
    collector = subprocess.Popen([sys.executable, "-m", "generator", "collect", "--data", str(data), "--host", "127.0.0.1",
                                  "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # poll until it answers
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert collector.poll() is None and time.monotonic() < deadline, "the collector did not start"
                time.sleep(0.05)
    finally:
        stdout, stderr = ctrl_c(collector)
    assert collector.returncode == 0, stderr
    assert stdout.endswith("Stopped collecting.\n"), stdout
    assert "Aborted!" not in stderr and "Traceback" not in stderr, stderr
