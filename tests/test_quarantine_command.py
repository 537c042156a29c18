"""`rapport quarantine` lists held rows with the fix to try; `retry` accepts them once the fix is made."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "imports"
# Formspree's CSV export of a form whose fields were named `rating` and `how_likely`, not the question ids
UNMAPPED = FIXTURES / "formspree-unmapped.csv"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAPPORT_SECRET", "rapport-fixture-secret")
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", target)
    return target


def rapport(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def stored(data: Path) -> list[dict[str, str]]:
    path = data / "responses" / "annual-review.csv"
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))) if path.exists() else []


def held(data: Path) -> int:
    return sum(len(list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8"), newline=""))))
               for p in (data / "quarantine").glob("*.csv"))


def test_held_rows_are_listed_counted_and_retried_after_the_mapping_is_added(data: Path) -> None:
    imported = rapport("import", UNMAPPED, "--source", "formspree", "--data", data)
    assert "quarantined 3" in imported.output
    assert stored(data) == [] and held(data) == 3

    listed = rapport("quarantine", "--data", data)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    # the import ignores columns that match no question (and names them); rows left with no answer are held
    fix = ("no column matched a question of the survey, or the respondent answered nothing: if the import named "
           "columns it ignored, map them with import_map in surveys/annual-review.yaml "
           "(import_map: {\"Column title\": question_id}), then `rapport quarantine retry`")
    assert imported.exit_code == 1 and "column 'how_likely' matches no question" in imported.output
    for number, line in zip((2, 3, 4), lines[0::2]):
        assert line == f"{UNMAPPED}:{number}: empty (no question was answered)"
    for line in lines[1:6:2]:
        assert line.endswith(f"; fix: {fix}")
    quarantine_file = next((data / "quarantine").glob("formspree-*.csv")).name
    assert lines[-1] == f"3 rows held in {data}/quarantine/ ({quarantine_file})"

    validated = rapport("validate", "--data", data)
    assert validated.exit_code == 0, validated.output
    assert (f"warning: 3 rows held in {data}/quarantine/ ({quarantine_file}): "
            "`rapport quarantine` lists them with the fix to try") in validated.stderr.splitlines()

    survey = data / "surveys" / "annual-review.yaml"
    survey.write_text(survey.read_text(encoding="utf-8") + "import_map: {rating: overall, how_likely: recommend}\n",
                      encoding="utf-8")
    retried = rapport("quarantine", "retry", "--data", data)
    assert retried.exit_code == 0, retried.output
    assert retried.output == "retried 3: accepted 3, already stored 0, still held 0\n"
    rows = stored(data)
    assert [(row["response_id"], row["overall"], row["recommend"]) for row in rows] == [
        ("formspree-3100000001", "5", "9"), ("formspree-3100000002", "3", "6"), ("formspree-3100000003", "4", "10")]
    assert held(data) == 0
    assert rapport("quarantine", "--data", data).output == f"nothing held: {data}/quarantine/ has no rows\n"
    assert "held in" not in rapport("validate", "--data", data).output

    again = rapport("import", UNMAPPED, "--source", "formspree", "--data", data)
    assert "accepted 0, duplicates 3" in again.output
    assert len(stored(data)) == 3


def test_rows_that_still_fail_stay_held_once(data: Path) -> None:
    rapport("import", UNMAPPED, "--source", "formspree", "--data", data)
    before = {p.name: p.read_bytes() for p in (data / "quarantine").glob("*.csv")}
    retried = rapport("quarantine", "--data", data, "retry")  # the group's --data counts for retry too
    assert retried.output == "retried 3: accepted 0, already stored 0, still held 3\n" \
                             f"`rapport quarantine --data {data}` lists the rows still held and why\n"
    assert {p.name: p.read_bytes() for p in (data / "quarantine").glob("*.csv")} == before
    assert stored(data) == []


def test_a_form_post_held_for_an_unknown_survey_is_accepted_once_the_survey_exists(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.ingest.collector import CollectorConfig, create_collector_app
    from tests.conftest import SURVEY, yaml_text
    from tests.test_ingest_collector import SECRET, in_process, quarantined, rows, token, valid_form

    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio(site={"business": {"name": "Test IT"}})
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        answer = http.post("/api/responses", data=valid_form(survey="pulse", token=token(survey="pulse")))
    assert answer.status_code == 422
    assert [row["reason"] for row in quarantined(data)] == ["unknown_survey"]
    assert "fix: add the survey to surveys/" in rapport("quarantine", "--data", data).output

    (data / "surveys" / "pulse.yaml").write_text(yaml_text({**SURVEY, "id": "pulse"}), encoding="utf-8")
    retried = rapport("quarantine", "retry", "--data", data)
    assert retried.output == "retried 1: accepted 1, already stored 0, still held 0\n"
    assert [(row["client"], row["overall"], row["areas"]) for row in rows(data, "pulse")] == [("acme", "4", "Helpdesk;Backups")]
    assert quarantined(data) == []


def test_the_overview_counts_what_waits_in_the_quarantine(data: Path, tmp_path: Path) -> None:
    from generator.build import build_site

    build_site(data, tmp_path / "before")
    assert "waiting in" not in (tmp_path / "before" / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert rapport("import", UNMAPPED, "--source", "formspree", "--data", data).exit_code == 1
    build_site(data, tmp_path / "after")
    page = (tmp_path / "after" / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "<strong>3 records waiting in <code>data/quarantine/</code></strong>" in page
    assert "<code>rapport quarantine</code> lists each with the fix to try" in page
