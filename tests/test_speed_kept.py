"""The memo kept in memory between builds (`Kept`, generator/speed/cache.py), as `rapport serve` keeps it.

An entry is taken from memory only under the key the file on disk would have: a value of other
bytes (a file changed by another process, an entry written by another build) is never taken for
it. Builds that share a `Kept` through every kind of change give a clean build's bytes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build_site
from generator.errors import Problem
from generator.speed import Speed
from generator.speed.cache import TOKEN_BYTES, DiskMemo, Kept
from tests.conftest import demo_data_fixture
from tests.test_speed import CHANGES, REPO, SECRET, append_row, clean_build, plain_build, site, tree

CLIENTS = 24


data = demo_data_fixture(SECRET, CLIENTS, seed=11)


def never() -> list[str]:
    raise AssertionError("computed, though kept")


def test_an_entry_is_taken_from_memory_while_the_file_holds_the_same_writing_of_it(tmp_path: Path) -> None:
    kept, problems, entry = Kept(), list[Problem](), tmp_path / "cache" / "words.pickle"
    first = DiskMemo(tmp_path / "cache", kept)
    assert first.load("words", [b"file v1"], lambda: ["v1"], problems) == ["v1"]
    first.flush()
    header = entry.read_bytes()[:len(first._key("words", [b"file v1"])) + TOKEN_BYTES]
    entry.write_bytes(header + b"not a pickle")  # the same key and token, then bytes no build could read
    assert DiskMemo(tmp_path / "cache", kept).load("words", [b"file v1"], never, problems) == ["v1"], "from memory"
    assert DiskMemo(tmp_path / "cache").load("words", [b"file v1"], lambda: ["read again"], problems) == ["read again"]
    assert DiskMemo(tmp_path / "cache", kept).load("words", [b"file v2"], lambda: ["v2"], problems) == ["v2"], \
        "another key: computed, not the value in memory"


def test_an_entry_another_process_wrote_since_is_read_from_disk_even_under_the_same_key(tmp_path: Path) -> None:
    kept = Kept()
    serve = DiskMemo(tmp_path / "cache", kept)  # an entry whose key does not change: the last build's digests
    serve.put("client-digests", [b"output"], {"acme": b"1"})
    serve.flush()
    assert DiskMemo(tmp_path / "cache", kept).get("client-digests", [b"output"]) == {"acme": b"1"}
    other = DiskMemo(tmp_path / "cache")  # `rapport build` in a terminal, beside the preview
    other.put("client-digests", [b"output"], {"acme": b"2"})
    other.flush()
    assert DiskMemo(tmp_path / "cache", kept).get("client-digests", [b"output"]) == {"acme": b"2"}
    (tmp_path / "cache" / "client-digests.pickle").unlink()
    assert DiskMemo(tmp_path / "cache", kept).get("client-digests", [b"output"]) is None, "gone from disk: gone"


def test_an_entry_computed_with_a_problem_is_kept_neither_on_disk_nor_in_memory(tmp_path: Path) -> None:
    kept, problems = Kept(), list[Problem]()

    def with_problem() -> list[str]:
        problems.append(Problem("contacts.csv", 3, "date", "not a date"))
        return ["partial"]

    memo = DiskMemo(tmp_path / "cache", kept)
    memo.load("rows", [b"file"], with_problem, problems)
    memo.flush()
    assert DiskMemo(tmp_path / "cache", kept).load("rows", [b"file"], lambda: ["checked again"], []) == ["checked again"]


@pytest.mark.parametrize("change", CHANGES)
def test_builds_sharing_what_they_keep_give_a_clean_builds_bytes_after_every_kind_of_change(
        data: Path, tmp_path: Path, change: str) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    append_row(data / "responses" / "quarterly-pulse.csv", lambda row: row.update(  # a build that kept the memo
        response_id="kept-1", submitted_at="2026-11-29T09:00:00+00:00", comment="Quick and friendly."))
    build_site(data, out, speed=Speed.on(kept=kept))
    CHANGES[change](data)
    build_site(data, out, speed=Speed.on(kept=kept))
    assert tree(out) == clean_build(data, tmp_path)
    assert site(out) == plain_build(data, tmp_path)


def test_a_file_changed_by_another_process_between_two_builds_is_read_again(data: Path, tmp_path: Path) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    clients = data / "clients.yaml"
    text = clients.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("  name: "))
    same_size = "  name: " + "Q" * (len(name) - len("  name: "))  # the same length: only the bytes and time tell
    subprocess.run([sys.executable, "-c", "import sys, pathlib; p = pathlib.Path(sys.argv[1]); "
                    "p.write_text(p.read_text(encoding='utf-8').replace(sys.argv[2], sys.argv[3], 1), encoding='utf-8')",
                    str(clients), name, same_size], check=True, cwd=REPO)
    assert clients.stat().st_size == len(text.encode())
    build_site(data, out, speed=Speed.on(kept=kept))
    assert "Q" * 8 in (out / "dashboard" / "clients" / "index.html").read_text(encoding="utf-8")
    assert tree(out) == clean_build(data, tmp_path)


def test_entries_kept_for_later_are_on_disk_only_once_written_and_then_read_by_any_process(tmp_path: Path) -> None:
    kept, problems, entry = Kept(defer_writes=True), list[Problem](), tmp_path / "cache" / "words.pickle"
    build = DiskMemo(tmp_path / "cache", kept)  # as `rapport serve` builds: the entries written once the build ends
    assert build.load("words", [b"file v1"], lambda: ["v1"], problems) == ["v1"]
    build.put("digests", [b"output"], {"acme": b"1"})
    assert build.writes() == []
    build.flush()
    assert not entry.exists() and not (tmp_path / "cache" / "digests.pickle").exists(), "not while the build runs"
    assert DiskMemo(tmp_path / "cache").load("words", [b"file v1"], lambda: ["not yet"], problems) == ["not yet"]
    kept.write_deferred()
    assert DiskMemo(tmp_path / "cache").load("words", [b"file v1"], never, problems) == ["v1"], "another process reads it"
    assert DiskMemo(tmp_path / "cache").get("digests", [b"output"]) == {"acme": b"1"}
    assert DiskMemo(tmp_path / "cache", kept).load("words", [b"file v1"], never, problems) == ["v1"], "and serve, from memory"
    entry.unlink()
    kept.write_deferred()
    assert not entry.exists(), "each entry is written once"


def test_builds_that_write_the_memo_once_they_end_give_a_clean_builds_bytes(data: Path, tmp_path: Path) -> None:
    out, kept = data.parent / "output", Kept(defer_writes=True)
    build_site(data, out, speed=Speed.on(kept=kept))
    kept.write_deferred()
    append_row(data / "responses" / "quarterly-pulse.csv", lambda row: row.update(
        response_id="kept-1", submitted_at="2026-11-29T09:00:00+00:00", comment="Quick and friendly."))
    build_site(data, out, speed=Speed.on(kept=kept))
    kept.write_deferred()
    assert tree(out) == clean_build(data, tmp_path)
    CHANGES["a new contact"](data)
    build_site(data, out)  # another process, from the entries on disk
    assert tree(out) == clean_build(data, tmp_path)
