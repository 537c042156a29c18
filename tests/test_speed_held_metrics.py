"""Values the metrics stage holds between the builds of one process (`Memo.hold`), as `rapport serve` builds.

Each is held under what it is a function of: after an edit of that input the value is made again, and
warm builds give a clean build's bytes.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pandas as pd

from generator.build import build_site
from generator.load import load_portfolio
from generator.metrics import Reports, compute_reports
from generator.metrics.inputs import Roster, prepare
from generator.metrics.kpi import snapshots_key
from generator.speed import Speed
from generator.speed.cache import DiskMemo, Kept
from tests.conftest import demo_data_fixture
from tests.test_speed import SECRET, append_row, clean_build, ended_client, new_contact, new_response, new_target, tree

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


def test_the_reports_made_from_held_values_are_the_ones_made_afresh(data: Path) -> None:
    kept = Kept()
    for change in (None, new_response, new_response_replacing_one, new_contact, ended_client, new_target):
        if change is not None:
            change(data)
        memo = DiskMemo.for_data(data, kept)
        warm, afresh = compute_reports(load_portfolio(data, None, memo), memo), compute_reports(load_portfolio(data))
        for field in dataclasses.fields(Reports):
            made, expected = getattr(warm, field.name), getattr(afresh, field.name)
            if isinstance(expected, pd.DataFrame):
                pd.testing.assert_frame_equal(made, expected, check_exact=True)
                assert [list(map(type, column)) for _, column in made.items()] == [
                    list(map(type, column)) for _, column in expected.items()], field.name
            else:
                assert made == expected, field.name
        assert change is not new_response_replacing_one or "ar-link-1" in warm.superseded["response_id"].tolist()


def new_response_replacing_one(data: Path) -> None:
    """Two answers through one client's link in one round: the second replaces the first (metrics/rounds.py)."""
    for number, hour in ((1, 10), (2, 11)):
        append_row(data / "responses" / "annual-review.csv", functools.partial(dict.update, response_id=f"ar-link-{number}",
                   submitted_at=f"2026-11-30T{hour}:00:00+00:00", improve=f"Second thoughts, {number}."))


def test_warm_builds_after_edits_of_the_records_and_settings_give_a_clean_builds_bytes(data: Path, tmp_path: Path) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    for change in (new_response, ended_client, new_target, new_contact):
        change(data)
        build_site(data, out, speed=Speed.on(kept=kept))
        assert tree(out) == clean_build(data, tmp_path / change.__name__), change.__name__
