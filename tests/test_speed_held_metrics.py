"""Values the metrics stage holds between the builds of one process (`Memo.hold`), as `rapport serve` builds.

Each is held under what it is a function of: after an edit of that input the value is made again, and
warm builds give a clean build's bytes.
"""

from __future__ import annotations

from pathlib import Path

from generator.build import build_site
from generator.load import load_portfolio
from generator.metrics.inputs import Roster, prepare
from generator.metrics.kpi import snapshots_key
from generator.speed import Speed
from generator.speed.cache import DiskMemo, Kept
from tests.conftest import demo_data_fixture
from tests.test_speed import SECRET, clean_build, ended_client, new_contact, new_response, new_target, tree

data = demo_data_fixture(SECRET, 24, seed=12)


def test_the_roster_is_held_while_the_client_records_settings_and_report_date_are_the_same(data: Path) -> None:
    kept = Kept()

    def roster() -> Roster:
        memo = DiskMemo.for_data(data, kept)
        return prepare(load_portfolio(data, None, memo), memo).roster

    first = roster()
    new_response(data)
    new_contact(data)
    assert roster() is first
    ended_client(data)
    second = roster()
    assert second is not first and (second.active != first.active).any()
    assert (second.active == prepare(load_portfolio(data)).roster.active).all()
    new_target(data)
    assert roster() is not second


def test_the_snapshots_key_made_from_held_parts_is_the_one_made_afresh(data: Path) -> None:
    kept = Kept()

    def keys() -> tuple[list[bytes], list[bytes]]:
        memo = DiskMemo.for_data(data, kept)
        portfolio = load_portfolio(data, None, memo)
        return snapshots_key(portfolio, memo), snapshots_key(portfolio)

    for change in (None, new_response, new_contact, ended_client):
        if change is not None:
            change(data)
        held, afresh = keys()
        assert held == afresh


def test_warm_builds_after_edits_of_the_records_and_settings_give_a_clean_builds_bytes(data: Path, tmp_path: Path) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    for change in (new_response, ended_client, new_target, new_contact):
        change(data)
        build_site(data, out, speed=Speed.on(kept=kept))
        assert tree(out) == clean_build(data, tmp_path / change.__name__), change.__name__
