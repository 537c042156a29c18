"""`rapport validate`: run as a real subprocess, it prints OK with counts, or every problem and exits 1."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from generator.model import Client
from tests.conftest import SAMPLE_DATA

MakePortfolio = Callable[..., Path]

REPO = Path(__file__).resolve().parent.parent


def validate(data: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m generator validate --data DATA` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--data", str(data)],
        cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def assert_failed_with(result: subprocess.CompletedProcess[str], problems: list[str]) -> None:
    """Exit 1, nothing on stdout, exactly these problem lines on stderr, then the count line."""
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    count = len(problems)
    assert result.stderr.splitlines() == [*problems, f"error: {count} problem{'s' if count != 1 else ''} in the data"]


def test_good_portfolio_prints_one_ok_line_with_counts(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(
        contacts=[["2026-01-05", "acme", "onsite", "Ann", "30", "ok"], ["2026-01-06", "acme", "email", "Bo", "", ""]],
        responses={"review": [{"response_id": "r1", "client": "acme", "submitted_at": "2026-01-05T10:00:00Z", "overall": "5"}]},
        pages={"about": "# About us\n"},
    )
    result = validate(data)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [f"OK: {data}: 1 client, 2 contacts, 1 survey, 1 response, 1 page"]


def test_a_cell_longer_than_the_csv_modules_default_limit_validates_as_it_builds(make_portfolio: MakePortfolio) -> None:
    long_note = "A very long visit report. " * 8000  # 208,000 characters: over the csv module's default 131,072
    data = make_portfolio(contacts=[["2026-01-05", "acme", "onsite", "Ann", "30", long_note]])
    result = validate(data)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"OK: {data}: 1 client, 1 contact,")


def test_corrupted_portfolio_lists_every_problem_and_exits_1(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(
        clients="- id: acme\n  name: Acme\n  pcs: 18\n  servers: 1\n  wna: false\n  agreement: {start: 2024-03-01}\n",
        contacts=[["2026-02-30", "acme", "onsite", "Ann", "30", "a\nb"], ["2026-01-06", "acme", "onsight", "Bo", "-5", ""]],
        responses={"review": [{"response_id": "r1", "client": "acm", "submitted_at": "2026-01-05T10:00:00Z", "recommend": "11"}]},
    )
    assert_failed_with(validate(data), [
        f"{data}/clients.yaml:5: clients[0].wna: unknown key (expected one of {', '.join(Client.model_fields)})"
        " — did you mean 'wan'?",
        f"{data}/contacts.csv:2: date: '2026-02-30' is not a real date (expected YYYY-MM-DD)",
        f"{data}/contacts.csv:4: kind: 'onsight' is not a contact kind (expected onsite, remote, phone, email)"
        " — did you mean 'onsite'?",
        f"{data}/contacts.csv:4: minutes: '-5' is negative (expected a whole number of minutes, 0 or more)",
        f"{data}/responses/review.csv:2: client: 'acm' is not a client id"
        " (expected an id from clients.yaml, or empty for an anonymous response) — did you mean 'acme'?",
        f"{data}/responses/review.csv:2: recommend: '11' is out of range (expected a whole number 0–10)",
    ])


def test_one_problem_is_counted_in_the_singular(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT}\nbusines: x\n")
    result = validate(data)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "error: 1 problem in the data"


def test_missing_data_folder_is_one_error_line(tmp_path: Path) -> None:
    result = validate(tmp_path / "nowhere")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"error: {tmp_path}/nowhere: no such data folder (expected site.yaml, clients.yaml, …)\n"


def test_python_tag_is_reported_not_run_by_the_cli(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    data = make_portfolio(site=f"business:\n  name: !!python/object/apply:os.system ['touch {marker}']\n")
    assert_failed_with(validate(data), [
        f"{data}/site.yaml:2: tag '!!python/object/apply:os.system' is not allowed"
        " (data files cannot contain code; remove the tag)",
    ])
    assert not marker.exists()


def test_minutes_too_large_give_a_problem_not_a_traceback(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[["2026-01-05", "acme", "onsite", "Ann", "99999999999999999999", ""]])
    result = validate(data)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert result.stderr.startswith(f"{data}/contacts.csv:2: minutes: ")


# ---------------------------------------------------------------- the sample data, corrupted in known places


def one_line_records(path: Path) -> list[tuple[int, list[str]]]:
    """(line, cells) of every data record written on one physical line without quotes.

    Such a record can be edited by splitting its line on commas, leaving every other
    byte of the file as it was.
    """
    text = path.read_text(encoding="utf-8")
    raw_lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    end = 0
    for row in reader:
        start, end = end + 1, reader.line_num
        raw = raw_lines[start - 1]
        if start > 1 and start == end and row and '"' not in raw:
            records.append((start, raw.split(",")))
    return records


def replace_cell(path: Path, line: int, column: int, value: str) -> None:
    """Set one cell of a one-line, unquoted record."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[line - 1].split(",")
    cells[column] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def header_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n", 1)[0].rstrip("\r").split(",")


def test_sample_data_corrupted_in_five_places_reports_each_place(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data)
    pristine = validate(data)
    assert pristine.returncode == 0, f"the sample data itself does not validate:\n{pristine.stderr}"

    # 1, 2: a date and a kind in contacts.csv
    contacts = data / "contacts.csv"
    contact_header = header_of(contacts)
    contact_rows = one_line_records(contacts)
    assert len(contact_rows) >= 20, "expected the sample contacts.csv to have plain one-line records"
    date_line, kind_line = contact_rows[3][0], contact_rows[15][0]
    replace_cell(contacts, date_line, contact_header.index("date"), "2026-02-30")
    replace_cell(contacts, kind_line, contact_header.index("kind"), "onsight")

    # 3, 4: an unknown client and an nps of 11 in the response file of a survey with an nps question
    nps_surveys = []
    for survey_path in sorted((data / "surveys").glob("*.yaml")):
        survey = yaml.safe_load(survey_path.read_text(encoding="utf-8"))
        nps = [q["id"] for q in survey.get("questions", []) if q.get("type") == "nps"]
        if nps and (data / "responses" / f"{survey_path.stem}.csv").exists():
            nps_surveys.append((survey_path.stem, nps[0]))
    assert nps_surveys, "expected a sample survey with an nps question and a response file"
    survey_id, nps_id = nps_surveys[0]
    answers = data / "responses" / f"{survey_id}.csv"
    answer_header = header_of(answers)
    answer_rows = one_line_records(answers)
    assert len(answer_rows) >= 10, f"expected plain one-line records in {answers.name}"
    client_line, nps_line = answer_rows[2][0], answer_rows[7][0]
    replace_cell(answers, client_line, answer_header.index("client"), "zzzzzzzz")
    replace_cell(answers, nps_line, answer_header.index(nps_id), "11")

    # 5: a misspelt optional key in clients.yaml
    clients = data / "clients.yaml"
    client_lines = clients.read_text(encoding="utf-8").split("\n")
    key_line, key = next(
        ((number, match.group(1)) for number, text in enumerate(client_lines, start=1)
         if (match := re.match(r"^  (wan|notes|survey_cadence|ended):", text))),
        (0, ""),
    )
    assert key_line, "expected a block-style optional client key (wan, notes, survey_cadence, ended)"
    index = sum(1 for text in client_lines[:key_line] if text.startswith("- ")) - 1
    misspelt = key + key[-1]
    client_lines[key_line - 1] = client_lines[key_line - 1].replace(f"  {key}:", f"  {misspelt}:", 1)
    clients.write_text("\n".join(client_lines), encoding="utf-8")

    assert_failed_with(validate(data), [
        f"{data}/clients.yaml:{key_line}: clients[{index}].{misspelt}: unknown key"
        f" (expected one of {', '.join(Client.model_fields)}) — did you mean '{key}'?",
        # date_line comes before kind_line, so the problems are listed in this order
        f"{data}/contacts.csv:{date_line}: date: '2026-02-30' is not a real date (expected YYYY-MM-DD)",
        f"{data}/contacts.csv:{kind_line}: kind: 'onsight' is not a contact kind"
        " (expected onsite, remote, phone, email) — did you mean 'onsite'?",
        f"{data}/responses/{survey_id}.csv:{client_line}: client: 'zzzzzzzz' is not a client id"
        " (expected an id from clients.yaml, or empty for an anonymous response)",
        f"{data}/responses/{survey_id}.csv:{nps_line}: {nps_id}: '11' is out of range (expected a whole number 0–10)",
    ])


def test_validate_never_says_nothing_was_built_but_build_does(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(contacts=[["2026-02-30", "acme", "onsite", "Ann", "30", ""]])
    problem = f"{data}/contacts.csv:2: date: '2026-02-30' is not a real date (expected YYYY-MM-DD)"
    assert validate(data).stderr.splitlines() == [problem, "error: 1 problem in the data"]
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data), "--out", str(tmp_path / "out")],
                           cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=120,
                           env={**os.environ, "RAPPORT_SECRET": "validate-test-secret"})
    assert (built.returncode, built.stderr.splitlines()) == (1, [problem, "error: 1 problem in the data; nothing was built"])


def test_a_blank_score_does_not_crash_validate(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [{"response_id": "r1", "client": "acme", "submitted_at": "2026-01-05T10:00:00Z",
                                                 "overall": " ", "recommend": "9\u00a0"}]})
    result = validate(data)
    assert (result.returncode, result.stderr) == (0, "")
