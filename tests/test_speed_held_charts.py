"""The response lists the charts stage holds between the builds of one process (`Memo.hold`), as `rapport serve` builds.

A response appended to a survey's file is added to the lists the last build made: every other response stays the
object it was, and so does every other client's list; the lists are those a fresh build makes.
"""

from __future__ import annotations

from pathlib import Path

from generator.charts import build_charts
from generator.charts.data import DashboardData
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.speed.cache import DiskMemo, Kept
from tests.conftest import demo_data_fixture
from tests.test_speed import SECRET, append_row, ended_client, new_contact, new_response
from tests.test_speed_held_metrics import new_response_replacing_one

data = demo_data_fixture(SECRET, 24, seed=13)


def lists(data: Path, kept: Kept | None) -> DashboardData:
    """The dashboard data of a build (holding its values in `kept`, when given)."""
    memo = DiskMemo.for_data(data, kept) if kept is not None else DiskMemo.for_data(data)
    portfolio = load_portfolio(data, None, memo)
    return build_charts(portfolio, compute_reports(portfolio, memo), memo).data


def test_a_new_response_is_added_to_the_lists_the_last_build_made(data: Path) -> None:
    kept = Kept()
    before = lists(data, kept)
    new_response(data)  # to the annual review: a copy of its last row, under a new id
    after = lists(data, kept)
    assert after.responses["quarterly-pulse"] is before.responses["quarterly-pulse"]
    added = after.responses["annual-review"][0]
    assert added.response_id == "new-1"
    assert all(any(response is earlier for earlier in before.responses["annual-review"])
               for response in after.responses["annual-review"][1:]), "the other responses are the objects they were"
    for client, named in after.by_client_responses.items():
        assert (named is before.by_client_responses[client]) == (client != added.client), client
    assert after.by_client_responses[added.client][0] is added
    fresh = lists(data, None)
    assert after.responses == fresh.responses and after.by_client_responses == fresh.by_client_responses


def test_the_lists_are_a_fresh_builds_after_every_kind_of_edit(data: Path) -> None:
    kept = Kept()
    lists(data, kept)
    for change in (new_response, new_response_replacing_one, new_anonymous_response, new_contact, ended_client):
        change(data)
        warm, fresh = lists(data, kept), lists(data, None)
        assert warm.responses == fresh.responses
        assert warm.by_client_responses == fresh.by_client_responses


def new_anonymous_response(data: Path) -> None:
    """A response without a client, to the quarterly pulse."""
    append_row(data / "responses" / "quarterly-pulse.csv", lambda row: row.update(
        response_id="anon-1", client="", submitted_at="2026-11-30T08:00:00+00:00"))
