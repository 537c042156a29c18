"""Dates cannot hide data: rows dated after today are errors, a fixed as_of older than the data warns."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from tests.conftest import SITE

MakePortfolio = Callable[..., Path]
TODAY = dt.date.today()
NEXT_YEAR = TODAY + dt.timedelta(days=366)


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "dates-test-secret")


def rapport(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def visit(day: dt.date) -> list[str]:
    return [day.isoformat(), "acme", "onsite", "Ann", "60", ""]


def test_a_contact_dated_next_year_fails_validate_with_its_line(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site={"business": {"name": "T"}}, contacts=[visit(TODAY), visit(NEXT_YEAR)])
    result = rapport("validate", "--data", data)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{data}/contacts.csv:3: date: '{NEXT_YEAR.isoformat()}' is after today ({TODAY.isoformat()}): "
        "log a contact once it has happened (planned visits belong in your calendar)",
        "error: 1 problem in the data",
    ]


def test_a_response_submitted_in_the_future_fails_with_its_line(make_portfolio: MakePortfolio) -> None:
    stamp = f"{NEXT_YEAR.isoformat()}T09:00:00Z"
    data = make_portfolio(site={"business": {"name": "T"}}, responses={"review": [
        {"response_id": "r1", "client": "acme", "submitted_at": f"{TODAY.isoformat()}T00:00:00+14:00", "overall": "5"},
        {"response_id": "r2", "client": "acme", "submitted_at": stamp, "overall": "4"}]})
    result = rapport("validate", "--data", data)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(
        f"{data}/responses/review.csv:3: submitted_at: '{stamp}' is after now (")
    assert result.output.splitlines()[0].endswith("a response cannot be submitted in the future")


def test_log_refuses_a_contact_that_has_not_happened(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site={"business": {"name": "T"}})
    before = (data / "contacts.csv").read_bytes()
    result = rapport("log", "acme", "onsite", "--date", NEXT_YEAR.isoformat(), "--data", data)
    assert result.exit_code == 1
    assert result.output == (f"error: --date {NEXT_YEAR.isoformat()} is after today: log a contact once it has happened "
                             "(planned visits belong in your calendar)\n")
    assert (data / "contacts.csv").read_bytes() == before


def test_a_fixed_as_of_older_than_the_data_warns_once_with_the_count(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    old = TODAY - dt.timedelta(days=40)
    data = make_portfolio(
        site={**SITE, "as_of": old.isoformat()},
        contacts=[visit(old - dt.timedelta(days=3)), visit(old + dt.timedelta(days=2)), visit(TODAY)],
        responses={"review": [{"response_id": "r1", "client": "acme",
                               "submitted_at": f"{(old + dt.timedelta(days=1)).isoformat()}T10:00:00Z", "overall": "5"}]})
    warning = (f"warning: as_of {old.isoformat()} (site.yaml) is older than the newest data ({TODAY.isoformat()}): "
               "2 contacts and 1 response dated after it are left out of every figure; remove as_of to report as of today")
    validated = rapport("validate", "--data", data)
    assert validated.exit_code == 0, validated.output
    assert validated.stderr.splitlines() == [warning]
    built = rapport("build", "--data", data, "--out", tmp_path / "o")
    assert built.exit_code == 0, built.output
    assert built.stderr.splitlines() == [warning]
    from_option = rapport("validate", "--data", data, "--as-of", TODAY.isoformat())
    assert from_option.stderr == ""


def test_as_of_defaults_to_today(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site={"business": {"name": "T"}}, contacts=[visit(TODAY)])
    report = rapport("report", "--json", "--data", data)
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["as_of"] == TODAY.isoformat()
    assert rapport("validate", "--data", data).stderr == ""


def test_responses_alone_after_a_fixed_as_of_are_counted(make_portfolio: MakePortfolio) -> None:
    old = TODAY - dt.timedelta(days=10)
    newest = TODAY - dt.timedelta(days=2)
    data = make_portfolio(site={**SITE, "as_of": old.isoformat()}, contacts=[], responses={"review": [
        {"response_id": "r1", "client": "acme", "submitted_at": f"{newest.isoformat()}T10:00:00Z", "overall": "5"}]})
    assert rapport("validate", "--data", data).stderr == (
        f"warning: as_of {old.isoformat()} (site.yaml) is older than the newest data ({newest.isoformat()}): "
        "1 response dated after it is left out of every figure; remove as_of to report as of today\n")


def test_a_rebuild_holding_each_frames_newest_date_still_finds_a_row_after_today(
    make_portfolio: MakePortfolio, tmp_path: Path,
) -> None:
    # `rapport serve`'s builder holds each frame's newest date while the frame is the memo's very one
    # (generator/load/timeline.py): a contact or response appended since is still checked
    from generator.build import build_site
    from generator.errors import DataError
    from generator.speed import Speed
    from generator.speed.cache import Kept
    from tests.test_speed import append_row

    data = make_portfolio(site={"business": {"name": "T"}}, contacts=[visit(TODAY)], responses={"review": [
        {"response_id": "r1", "client": "acme", "submitted_at": f"{TODAY.isoformat()}T00:00:00+14:00", "overall": "5"}]})
    out, kept = tmp_path / "out", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    contacts = data / "contacts.csv"
    before = contacts.read_text(encoding="utf-8")
    contacts.write_text(before + ",".join(visit(NEXT_YEAR)) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"'{NEXT_YEAR.isoformat()}' is after today"):
        build_site(data, out, speed=Speed.on(kept=kept))
    contacts.write_text(before, encoding="utf-8")
    build_site(data, out, speed=Speed.on(kept=kept))
    append_row(data / "responses" / "review.csv",
               lambda row: row.update(response_id="r2", submitted_at=f"{NEXT_YEAR.isoformat()}T09:00:00Z"))
    with pytest.raises(DataError, match="a response cannot be submitted in the future"):
        build_site(data, out, speed=Speed.on(kept=kept))
