"""The preview's builder process: the same site as `build_site` in this process, and failures told, not raised."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pytest

from generator.build import build_site
from generator.demo import write_demo
from generator.ingest.builder import Builder, BuildRequest
from generator.speed import Speed
from generator.speed.output import MANIFEST

SECRET = "builder-test-secret"


@pytest.fixture(autouse=True)
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)


def site(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under folder but the manifest."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MANIFEST}


def test_the_builder_process_builds_the_same_bytes_and_reports_a_broken_file(tmp_path: Path) -> None:
    data = tmp_path / "project" / "data"
    write_demo(data, clients=12, seed=5)
    out = tmp_path / "project" / "output"
    builder = Builder()
    try:
        assert builder.pid is not None, "forked: this test process has one thread"
        first = builder.build(BuildRequest(data, out, None, None))
        assert first.kind == "ok" and first.files == len(site(out))
        contacts = data / "contacts.csv"
        contacts.write_text(contacts.read_text(encoding="utf-8") + "2026-11-29,not-a-client,onsite,Sam,30,\n",
                            encoding="utf-8")
        broken = builder.build(BuildRequest(data, out, None, None))
        assert broken.kind == "data" and broken.problems == 1
        assert "contacts.csv" in broken.message and "not-a-client" in broken.message
        contacts.write_text(contacts.read_text(encoding="utf-8").replace("not-a-client", data_client(data)), encoding="utf-8")
        again = builder.build(BuildRequest(data, out, None, None))
        assert again.kind == "ok"
    finally:
        builder.close()
    plain = tmp_path / "plain"
    build_site(data, plain, speed=Speed.off())
    assert site(out) == site(plain)


def test_a_builder_whose_process_died_builds_here(tmp_path: Path) -> None:
    data = tmp_path / "project" / "data"
    write_demo(data, clients=6, seed=5)
    builder = Builder()
    assert builder.pid is not None
    os.kill(builder.pid, signal.SIGKILL)  # as the out-of-memory killer would
    outcome = builder.build(BuildRequest(data, tmp_path / "project" / "output", None, None))
    assert outcome.kind == "ok" and (tmp_path / "project" / "output" / "dashboard" / "index.html").is_file()
    builder.close()


def data_client(data: Path) -> str:
    """The id of the first client of the portfolio."""
    return next(line.split(":", 1)[1].strip() for line in (data / "clients.yaml").read_text(encoding="utf-8").splitlines()
                if line.startswith("- id:"))
