"""The cycle collector around a build: paused while it runs, back on after it without a pass over
everything the build made (generator/speed/__init__.py), and paused while `rapport build`
imports the stages (generator/cli.py)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.build import build_site
from generator.speed import Speed


@pytest.fixture
def collecting() -> Iterator[None]:
    """The collector on, as in any program that calls the library, and as it was afterwards."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_after_a_session_the_young_generation_holds_none_of_its_objects(tmp_path: Path, collecting: None) -> None:
    with Speed.on().session(tmp_path / "data", tmp_path / "out"):
        assert not gc.isenabled()  # paused while the build runs
        made = [[number] for number in range(50_000)]  # what a build makes and keeps to its end: tracked objects
    young = gc.get_objects(generation=0)
    assert gc.isenabled()
    # without the move, all 50,000 would be young here, for the next collection to walk in one long pass
    assert len(young) < 5_000
    assert made[-1] == [49_999]


def test_a_plain_build_leaves_the_collector_as_it_found_it(
    make_portfolio: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "collector-test-secret")
    data = make_portfolio()
    was = gc.isenabled()
    gc.disable()
    try:
        build_site(data, tmp_path / "out", speed=Speed.on())
        assert not gc.isenabled()  # a caller that paused it finds it paused
    finally:
        if was:
            gc.enable()


def test_the_stages_are_imported_with_the_collector_paused_and_frozen_after() -> None:
    # in a fresh interpreter: this one imported the stages long ago
    code = (
        "import gc\n"
        "from generator import cli\n"
        "collections = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and collections.append(info['generation']))\n"
        "frozen = gc.get_freeze_count()\n"
        "cli.import_stages()\n"
        "print(len(collections), gc.get_freeze_count() > frozen + 10000, gc.isenabled())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "True", "True"]
