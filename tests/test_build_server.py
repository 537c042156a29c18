"""`rapport build` through its build server (generator/build_server/): the same bytes, messages and exit status as a
build in its own process, one server per place, and a server that never outlives its code, its idle time or a stop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build_server.place import listening_servers
from generator.demo import write_demo
from generator.unchanged import RECORD
from tests.test_speed import new_response
from tests.test_speed import site as site_and_record

REPO = Path(__file__).resolve().parent.parent
SECRET = "test-secret-for-the-build-server"


@pytest.fixture
def place() -> Iterator[dict[str, str]]:
    """The environment of a consultant's terminal: the server turned on, this test's own runtime folder (short, as
    a socket's name is: /run/user/<uid> on a desktop); every server it started stopped at its end."""
    runtime = Path(tempfile.mkdtemp(prefix="rapport-run-"))
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PYTHONPATH": str(REPO), "RAPPORT_SECRET": SECRET,
           "XDG_RUNTIME_DIR": str(runtime), "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], "RAPPORT_BUILD_SERVER": "on"}
    yield env
    for pid in server_pids(env):
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(runtime)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A demo portfolio in tmp_path/project/data."""
    write_demo(tmp_path / "project" / "data", clients=12, seed=7)
    return tmp_path / "project"


def rapport(env: dict[str, str], cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m generator …` as a consultant runs it, in `cwd`."""
    return subprocess.run([sys.executable, "-m", "generator", *arguments], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def build(env: dict[str, str], cwd: Path, out: str = "output") -> subprocess.CompletedProcess[str]:
    return rapport(env, cwd, "build", "--data", "data", "--out", out)


def sockets(env: dict[str, str]) -> list[Path]:
    return sorted((Path(env["XDG_RUNTIME_DIR"]) / "rapport").glob("*.sock"))


def server_pids(env: dict[str, str]) -> list[int]:
    """The process of each server listening in the place's runtime folder."""
    return [pid for _, pid in listening_servers(str(Path(env["XDG_RUNTIME_DIR"]) / "rapport"))]


def gone(pid: int, within: float = 60.0) -> bool:
    """The process has exited (waited for up to `within` seconds)."""
    deadline = time.monotonic() + within
    while Path(f"/proc/{pid}").exists() and b"zombie" not in _state(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes().lower()
    except OSError:
        return b"zombie"


def site(folder: Path) -> dict[str, str]:
    """Each page's digest (not the record of the build, which names the output folder it was made in)."""
    return {path: digest for path, digest in site_and_record(folder).items() if path != RECORD}


def own_process_build(project: Path, env: dict[str, str], out: str) -> subprocess.CompletedProcess[str]:
    """The same build in a process of its own (the server turned off), into `out`."""
    return build({**env, "RAPPORT_BUILD_SERVER": "off"}, project, out)


def test_builds_go_to_one_warm_server_and_give_the_bytes_and_words_of_a_build_in_its_own_process(
        place: dict[str, str], project: Path) -> None:
    first = build(place, project)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("built ") and first.stdout.endswith("(output/dashboard/index.html is your overview)\n")
    [server] = server_pids(place)
    assert server != os.getpid()
    new_response(project / "data")
    again = build(place, project)
    assert again.returncode == 0, again.stderr
    assert server_pids(place) == [server]  # the same process made the second build
    alone = own_process_build(project, place, "alone")
    assert alone.returncode == 0, alone.stderr
    assert site(project / "output") == site(project / "alone")
    words = again.stdout.replace(" output", " alone").split(" in ")[0]
    assert alone.stdout.split(" in ")[0] == words
    unchanged = build(place, project)
    assert unchanged.stdout.startswith("nothing changed since the last build: its ")
    assert server_pids(place) == [server]
    # the server's record of its output is the one a build in its own process trusts
    assert own_process_build(project, place, "output").stdout.startswith("nothing changed since the last build: its ")


def test_a_data_problem_gets_the_same_message_and_status_and_leaves_the_output_as_it_was(
        place: dict[str, str], project: Path) -> None:
    assert build(place, project).returncode == 0
    before = site(project / "output")
    clients = project / "data" / "clients.yaml"
    clients.write_text(clients.read_text(encoding="utf-8").replace("  name: ", "  nmae: ", 1), encoding="utf-8")
    broken = build(place, project)
    alone = own_process_build(project, place, "output")
    assert (broken.returncode, broken.stdout, broken.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert broken.returncode == 1 and "clients.yaml" in broken.stderr
    assert broken.stderr.endswith("; nothing was built\n")
    assert site(project / "output") == before
    assert len(server_pids(place)) == 1  # the server goes on


@pytest.mark.parametrize("where", ["deleted", "another folder"])
def test_an_output_deleted_or_elsewhere_is_made_whole(place: dict[str, str], project: Path, where: str) -> None:
    assert build(place, project).returncode == 0
    if where == "deleted":
        shutil.rmtree(project / "output")
    new_response(project / "data")
    out = "output" if where == "deleted" else "elsewhere"
    assert build(place, project, out).returncode == 0
    assert own_process_build(project, place, "alone").returncode == 0
    assert site(project / out) == site(project / "alone")


def test_changed_code_stops_the_server_and_the_build_is_made_by_a_new_one(
        place: dict[str, str], project: Path, tmp_path: Path) -> None:
    code = tmp_path / "code"
    shutil.copytree(REPO / "generator", code / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "site_templates", code / "site_templates")
    env = {**place, "PYTHONPATH": str(code)}
    assert build(env, project).returncode == 0
    [old] = server_pids(env)
    edited = code / "generator" / "plurals.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    new_response(project / "data")
    again = build(env, project)
    assert again.returncode == 0 and again.stdout.startswith("built "), again.stderr
    assert gone(old)
    [new] = server_pids(env)
    assert new != old


def test_a_server_killed_leaves_no_trace_a_build_minds(place: dict[str, str], project: Path) -> None:
    assert build(place, project).returncode == 0
    [server] = server_pids(place)
    os.kill(server, signal.SIGKILL)
    assert gone(server)
    assert sockets(place)  # its socket file is left behind
    new_response(project / "data")
    again = build(place, project)
    assert again.returncode == 0 and again.stdout.startswith("built "), again.stderr
    assert len(server_pids(place)) == 1 and server_pids(place) != [server]


def test_an_idle_server_exits_and_takes_its_socket_with_it(place: dict[str, str], project: Path) -> None:
    env = {**place, "RAPPORT_BUILD_SERVER_IDLE": "0.5"}
    assert build(env, project).returncode == 0
    [server] = server_pids(env)
    assert gone(server)
    assert sockets(env) == []


def test_a_server_holding_more_memory_than_allowed_exits_after_its_build(place: dict[str, str], project: Path) -> None:
    env = {**place, "RAPPORT_BUILD_SERVER_MAX_MB": "1"}
    first = build(env, project)
    assert first.returncode == 0 and first.stdout.startswith("built "), first.stderr
    assert server_pids(env) == [] and sockets(env) == []  # gone by the time its command exits
    assert build({**env, "RAPPORT_BUILD_SERVER_MAX_MB": "100000"}, project).returncode == 0
    assert len(server_pids(place)) == 1


def test_build_server_stop_stops_every_server(place: dict[str, str], project: Path) -> None:
    assert build(place, project).returncode == 0
    [server] = server_pids(place)
    assert rapport(place, project, "build-server", "status").stdout == f"{sockets(place)[0].name}: process {server}\n"
    stopped = rapport(place, project, "build-server", "stop")
    assert stopped.stdout == "stopped 1 build server\n"
    assert gone(server)
    assert sockets(place) == []
    assert rapport(place, project, "build-server", "status").stdout == "no build server is running\n"


def test_two_builds_at_once_start_one_server_and_both_succeed(place: dict[str, str], project: Path) -> None:
    command = [sys.executable, "-m", "generator", "build", "--data", "data", "--out", "output"]
    both = [subprocess.Popen(command, cwd=project, env=place, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(process.wait(timeout=300), *process.communicate()) for process in both]
    assert [status for status, _, _ in results] == [0, 0], results
    assert len(server_pids(place)) == 1
    assert own_process_build(project, place, "alone").returncode == 0
    assert site(project / "output") == site(project / "alone")


def test_each_place_has_its_own_server(place: dict[str, str], project: Path) -> None:
    assert build(place, project).returncode == 0
    assert build({**place, "TZ": "Europe/Paris"}, project).returncode == 0  # another environment
    assert len(server_pids(place)) == 2


@pytest.mark.parametrize("setting", ["off", "a folder others may write"])
def test_without_a_safe_place_to_listen_the_build_is_made_in_its_own_process(
        place: dict[str, str], project: Path, setting: str) -> None:
    env = dict(place)
    if setting == "off":
        env["RAPPORT_BUILD_SERVER"] = "off"
    else:
        folder = Path(env["XDG_RUNTIME_DIR"]) / "rapport"
        folder.mkdir()
        folder.chmod(0o777)
    result = build(env, project)
    assert result.returncode == 0 and result.stdout.startswith("built "), result.stderr
    assert sockets(env) == []


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_stops_the_build_in_the_server_as_it_stops_one_in_its_own_process(
        place: dict[str, str], tmp_path: Path, stop: signal.Signals) -> None:
    project = tmp_path / "large"
    write_demo(project / "data", clients=300, seed=3)
    command = [sys.executable, "-m", "generator", "build", "--data", "data", "--out", "output"]
    client = subprocess.Popen(command, cwd=project, env=place, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not building_in(place, project):  # the server is in the project's folder only while it builds there
        assert client.poll() is None and time.monotonic() < deadline, "the build ended before it could be stopped"
        time.sleep(0.005)
    [server] = server_pids(place)
    client.send_signal(stop)  # as the terminal sends it to the command on Ctrl-C, or `kill`
    stdout, stderr = client.communicate(timeout=120)
    # as a build in its own process ends: click's words and status 1 on Ctrl-C, ended by the signal on a kill
    assert client.returncode == (1 if stop == signal.SIGINT else -stop), (stdout, stderr)
    assert stderr.endswith("Aborted!\n") and stdout == ""
    assert not (project / "output").exists()  # nothing written
    assert server_pids(place) == [server]  # the server goes on, and builds the next one
    again = build(place, project)
    assert again.returncode == 0 and again.stdout.startswith("built "), again.stderr


def building_in(env: dict[str, str], folder: Path) -> bool:
    """A server of the place is working in `folder` (it goes back to / between builds)."""
    for pid in server_pids(env):
        try:
            if Path(os.readlink(f"/proc/{pid}/cwd")) == folder:
                return True
        except OSError:
            continue
    return False


def test_a_fourth_place_stops_the_server_least_recently_used(place: dict[str, str], project: Path) -> None:
    zones = ["Europe/Paris", "Asia/Tokyo", "America/Chicago", "Australia/Perth"]  # four environments: four places
    started: list[int] = []
    for zone in zones[:3]:
        assert build({**place, "TZ": zone}, project).returncode == 0
        [new] = set(server_pids(place)) - set(started)
        started.append(new)
    first, second, third = started
    assert build({**place, "TZ": zones[0]}, project).returncode == 0  # the first place's server, used again
    assert build({**place, "TZ": zones[3]}, project).returncode == 0
    assert gone(second)  # the least recently used
    assert {first, third} < set(server_pids(place)) and len(server_pids(place)) == 3
