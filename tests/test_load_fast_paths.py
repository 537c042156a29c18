"""The loader's fast paths read exactly what the careful ones read.

A plain CSV file is read by pandas' C parser (generator/load/csv_fast.py) and a plain YAML
file in one pass over libyaml's events (generator/yamlio.py); dates, timestamps and whole
numbers written the usual way are checked at once (generator/load/checks.py). Each must give
the same cells, lines, data and values as the csv module, PyYAML's constructor and the
per-row checks, and must step aside for anything it cannot prove it reads the same.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import Problem
from generator.load.checks import check_whole_numbers, parse_dates, parse_timestamps
from generator.load.csv_fast import read_plain_csv
from generator.yamlio import YamlDocument, YamlSyntaxError, _FastTextLoader, _parse_plain, _parse_with

# ---------------------------------------------------------------- CSV


def csv_module_records(text: str) -> tuple[list[list[str]], list[int]] | None:
    """The records the strict csv module reads (blank lines skipped) and each one's first line; None when it stops."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, previous_end = [], [], 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if row:
                rows.append(row)
                lines.append(start)
    except csv.Error:
        return None
    return rows, lines


def fast_records(text: str) -> tuple[list[list[str]], list[int]] | None:
    """What read_plain_csv reads, as records and lines; None when it steps aside."""
    found = read_plain_csv(text.encode())
    if found is None:
        return None
    header, body, lines = found
    return [header, *body.to_numpy().tolist()], [1, *lines.tolist()]


CONTACTS = (
    'date,client,kind,staff,minutes,note\n'
    '2024-01-02,acme,remote,Maya Chen,30,"Shared calendar permissions, again"\n'
    '2024-01-03,acme,phone,Sam,15,"She said ""call me"" twice"\n'
    '2024-01-04,bolt,onsite,Sam,120,"Two lines:\n\nswapped the switch, then the UPS"\n'
    '2024-01-05,bolt,email,Maya Chen,,""\n'
    '2024-01-06,café-é,email,Maya Chen,5,a \'quoted\' word inside\n'
)


def test_a_usual_contacts_file_is_read_by_the_fast_path_as_the_csv_module_reads_it() -> None:
    records = fast_records(CONTACTS)
    assert records is not None  # the quotes, doubled quotes and the note on three lines are all plain
    assert records == csv_module_records(CONTACTS)
    assert records[1] == [1, 2, 3, 4, 7, 8]


@pytest.mark.parametrize("text", ["date,client\n", "date,client", 'a,"b"\n"1",""', "only\n1\n"])
def test_a_header_alone_or_a_last_line_without_its_line_end_takes_the_fast_path(text: str) -> None:
    records = fast_records(text)
    assert records is not None
    assert records == csv_module_records(text)


@pytest.mark.parametrize("text", [
    'a,b\n"x"y,z\n',          # text after a closing quote: the csv module stops, pandas would read 'xy'
    'a,b\nx,y\nz\n',          # a short record: pandas would pad it with an empty cell
    'a,b\nx,y,\n',            # a long record
    'a,b\n\nx,y\n',           # a blank line: the csv module skips it
    'a,b\r\nx,y\r\n',         # carriage returns
    'a,b\n"x,y\n',            # a quote never closed
    'a,b\nx"y,z\n',           # a quote inside a field that does not start with one
])
def test_files_the_fast_path_cannot_prove_plain_are_left_to_the_csv_module(text: str) -> None:
    assert fast_records(text) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet='ab é,"\n\r', max_size=60))
def test_whatever_the_fast_path_reads_the_csv_module_reads_the_same(text: str) -> None:
    found = fast_records(text)
    if found is not None:
        assert found == csv_module_records(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet='ab é,"\n', max_size=6), min_size=3, max_size=3), min_size=1, max_size=8))
def test_quoted_records_written_by_the_csv_module_take_the_fast_path(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([["h1", "h2", "h3"], *rows])
    assert fast_records(buffer.getvalue()) == csv_module_records(buffer.getvalue())


# ---------------------------------------------------------------- YAML


def careful(text: str) -> YamlDocument | YamlSyntaxError:
    """What the composer, the shape checks, the constructor and the line walk make of `text`."""
    try:
        return _parse_with(_FastTextLoader, text)
    except YamlSyntaxError as exc:
        return exc


def same_document(fast: YamlDocument, slow: YamlDocument | YamlSyntaxError) -> None:
    assert isinstance(slow, YamlDocument)
    assert (fast.data, fast.lines, fast.duplicates) == (slow.data, slow.lines, slow.duplicates)
    assert repr(fast.data) == repr(slow.data)  # the same types and key order too


CLIENTS = """\
- id: acme
  name: "Acme, Inc."
  contact: {name: Dana, phone: '0123'}
  pcs: 018
  wan: NO
  notes: |
    Line one.

    - a list in the notes
  id: acme-2
- id: ~
  ~: tilde key
  "~": quoted tilde key
  null: plain null key
  "null": quoted null key
  "": empty quoted key
  tags: [a, "b", [c, {d: e}]]
  empty:
  nested:
    - - deep
      - er
    -
  nested:
    - again
"""


def test_a_clients_file_with_repeated_keys_reads_the_same_in_one_pass() -> None:
    fast = _parse_plain(CLIENTS)
    assert fast is not None
    same_document(fast, careful(CLIENTS))
    assert [(d.location, d.line, d.first_line) for d in fast.duplicates] == [
        ((0, "id"), 10, 1), ((1, "nested"), 23, 19),
    ]
    assert fast.data[0]["pcs"] == "018" and fast.data[0]["wan"] == "NO" and fast.data[1]["empty"] is None


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",                 # anchors and aliases
    "a: !!int 5\n",                     # tags
    "? [a, b]\n: c\n",                  # a list as a key
    "a: 1\n---\nb: 2\n",                # two documents
    "a: [1, 2\nb: 3\n",                 # a syntax error
    "a:" + " [" * 70 + " ]" * 70 + "\n",  # nested deeper than MAX_DEPTH
])
def test_documents_the_one_pass_cannot_build_are_left_to_the_constructor(text: str) -> None:
    assert _parse_plain(text) is None


json_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(alphabet="ab~:- #'\"\n0", max_size=5))
json_values = st.recursive(json_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(alphabet="ab~ 0", max_size=3), inner, max_size=3)), max_leaves=12)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from([False, True, None]))
def test_whatever_the_one_pass_builds_the_constructor_builds_the_same(value: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    fast = _parse_plain(text)
    assert fast is not None  # safe_dump writes no tag, anchor or alias for plain data
    same_document(fast, careful(text))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab:-~ \n[]{},'\"&*!", max_size=40))
def test_any_text_the_one_pass_builds_the_constructor_builds_the_same(text: str) -> None:
    fast = _parse_plain(text)
    if fast is not None:
        same_document(fast, careful(text))


# ---------------------------------------------------------------- column checks


def checked(check: Any, values: list[str]) -> tuple[list[Any], list[Problem]]:
    """What `check(frame, problems)` returns for a column of `values`, and the problems it reports."""
    problems: list[Problem] = []
    frame = pd.DataFrame({"value": pd.Series(values, dtype=object), "line": range(2, len(values) + 2)})
    # NaN and NaT become None: they never equal themselves
    return [None if pd.isna(value) else value for value in check(frame, problems).tolist()], problems


# one bad value makes the check take its careful path; the good values must come out the same
BAD = "not a value"

dates = st.dates().map(lambda day: f"{day.year:04d}-{day.month:02d}-{day.day:02d}")
times = st.tuples(dates, st.times(), st.sampled_from(["Z", "+00:00", "-06:00", "+13:45"])).map(
    lambda parts: f"{parts[0]}T{parts[1].isoformat(timespec='seconds')}{parts[2]}")


@settings(max_examples=40, deadline=None)
@given(st.lists(dates, min_size=1, max_size=20) | st.lists(st.sampled_from(["2024-02-30", "0000-01-01", "2024-13-01"]), min_size=1))
def test_dates_checked_at_once_read_as_checked_one_by_one(values: list[str]) -> None:
    def check(frame: pd.DataFrame, problems: list[Problem]) -> pd.Series:
        return parse_dates(frame, "value", "data/contacts.csv", problems)
    fast, problems = checked(check, values)
    slow, slow_problems = checked(check, [*values, BAD])
    assert (fast, problems) == (slow[:-1], [problem for problem in slow_problems if problem.line != len(values) + 2])


@settings(max_examples=40, deadline=None)
@given(st.lists(times, min_size=1, max_size=20))
def test_timestamps_checked_at_once_read_as_checked_one_by_one(values: list[str]) -> None:
    def check(frame: pd.DataFrame, problems: list[Problem]) -> pd.Series:
        return parse_timestamps(frame, "value", "data/responses/r.csv", problems)
    fast, problems = checked(check, values)
    slow, slow_problems = checked(check, [*values, BAD])
    assert (fast, problems) == (slow[:-1], [problem for problem in slow_problems if problem.line != len(values) + 2])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["", "0", "7", "10", "007", "11", "999999999999999"]), min_size=1, max_size=20))
def test_whole_numbers_checked_at_once_read_as_checked_one_by_one(values: list[str]) -> None:
    def check(frame: pd.DataFrame, problems: list[Problem]) -> pd.Series:
        return check_whole_numbers(frame, "value", 0, 10, "data/responses/r.csv", problems, "a whole number 0–10")
    fast, problems = checked(check, values)
    slow, slow_problems = checked(check, [*values, BAD])
    assert (fast, problems) == (slow[:-1], [problem for problem in slow_problems if problem.line != len(values) + 2])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10**15 - 1).map(str) | st.sampled_from(["", "0042"]), min_size=1, max_size=20))
def test_minutes_up_to_fifteen_digits_checked_at_once_stay_exact(values: list[str]) -> None:
    def check(frame: pd.DataFrame, problems: list[Problem]) -> pd.Series:
        return check_whole_numbers(frame, "value", 0, None, "data/contacts.csv", problems, "a whole number of minutes, 0 or more")
    fast, problems = checked(check, values)
    slow, slow_problems = checked(check, [*values, BAD])
    assert (fast, problems) == (slow[:-1], [problem for problem in slow_problems if problem.line != len(values) + 2])
    assert fast == [int(value) if value else None for value in values]
