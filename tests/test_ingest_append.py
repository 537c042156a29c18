"""The append path: crash safety, the lock across processes, and old bytes kept exactly."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.ingest import append as append_module
from generator.ingest.append import TEMP_SUFFIX, appended, replace_atomically
from generator.ingest.context import load_context
from generator.ingest.intake import ingest
from generator.ingest.records import Submission
from generator.load import load_portfolio
from tests.conftest import REPO

EXISTING = ("response_id,client,submitted_at,overall,recommend,visits,areas,improve\n"
            "old-1,acme,2026-01-05T10:00:00Z,4,9,,,\"kept, as \"\"written\"\"\"\n")


@pytest.fixture
def data(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny portfolio whose review file already holds one row."""
    monkeypatch.setenv("RAPPORT_SECRET", "append-test-secret")
    return make_portfolio(responses={"review": EXISTING})


def answer(text: str = "new") -> Submission:
    """An anonymous, valid submission."""
    return Submission("collector", {"improve": text}, survey="review",
                      answers={"overall": ["5"], "improve": [text]})


def leftovers(folder: Path) -> list[str]:
    """Temporary files in a folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX))


def test_appending_keeps_every_old_byte_and_adds_whole_rows(data: Path) -> None:
    path = data / "responses" / "review.csv"
    report = ingest(load_context(data), [answer("one"), answer("two")])
    assert report.count("accepted") == 2
    text = path.read_bytes().decode("utf-8")
    assert text.startswith(EXISTING)
    assert [row["improve"] for row in csv.DictReader(io.StringIO(text, newline=""))] == ['kept, as "written"', "one", "two"]


def test_a_last_line_without_newline_is_not_joined_to_the_new_row(data: Path) -> None:
    path = data / "responses" / "review.csv"
    path.write_text(EXISTING.rstrip("\n"), encoding="utf-8")
    ingest(load_context(data), [answer()])
    assert len(load_portfolio(data).responses["review"]) == 2


def test_a_new_file_starts_with_the_header() -> None:
    assert appended(None, ["a", "b"], [["1", "x,y"]]) == b'a,b\n1,"x,y"\n'
    assert appended(b"a,b\n", ["a", "b"], [["2", ""]]) == b"a,b\n2,\n"


def test_when_the_final_rename_fails_the_file_is_unchanged_and_no_temporary_is_left(
    data: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = data / "responses" / "review.csv"
    before = path.read_bytes()

    def failing_replace(source: str, target: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(append_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="Input/output error"):
        ingest(load_context(data), [answer()])
    assert path.read_bytes() == before
    assert leftovers(data / "responses") == []
    assert not (data / "quarantine").exists()


def test_when_writing_fails_half_way_the_file_is_unchanged(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data / "responses" / "review.csv"
    before = path.read_bytes()

    def failing_fsync(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(append_module.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        replace_atomically(path, before + b"half a row")
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_a_temporary_left_by_a_killed_writer_is_removed_by_the_next_write(data: Path) -> None:
    folder = data / "responses"
    stale = folder / f".review.csv.abc123{TEMP_SUFFIX}"
    stale.write_bytes(b"half")
    ingest(load_context(data), [answer()])
    assert leftovers(folder) == []


def test_writers_in_four_processes_never_lose_or_tear_a_row(data: Path, tmp_path: Path) -> None:
    exports = []
    for writer in range(4):
        path = tmp_path / f"log-{writer}.jsonl"
        lines = [json.dumps({"survey": "review", "submitted_at": f"2026-11-0{writer + 1}T10:{n:02d}:00Z",
                             "overall": str(1 + n % 5), "improve": f"writer {writer}, line {n}\n\"ok\""})
                 for n in range(40)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        exports.append(path)
    environment = {**os.environ, "RAPPORT_SECRET": "append-test-secret"}
    processes = [subprocess.Popen([sys.executable, "-m", "generator", "import", str(path), "--source", "jsonl",
                                   "--data", str(data)], cwd=REPO, env=environment,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for path in exports]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    assert all(out.strip() == "read 40, accepted 40, duplicates 0, quarantined 0" for out, _ in outputs), outputs
    frame = load_portfolio(data).responses["review"]
    assert len(frame) == 1 + 4 * 40
    assert sorted(frame["improve"].tolist())[1:] == sorted(f"writer {w}, line {n}\n\"ok\"" for w in range(4) for n in range(40))
    assert (data / "responses" / "review.csv").read_text(encoding="utf-8").startswith(EXISTING)
