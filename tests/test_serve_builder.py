"""`rapport serve` builds in a process of its own: saves made during a build are one more build, and what
it writes after a change is what a plain build of the same data writes."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from generator.build import build_site
from generator.forks import can_fork
from generator.ingest.serve import Preview
from generator.ingest.serve_files import PreviewFiles
from generator.speed import Speed
from generator.speed.output import MANIFEST
from tests.conftest import REPO, demo_data_fixture
from tests.test_ingest_collector import running_server
from tests.test_serve_hosts import free_port

SECRET = "serve-builder-test-secret"
CLIENTS = 150  # enough for a build to render on both cores (generator/speed/__init__.py), and to last a moment
VISITS = re.compile(r"On-site visits, last 12 months</th><td>(\d+);")


data = demo_data_fixture(SECRET, CLIENTS)


def first_client(data: Path) -> str:
    return sorted(line.split(":", 1)[1].strip() for line in (data / "clients.yaml").read_text(encoding="utf-8").splitlines()
                  if line.startswith("- id:"))[0]


def save_visit(data: Path, client: str) -> None:
    """Rewrite contacts.csv whole with one more on-site visit, as an editor saves it.

    Dated the last day of the month before the report date's: the page counts the visits of the 12 full months before.
    """
    as_of = re.search(r"^as_of: (\S+)$", (data / "site.yaml").read_text(encoding="utf-8"), re.MULTILINE)
    assert as_of is not None
    day = dt.date.fromisoformat(as_of[1]).replace(day=1) - dt.timedelta(days=1)
    path = data / "contacts.csv"
    text = path.read_text(encoding="utf-8")
    row = io.StringIO()
    header = next(csv.reader(io.StringIO(text)))
    csv.DictWriter(row, header, lineterminator="\n").writerow(
        {"date": day.isoformat(), "client": client, "kind": "onsite", "staff": "Test Visitor", "minutes": "45"})
    path.write_text(text + row.getvalue(), encoding="utf-8")


def wait_until(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll the server until check() holds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.01)


def gone(pid: int) -> bool:
    """The process has exited (collected, or a zombie waiting to be)."""
    try:
        return "(zombie)" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


def site(out: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file of the site (the speed layer's manifest aside)."""
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob("*")) if path.is_file() and path.name not in (MANIFEST, ".last-build.json")}


@pytest.mark.skipif(not can_fork(), reason="the builder process is forked where forking is safe (Linux)")
def test_saves_during_a_build_make_one_more_build_and_the_served_site_is_a_plain_builds(data: Path, tmp_path: Path) -> None:
    client, out, port = first_client(data), tmp_path / "project" / "output", free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--data", str(data), "--out", str(out),
                               "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            def state() -> dict:
                try:
                    return http.get("/api/build").json()
                except httpx.TransportError:
                    assert server.poll() is None, server.communicate()[1]
                    return {"generation": 0, "building": True, "ok": None}

            def visits() -> int:
                found = VISITS.search(http.get(f"/dashboard/clients/{client}.html").text)
                assert found is not None
                return int(found[1])

            wait_until(lambda: state()["generation"] >= 1 and not state()["building"], "the first build")
            first, seen = state(), visits()
            assert first["ok"] is True
            save_visit(data, client)
            wait_until(lambda: state()["building"], "the rebuild after a save")
            for _ in range(3):  # saved while that build runs: one more build takes them all
                save_visit(data, client)
            # the page first, then the state: a changed page is served while its build runs, so a state read
            # before the page could predate that build
            wait_until(lambda: visits() == seen + 4 and not state()["building"], "the page showing every save")
            # the saved-during build's one more build, unless the saves were all in before that build read the
            # data (a loaded machine): then it took them all itself
            after = state()["generation"]
            assert first["generation"] + 1 <= after <= first["generation"] + 2
            save_visit(data, client)
            wait_until(lambda: visits() == seen + 5 and not state()["building"], "the page showing the last save")
            last = state()
            assert last == {**first, "generation": after + 1, "seconds": last["seconds"], "ended_at": last["ended_at"]}
            assert first["ended_at"] < last["ended_at"] <= time.time()
        builders = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(builders) == 1, "the builder is a process of its own"
        server.send_signal(signal.SIGINT)  # Ctrl-C
        stdout, stderr = server.communicate(timeout=60)
        assert server.returncode == 0, stderr  # stopping the preview is no failure
        assert stdout.endswith("\nStopped the preview.\n") and "Aborted!" not in stderr and "Traceback" not in stderr
        assert gone(int(builders[0])), "the builder stops with the server"
        assert not list(out.parent.glob(f".{out.name}.new-*")), "no staging folder is left behind"
        assert not list(out.parent.glob(f".{out.name}.early-*")), "no folder of early pages is left behind"
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    plain = tmp_path / "plain"
    build_site(data, plain, speed=Speed.off())
    assert site(out) == site(plain)


def test_a_wake_without_a_changed_file_builds_nothing(data: Path, tmp_path: Path) -> None:
    preview = Preview(data, tmp_path / "output", quiet=True)
    assert preview.build_once().ok
    assert preview.rebuild().generation == 1, "a watcher's late event for a save already built"
    save_visit(data, first_client(data))
    assert preview.rebuild().generation == 2
    (data / "clients.yaml").write_text("- id: [broken\n", encoding="utf-8")
    failed = preview.rebuild()
    assert (failed.generation, failed.ok) == (3, False)
    assert preview.rebuild().generation == 4, "a failed build is tried again"


def test_a_page_staged_by_the_build_under_way_is_served_before_the_last_builds(tmp_path: Path) -> None:
    output, staging = tmp_path / "output" / "dashboard", tmp_path / ".output.new-1-x" / "dashboard"
    for folder, text in ((output, "last build"), (staging, "build under way")):
        (folder / "clients").mkdir(parents=True)
        (folder / "clients" / "acme.html").write_text(f"acme: {text}", encoding="utf-8")
        (folder / "index.html").write_text(f"overview: {text}", encoding="utf-8")
    (output / "inbox.html").write_text("inbox: last build", encoding="utf-8")
    (tmp_path / "secret.html").write_text("outside", encoding="utf-8")
    building = [True]
    files = PreviewFiles(directory=output, html=True, check_dir=False, staged=lambda: [staging] if building[0] else [])
    with running_server(Starlette(routes=[Mount("/dashboard", files)])) as base, httpx.Client(base_url=base) as http:
        assert http.get("/dashboard/clients/acme.html").text == "acme: build under way"
        assert http.get("/dashboard/").text == "overview: build under way"
        assert http.get("/dashboard/inbox.html").text == "inbox: last build", "not made yet: the last build's"
        assert http.get("/dashboard/clients/no-such.html").status_code == 404
        assert http.get("/dashboard/..%2F..%2Fsecret.html").status_code == 404
        building[0] = False  # the build ended: its files are in the output now, or it failed and they are gone
        assert http.get("/dashboard/clients/acme.html").text == "acme: last build"
