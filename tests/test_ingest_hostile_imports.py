"""Imports of hostile or broken exports: one bad record is quarantined, the others imported, no traceback.

The commands run in a fresh interpreter, as `rapport import` does, so that process-wide state
(the csv module's field size limit, the recursion limit) is what a user meets.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.load import load_portfolio
from tests.conftest import REPO
from tests.test_ingest_importers import FIXTURE_SECRET as SECRET
from tests.test_ingest_importers import data  # noqa: F401 - a fixture: a copy of the fixtures' data folder

ENV = {**os.environ, "RAPPORT_SECRET": SECRET, "PYTHONPATH": str(REPO)}  # this checkout's code, from any folder
HEADER = "response_id,client,submitted_at,overall,recommend,visits,areas,improve\n"




def run_import(data: Path, export: Path, source: str) -> subprocess.CompletedProcess[str]:
    """`rapport import` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "import", str(export), "--source", source, "--data", str(data),
         "--timezone", "UTC", "--survey", "annual-review"],
        capture_output=True, text=True, cwd=REPO, env=ENV, timeout=120, check=False)


def table(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file we wrote."""
    with default_field_limit(2**31 - 1):
        return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def stored(data: Path) -> list[dict[str, str]]:
    """The rows of data/responses/annual-review.csv ([] when there is none)."""
    path = data / "responses" / "annual-review.csv"
    return table(path) if path.exists() else []


def quarantined(data: Path) -> list[dict[str, str]]:
    """Every row of every quarantine file."""
    return [row for path in sorted((data / "quarantine").glob("*.csv")) for row in table(path)]


@contextlib.contextmanager
def default_field_limit(limit: int = 131_072) -> Iterator[None]:
    """The csv module's field size limit set to `limit` (its default) for a while."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def assert_clean(result: subprocess.CompletedProcess[str], code: int = 0) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# --- CSV: a cell longer than the csv module's default field limit ----------------------------------------


def test_a_csv_cell_over_the_field_limit_is_read_and_its_row_quarantined_the_others_imported(data: Path, tmp_path: Path) -> None:
    huge = "y" * 200_000
    export = tmp_path / "in.csv"
    export.write_text(HEADER + "imp-001,acme-dental,2026-10-02T10:00:00+00:00,4,9,,,fine\n"
                      f"imp-002,acme-dental,2026-10-03T10:00:00+00:00,4,9,,,{huge}\n"
                      "imp-003,baker-law,2026-10-04T10:00:00+00:00,3,7,,,fine too\n", encoding="utf-8")
    result = run_import(data, export, "csv")
    assert_clean(result, code=1)
    assert result.stdout.startswith("read 3, accepted 2, duplicates 0, quarantined 1 (see ")
    assert [row["response_id"] for row in stored(data)] == ["imp-001", "imp-003"]
    [refused] = quarantined(data)
    assert (refused["line"], refused["reason"]) == ("3", "too_long: improve")
    # a leading ' is doubled in the quarantine (spreadsheets hide the first one)
    assert refused["detail"] == "''improve' has 200,000 characters (at most 100,000)"
    assert json.loads(refused["record"])["improve"] == huge, "the quarantine keeps the record whole"


def test_the_longest_answer_an_import_keeps_reads_back_under_the_default_field_limit(data: Path, tmp_path: Path) -> None:
    longest = "z" * 100_000
    export = tmp_path / "in.csv"
    export.write_text(HEADER + f"imp-001,acme-dental,2026-10-02T10:00:00+00:00,4,9,,,{longest}\n"
                      f"imp-002,acme-dental,2026-10-03T10:00:00+00:00,4,9,,,{longest}z\n", encoding="utf-8")
    assert_clean(result := run_import(data, export, "csv"), code=1)
    assert "accepted 1, duplicates 0, quarantined 1" in result.stdout
    text = (data / "responses" / "annual-review.csv").read_bytes().decode("utf-8")
    with default_field_limit():  # any reader of the file, without lifting the limit
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert [row["improve"] for row in rows] == [longest]
        assert len(load_portfolio(data).responses["annual-review"]) == 1
    assert quarantined(data)[0]["reason"] == "too_long: improve"


def test_a_huge_cell_in_a_new_quarantine_file_is_recognised_on_the_next_import(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text(HEADER + f"imp-002,acme-dental,2026-10-03T10:00:00+00:00,4,9,,,{'y' * 300_000}\n", encoding="utf-8")
    assert_clean(run_import(data, export, "csv"), code=1)
    before = {path: path.read_bytes() for path in (data / "quarantine").iterdir()}
    assert_clean(again := run_import(data, export, "csv"), code=1)
    assert "quarantined 1" in again.stdout
    assert {path: path.read_bytes() for path in (data / "quarantine").iterdir()} == before


# --- CSV: an unclosed quote ----------------------------------------------------------------------------


def test_an_unclosed_quote_names_the_line_it_opens_on_and_imports_nothing(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text(HEADER + "imp-001,acme-dental,2026-10-02T10:00:00+00:00,4,9,,,\"two\nlines\"\n"
                      "imp-q,acme-dental,2026-10-05T10:00:00+00:00,4,9,,,\"unclosed\n"
                      "imp-003,acme-dental,2026-10-04T10:00:00+00:00,4,9,,,\n", encoding="utf-8")
    result = run_import(data, export, "csv")
    assert_clean(result, code=2)
    assert result.stderr == (f"error: {export}:4: not valid CSV (the quoted field that starts on line 4 is never closed, "
                             "so where the rows after it end is unknown); nothing was imported\n")
    assert not (data / "responses").exists() and not (data / "quarantine").exists()


def test_an_unclosed_quote_in_a_later_field_of_a_multiline_record_names_that_field_s_line(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text(HEADER + "imp-q,acme-dental,\"2026-10-05T10:00:00\n+00:00\",4,9,\"About, right\",,\"unclosed \"\"x\"\"\n"
                      "imp-003,acme-dental,2026-10-04T10:00:00+00:00,4,9,,,\n", encoding="utf-8")
    result = run_import(data, export, "csv")
    assert_clean(result, code=2)
    assert result.stderr.startswith(f"error: {export}:3: not valid CSV (the quoted field that starts on line 3 is never closed")


# --- JSON Lines: one hostile line among good ones ------------------------------------------------------

GOOD = '{"survey": "annual-review", "submitted_at": "2026-10-0%dT10:00:00Z", "overall": "4", "recommend": "9"}'
HOSTILE_LINES = {
    "deep": ('{"survey": "annual-review", "submitted_at": "2026-10-05T10:00:00Z", "overall": "4", "improve": '
             + "[" * 5000 + "]" * 5000 + "}", "bad_json", "nested 5,001 levels deep (at most 32)"),
    "bigint": ('{"survey": "annual-review", "submitted_at": "2026-10-05T10:00:00Z", "overall": ' + "9" * 5000 + "}",
               "bad_value", "a whole number of 5,000 digits (at most 100)"),
    "dupkeys": ('{"survey": "annual-review", "submitted_at": "2026-10-05T10:00:00Z", "overall": "4", "overall": "1"}',
                "bad_json", "duplicate field 'overall' (which of its values is meant is unknown)"),
    "nested dupkeys": ('{"submitted_at": "2026-10-05T10:00:00Z", "parameters": {"survey": ["annual-review"], '
                       '"overall": ["4"], "overall": ["1"]}}',
                       "bad_json", "duplicate field 'overall' (which of its values is meant is unknown)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_LINES))
def test_a_hostile_json_line_is_quarantined_as_it_arrived_and_the_other_lines_imported(
    data: Path, tmp_path: Path, case: str,
) -> None:
    line, reason, detail = HOSTILE_LINES[case]
    export = tmp_path / "in.jsonl"
    export.write_text("\n".join([GOOD % 1, line, GOOD % 2]) + "\n", encoding="utf-8")
    result = run_import(data, export, "jsonl")
    assert_clean(result, code=1)
    assert result.stdout.startswith("read 3, accepted 2, duplicates 0, quarantined 1 (see ")
    assert [row["submitted_at"] for row in stored(data)] == ["2026-10-01T10:00:00+00:00", "2026-10-02T10:00:00+00:00"]
    [refused] = quarantined(data)
    assert (refused["line"], refused["reason"], refused["detail"]) == ("2", reason, detail)
    assert json.loads(refused["record"]) == line, "the line is kept as the text it arrived as"


def test_a_json_answer_over_the_import_limit_is_quarantined_whole(data: Path, tmp_path: Path) -> None:
    huge = "z" * 300_000
    export = tmp_path / "in.jsonl"
    line = {"survey": "annual-review", "submitted_at": "2026-10-05T10:00:00Z", "overall": "4", "improve": huge}
    export.write_text("\n".join([GOOD % 1, json.dumps(line), GOOD % 2]) + "\n", encoding="utf-8")
    result = run_import(data, export, "jsonl")
    assert_clean(result, code=1)
    assert result.stdout.startswith("read 3, accepted 2, duplicates 0, quarantined 1 (see ")
    [refused] = quarantined(data)
    assert (refused["line"], refused["reason"]) == ("2", "too_long: improve")
    assert refused["detail"] == "''improve' has 300,000 characters (at most 100,000)"
    assert json.loads(refused["record"]) == line


def test_nesting_and_numbers_a_form_really_sends_are_read(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "in.jsonl"
    line = {"submitted_at": "2026-10-05T10:00:00Z", "improve": "[[[[{{{{ brackets in text are not nesting }}}}]]]]" * 10,
            "parameters": {"survey": ["annual-review"], "overall": [4], "recommend": [10], "areas": [["Helpdesk"]]}}
    export.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert_clean(result := run_import(data, export, "jsonl"))
    assert result.stdout.startswith("read 1, accepted 1"), result.stdout
    [row] = stored(data)
    assert (row["overall"], row["recommend"], row["areas"]) == ("4", "10", "Helpdesk")


# --- the quarantine file is opened in a spreadsheet ----------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_no_quarantine_cell_but_the_record_starts_like_a_formula(data: Path, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil","x")'
    export = tmp_path / "-=cmd.csv"
    export.write_text(f'response_id,client,submitted_at,overall\n'
                      f'imp-001,"{formula.replace(chr(34), chr(34) * 2)}",2026-10-02T10:00:00+00:00,4\n', encoding="utf-8")
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"survey": "@SUM(1)", "submitted_at": "2026-10-05T10:00:00Z", "overall": "4"}\n', encoding="utf-8")
    assert_clean(run_import(data, export, "csv"), code=1)
    assert_clean(run_import(data, lines, "jsonl"), code=1)
    rows = quarantined(data)
    assert [row["reason"] for row in rows] == ["unknown_client", "unknown_survey"]
    for row in rows:
        for column, text in row.items():
            if column not in ("record", "key"):
                assert not text.startswith(FORMULA_STARTS), (column, text)
    assert rows[0]["detail"].startswith(f"''{formula}' is not a client id")
    assert rows[0]["file"] == str(export)  # absolute: starts with '/'
    assert rows[1]["survey"] == "'@SUM(1)"
    assert json.loads(rows[0]["record"]) == {"response_id": "imp-001", "client": formula,
                                             "submitted_at": "2026-10-02T10:00:00+00:00", "overall": "4"}


def test_a_relative_file_name_starting_like_a_formula_is_guarded(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "=1+1.jsonl"
    export.write_text('{"survey": "nope", "submitted_at": "2026-10-05T10:00:00Z", "overall": "4"}\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator", "import", export.name, "--source", "jsonl",
                             "--data", str(data)], capture_output=True, text=True, cwd=tmp_path, env=ENV, check=False,
                            timeout=120)
    assert_clean(result, code=1)
    [row] = quarantined(data)
    assert row["file"] == "'=1+1.jsonl"


def test_quarantine_files_written_before_the_guard_still_match_their_records(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text('response_id,client,submitted_at,overall\n'
                      'imp-001,"=HYPERLINK(""x"")",2026-10-02T10:00:00+00:00,4\n', encoding="utf-8")
    assert_clean(run_import(data, export, "csv"), code=1)
    [path] = (data / "quarantine").glob("csv-*.csv")
    unguarded = path.read_text(encoding="utf-8").replace("\"''=HYPERLINK", "\"'=HYPERLINK")
    assert unguarded != path.read_text(encoding="utf-8")
    old = path.with_name("csv-2020-01-01.csv")
    old.write_text(unguarded, encoding="utf-8")
    path.unlink()
    assert_clean(again := run_import(data, export, "csv"), code=1)
    assert "quarantined 1" in again.stdout
    assert [p.name for p in (data / "quarantine").glob("*.csv")] == ["csv-2020-01-01.csv"], "known by its key: not stored again"


def test_the_readme_states_the_limits_each_path_applies() -> None:
    from generator.ingest.json_text import MAX_DEPTH, MAX_DIGITS
    from generator.ingest.records import IMPORT_LIMITS, Limits

    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    live = Limits()
    assert (f"Through the collector, answers are limited to {live.max_text_chars:,} characters "
            f"(other fields to {live.max_value_chars:,}) and required questions must be answered") in text
    assert f"An import keeps answers of up to {IMPORT_LIMITS.max_text_chars:,} characters" in text
    assert "does not require the required questions" in text
    assert f"nests more than {MAX_DEPTH} levels or holds a whole number of over {MAX_DIGITS} digits" in text
