"""When `rapport serve` takes a save to be whole (generator/ingest/serve_sources.py): its files are quiet.

A build begins at once and checks once it has read the data that the files were whole
(`settled`): it stops there, writing nothing, should they have changed since it looked.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import build_site
from generator.ingest.serve_sources import QUIET_S, STEADY_S, Signature, data_changed, quiet, settled, sources
from tests.conftest import demo_data_fixture

data = demo_data_fixture("serve-sources-test-secret", 6)


def looks(sizes: list[int], written_ns: int) -> tuple[Callable[[], Signature], list[int]]:
    """A look at contacts.csv that finds each size in turn (the last one from then on), its time `written_ns`."""
    seen: list[int] = []

    def look() -> Signature:
        size = sizes[min(len(seen), len(sizes) - 1)]
        seen.append(size)
        return "2026-11-30", (("data/contacts.csv", 7, size, written_ns),)

    return look, seen


def test_a_file_written_long_ago_is_taken_at_the_first_look() -> None:
    look, seen = looks([100], time.time_ns() - 10_000_000_000)
    assert quiet(look)[1][0][2] == 100
    assert seen == [100]


def test_a_save_whose_size_still_grows_is_taken_once_two_looks_agree() -> None:
    # a long write: the file's time is the moment it began, its size grows until it ends
    look, seen = looks([1_000, 5_000, 9_000, 9_000], time.time_ns() - 500_000_000)
    assert quiet(look)[1][0][2] == 9_000
    assert seen == [1_000, 5_000, 9_000, 9_000]


def test_a_file_written_a_moment_ago_is_taken_only_once_it_has_been_quiet() -> None:
    written = time.time_ns()
    look, seen = looks([100], written)
    assert quiet(look)[1][0][2] == 100
    assert time.time_ns() - written >= QUIET_S * 1e9
    assert seen == [100, 100]


def test_only_a_change_under_the_data_folder_is_a_data_change(tmp_path: Path) -> None:
    data, templates = tmp_path / "data", tmp_path / "site_templates"
    for folder in (data, templates):
        folder.mkdir()
        (folder / "a.txt").write_text("one", encoding="utf-8")
    before = sources([data, templates], dt.date(2026, 11, 30))
    (templates / "a.txt").write_text("two!", encoding="utf-8")
    after_template = sources([data, templates], dt.date(2026, 11, 30))
    assert after_template != before and not data_changed(before, after_template, data)
    (data / "a.txt").write_text("two!", encoding="utf-8")
    assert data_changed(after_template, sources([data, templates], dt.date(2026, 11, 30)), data)


def test_files_written_long_before_a_build_looked_were_whole_without_a_second_look() -> None:
    look, seen = looks([100], time.time_ns() - 10_000_000_000)
    first, looked_at = look(), time.time()
    assert settled(first, looked_at, look)
    assert seen == [100]


def test_files_written_a_moment_before_a_build_looked_were_whole_if_found_the_same_once_quiet() -> None:
    written = time.time_ns()
    look, seen = looks([100], written)
    first, looked_at = look(), time.time()
    assert settled(first, looked_at, look)
    assert time.time_ns() - written >= QUIET_S * 1e9 and time.time() - looked_at >= STEADY_S
    assert seen == [100, 100]


def test_files_that_grew_after_a_build_looked_were_being_written_as_it_read_them() -> None:
    look, seen = looks([1_000, 5_000], time.time_ns() - 500_000_000)
    first, looked_at = look(), time.time()
    assert not settled(first, looked_at, look)
    assert seen == [1_000, 5_000]


class Stopped(Exception):
    """What the test's check raises once the build has read the data."""


def test_a_build_stopped_before_its_first_page_leaves_the_output_as_it_was(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "project" / "output"
    build_site(data, out)
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    client = next(line.split(":", 1)[1].strip() for line in (data / "clients.yaml").read_text(encoding="utf-8").splitlines()
                  if line.startswith("- id:"))
    with (data / "contacts.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"2026-11-30,{client},onsite,Test Visitor,45,\n")
    read: list[int] = []

    def check() -> None:
        read.append(1)
        raise Stopped

    with pytest.raises(Stopped):
        build_site(data, out, before_pages=check)
    assert read == [1]
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
    assert sorted(item.name for item in out.parent.iterdir()) == sorted(["data", "output", ".rapport"]), "no staging left"
