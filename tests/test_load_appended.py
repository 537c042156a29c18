"""A CSV file that grew by appending is read from where the kept one ended (generator/load/appended.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from generator.demo import write_demo
from generator.errors import DataError, Problem
from generator.load import load_portfolio
from generator.load.contacts import append_contacts, load_contacts
from generator.load.responses import append_responses, load_responses
from generator.portfolio import Portfolio
from generator.speed.cache import DiskMemo


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A small demo portfolio in tmp_path/project/data."""
    folder = tmp_path / "project" / "data"
    write_demo(folder, clients=12, seed=5)
    return folder


def memo_load(data: Path) -> Portfolio:
    """A load with the memo on disk, its new entries written."""
    memo = DiskMemo.for_data(data)
    portfolio = load_portfolio(data, memo=memo)
    memo.flush()
    return portfolio


def append_row(path: Path, change: Callable[[dict[str, str]], None]) -> int:
    """Append a copy of the file's last row, changed; the line it is on."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    row = dict(zip(rows[0], rows[-1]))
    change(row)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row[column] for column in rows[0]])
    path.write_text(text + buffer.getvalue(), encoding="utf-8")
    return text.count("\n") + 1


def assert_same_portfolio(got: Portfolio, want: Portfolio) -> None:
    pd.testing.assert_frame_equal(got.contacts, want.contacts, check_exact=True)
    assert sorted(got.responses) == sorted(want.responses)
    for survey_id, frame in want.responses.items():
        pd.testing.assert_frame_equal(got.responses[survey_id], frame, check_exact=True)
    pd.testing.assert_frame_equal(got.scores, want.scores, check_exact=True)
    assert {name: hashes.tolist() for name, hashes in got.row_hashes.items()} == {
        name: hashes.tolist() for name, hashes in want.row_hashes.items()}


def test_appended_responses_and_visits_give_the_frames_a_whole_read_gives(data: Path) -> None:
    memo_load(data)
    survey = data / "responses" / "annual-review.csv"
    response_line = append_row(survey, lambda row: row.update(response_id="new-1", improve='A "quoted", new comment'))
    visit_line = append_row(data / "contacts.csv", lambda row: row.update(kind="onsite", note="Fixed the router, again"))
    with (data / "contacts.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")  # a blank line at the end: the csv module skips it, and so does the tail
    grown = memo_load(data)
    assert_same_portfolio(grown, load_portfolio(data))
    assert grown.contacts["line"].iloc[-1] == visit_line
    assert grown.contacts["note"].iloc[-1] == "Fixed the router, again"
    answers = grown.responses["annual-review"]
    assert answers["line"].iloc[-1] == response_line
    assert answers["improve"].iloc[-1] == 'A "quoted", new comment'
    assert_same_portfolio(memo_load(data), load_portfolio(data))  # and kept so for the next build


def test_only_the_appended_rows_are_read_and_added_to_the_earlier_frame(data: Path) -> None:
    portfolio = load_portfolio(data)
    ids = {client.id for client in portfolio.clients}
    contacts, shown = data / "contacts.csv", "data/contacts.csv"
    length, before = len(contacts.read_bytes()), load_contacts(contacts, shown, ids, [])
    append_row(contacts, lambda row: row.update(kind="phone", minutes="", note="Line one\nline two"))
    append_row(contacts, lambda row: row.update(kind="email", minutes="7"))
    grown = append_contacts(before, contacts.read_bytes(), length, shown, ids)
    assert grown is not None
    pd.testing.assert_frame_equal(grown, load_contacts(contacts, shown, ids, []), check_exact=True)

    survey = next(item for item in portfolio.surveys if item.id == "annual-review")
    answers, shown = data / "responses" / "annual-review.csv", "data/responses/annual-review.csv"
    length, before = len(answers.read_bytes()), load_responses(answers, shown, survey, ids, [])
    append_row(answers, lambda row: row.update(response_id="new-2", client="", overall=" 4\u00a0"))
    grown = append_responses(before, answers.read_bytes(), length, shown, survey, ids)
    assert grown is not None
    pd.testing.assert_frame_equal(grown, load_responses(answers, shown, survey, ids, []), check_exact=True)


def test_the_memo_extends_what_it_kept_only_when_the_file_grew_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "data" / "log.csv"
    path.parent.mkdir()
    path.write_bytes(b"a\n1\n")
    calls: list[tuple[object, ...]] = []

    def compute() -> list[bytes]:
        calls.append(("compute",))
        return path.read_bytes().splitlines()

    def extend(kept: list[bytes], data: bytes, length: int) -> list[bytes]:
        calls.append(("extend", kept, length))
        return kept + data[length:].splitlines()

    def load() -> list[bytes]:
        memo = DiskMemo.for_data(path.parent)
        value = memo.load_grown("log", [b"same"], path, compute, extend, [])
        memo.flush()
        return value

    assert load() == [b"a", b"1"]
    assert load() == [b"a", b"1"] and calls == [("compute",)]  # unchanged: kept, neither made again
    path.write_bytes(b"a\n1\n2\n")
    assert load() == [b"a", b"1", b"2"]
    assert calls[1:] == [("extend", [b"a", b"1"], 4)]
    path.write_bytes(b"a\n9\n2\n3\n")  # an earlier byte changed: read whole
    assert load() == [b"a", b"9", b"2", b"3"]
    assert calls[2:] == [("compute",)]


def test_a_bad_row_appended_is_reported_on_its_line_as_a_whole_read_reports_it(data: Path) -> None:
    memo_load(data)
    line = append_row(data / "contacts.csv", lambda row: row.update(client="nobody-we-know", minutes="-5"))
    with pytest.raises(DataError) as plain:
        load_portfolio(data)
    with pytest.raises(DataError) as grown:
        memo_load(data)
    assert [str(problem) for problem in grown.value.problems] == [str(problem) for problem in plain.value.problems]
    assert [(problem.line, problem.field) for problem in grown.value.problems] == [(line, "client"), (line, "minutes")]


def test_an_appended_response_reusing_an_earlier_id_is_the_same_duplicate_as_in_a_whole_read(data: Path) -> None:
    survey = data / "responses" / "quarterly-pulse.csv"
    first_id = next(csv.DictReader(io.StringIO(survey.read_text(encoding="utf-8"))))["response_id"]
    memo_load(data)
    line = append_row(survey, lambda row: row.update(response_id=first_id))
    with pytest.raises(DataError) as grown:
        memo_load(data)
    assert grown.value.problems == [Problem(f"{data}/responses/quarterly-pulse.csv", line, "response_id",
                                            f"duplicate '{first_id}' (first used on line 2)")]


def test_a_file_rewritten_with_windows_line_ends_is_read_whole(data: Path) -> None:
    memo_load(data)
    contacts = data / "contacts.csv"
    contacts.write_bytes(contacts.read_bytes().replace(b"\n", b"\r\n") + b"2026-11-28,"
                         + contacts.read_bytes().splitlines()[-1].split(b",", 1)[1] + b"\r\n")
    assert_same_portfolio(memo_load(data), load_portfolio(data))
