"""Importers: each service's export fixture, column mapping, time zones, and re-imports that change nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.errors import RapportError
from generator.ingest.importers import import_file
from generator.load import load_portfolio
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "imports"
FIXTURE_SECRET = "rapport-fixture-secret"
ACME = "0111186480622603440844919133543756306621150409208"  # the fixture token of acme-dental for annual-review


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixtures' data folder (clients acme-dental, baker-law; survey annual-review)."""
    monkeypatch.setenv("RAPPORT_SECRET", FIXTURE_SECRET)
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", target)
    return target


def digest(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under folder."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stored(data: Path) -> list[dict[str, str]]:
    """Rows of the annual-review response file."""
    text = (data / "responses" / "annual-review.csv").read_bytes().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def reasons(data: Path, source: str) -> list[tuple[str, str]]:
    """(line, reason) of every quarantined record of a source."""
    found = []
    for path in sorted((data / "quarantine").glob(f"{source}-*.csv")):
        found += [(row["line"], row["reason"]) for row in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline=""))]
    return found


FIXTURE_CASES = [
    ("formspree", "formspree.csv", 5, 3, [("7", "out_of_range: recommend=11"), ("8", "unknown_token")]),
    ("google-forms", "google-forms.csv", 4, 3, [("5", "out_of_range: recommend=11")]),
    ("netlify", "netlify.csv", 4, 2, [("3", "too_fast"), ("5", "honeypot")]),
    ("csv", "csv.csv", 3, 2, [("4", "unknown_client")]),
    ("jsonl", "jsonl.jsonl", 4, 2, [("3", "unknown_survey"), ("4", "bad_json")]),
]


@pytest.mark.parametrize(("source", "name", "read", "accepted", "refused"), FIXTURE_CASES)
def test_each_fixture_imports_and_a_second_import_changes_no_byte(
    data: Path, source: str, name: str, read: int, accepted: int, refused: list[tuple[str, str]],
) -> None:
    first = import_file(data, FIXTURES / name, source, survey="annual-review")
    assert (first.report.read, first.report.count("accepted"), first.report.count("quarantined")) == (read, accepted, len(refused))
    assert reasons(data, source) == refused
    portfolio = load_portfolio(data)
    assert len(portfolio.responses["annual-review"]) == accepted
    before = digest(data)
    second = import_file(data, FIXTURES / name, source, survey="annual-review")
    assert second.report.count("accepted") == 0
    assert second.report.count("duplicate") == accepted
    assert second.report.count("quarantined") == len(refused)
    assert digest(data) == before


def test_formspree_rows_keep_their_ids_times_and_multi_answers(data: Path) -> None:
    import_file(data, FIXTURES / "formspree.csv", "formspree")
    first, anonymous, third = stored(data)
    assert first["response_id"] == "formspree-2145678901"
    assert first["client"] == "acme-dental" and anonymous["client"] == "" and third["client"] == "baker-law"
    assert first["submitted_at"] == "2026-11-02T14:03:12.481+00:00"
    assert first["areas"] == "Helpdesk;Backups, restores"  # an option with a comma survives ', '-joining
    assert third["improve"] == 'The new laptops were set up "perfectly" —\nbut the printer still jams.\nThanks!'


def test_google_sheet_times_follow_the_sheet_time_zone_and_day_order(data: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "Timestamp,\"Overall, how satisfied are you?\",token,survey\n"
        f"25/03/2026 09:15:00,5,{ACME},annual-review\n"
        f"02/11/2026 18:00:05,4,{ACME},annual-review\n", encoding="utf-8")
    result = import_file(data, sheet, "google-forms", timezone="Europe/London")
    assert result.report.count("accepted") == 2
    assert [row["submitted_at"] for row in stored(data)] == ["2026-03-25T09:15:00+00:00", "2026-11-02T18:00:05+00:00"]
    assert result.notes == ()


def test_an_ambiguous_google_sheet_stops_and_asks_for_the_day_order(data: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"Timestamp,\"Overall, how satisfied are you?\",token\n7/4/2026 9:15:00,5,{ACME}\n", encoding="utf-8")
    with pytest.raises(RapportError) as refused:
        import_file(data, sheet, "google-forms", survey="annual-review", timezone="America/New_York")
    assert str(refused.value) == (f"{sheet}: every date in the file (e.g. '7/4/2026 9:15:00') could be day/month or "
                                  "month/day; say which with --dayfirst or --monthfirst (or set locale in site.yaml, "
                                  "e.g. locale: en-GB); nothing was imported")
    assert not (data / "responses").exists()
    import_file(data, sheet, "google-forms", survey="annual-review", timezone="America/New_York", date_order="mdy")
    assert stored(data)[0]["submitted_at"] == "2026-07-04T09:15:00-04:00"
    (data / "responses" / "annual-review.csv").unlink()
    import_file(data, sheet, "google-forms", survey="annual-review", timezone="America/New_York", date_order="dmy")
    assert stored(data)[0]["submitted_at"] == "2026-04-07T09:15:00-04:00"


def test_stored_times_are_written_in_the_chosen_time_zone(data: Path) -> None:
    import_file(data, FIXTURES / "netlify.csv", "netlify", timezone="Europe/Berlin")
    assert stored(data)[0]["submitted_at"] == "2026-11-03T17:45:09.123+01:00"


def test_import_map_names_a_column_the_labels_do_not_match(data: Path, tmp_path: Path) -> None:
    survey_file = data / "surveys" / "annual-review.yaml"
    survey = yaml.safe_load(survey_file.read_text(encoding="utf-8"))
    survey["import_map"] = {"Rate us (1-5)": "overall", "Link code": "token"}
    survey_file.write_text(yaml.safe_dump(survey, allow_unicode=True, sort_keys=False), encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"Timestamp,Rate us (1-5),Link code\n11/20/2026 10:00:00,4,{ACME}\n", encoding="utf-8")
    result = import_file(data, sheet, "google-forms", survey="annual-review")
    assert result.report.count("accepted") == 1
    assert stored(data)[0]["overall"] == "4" and stored(data)[0]["client"] == "acme-dental"


def test_a_column_matching_no_question_is_ignored_and_named_once(data: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Timestamp,\"Overall, how satisfied are you ?\",How likely are you to recommend us?\n"
                     "11/20/2026 10:00:00,4,9\n11/21/2026 10:00:00,,8\n", encoding="utf-8")
    result = import_file(data, sheet, "google-forms", survey="annual-review")
    assert result.report.count("quarantined") == 0 and result.report.count("accepted") == 2
    assert [row["recommend"] for row in stored(data)] == ["9", "8"]
    assert result.ignored == ("Overall, how satisfied are you ?",)
    [note] = [n for n in result.notes if "import_map" in n]
    assert "did you mean 'Overall, how satisfied are you?'" in note and note.count("ignored") == 1


def test_the_same_response_from_two_exports_is_stored_once(data: Path, tmp_path: Path) -> None:
    ours = tmp_path / "ours.csv"
    ours.write_text("client,submitted_at,overall\nacme-dental,2026-11-20T10:00:00+00:00,4\n", encoding="utf-8")
    again = tmp_path / "again.csv"  # the same answer, another file, the same moment written differently
    again.write_text("client,submitted_at,overall,improve\nacme-dental,2026-11-20T11:00:00+01:00,4,\n", encoding="utf-8")
    assert import_file(data, ours, "csv", survey="annual-review").report.count("accepted") == 1
    assert import_file(data, again, "csv", survey="annual-review").report.count("duplicate") == 1
    assert len(stored(data)) == 1


def test_a_reused_response_id_with_other_answers_replaces_the_row_and_keeps_the_old_one(data: Path, tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("response_id,client,submitted_at,overall\nr-1,acme-dental,2026-11-20T10:00:00+00:00,4\n", encoding="utf-8")
    two = tmp_path / "two.csv"
    two.write_text("response_id,client,submitted_at,overall\nr-1,acme-dental,2026-11-20T10:00:00+00:00,2\n", encoding="utf-8")
    import_file(data, one, "csv", survey="annual-review")
    result = import_file(data, two, "csv", survey="annual-review")
    assert (result.report.count("replaced"), result.report.count("quarantined")) == (1, 0)
    assert [row["overall"] for row in stored(data)] == ["2"]
    [old] = list(csv.DictReader(io.StringIO((data / "responses" / "superseded" / "annual-review.csv").read_text(encoding="utf-8"))))
    assert (old["response_id"], old["overall"]) == ("r-1", "4")


def test_an_answer_to_a_question_the_file_has_no_column_for_is_quarantined(data: Path, tmp_path: Path) -> None:
    responses = data / "responses"
    responses.mkdir(exist_ok=True)
    original = "response_id,client,submitted_at,overall,recommend\nold-1,acme-dental,2026-01-05T10:00:00Z,4,9\n"
    (responses / "annual-review.csv").write_text(original, encoding="utf-8")
    export = tmp_path / "new.csv"
    export.write_text("client,submitted_at,overall,improve\nacme-dental,2026-11-20T10:00:00+00:00,5,More please\n"
                      "baker-law,2026-11-21T10:00:00+00:00,3,\n", encoding="utf-8")
    result = import_file(data, export, "csv", survey="annual-review")
    assert result.report.count("accepted") == 1
    assert reasons(data, "csv") == [("2", "missing_column: improve")]
    text = (responses / "annual-review.csv").read_text(encoding="utf-8")
    assert text.startswith(original), "accepted rows are never rewritten"


def test_a_file_that_is_neither_utf8_nor_windows_1252_imports_nothing(data: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"Timestamp,Overall\n11/20/2026 10:00:00,4\nCaf\x81\xe9\n")
    with pytest.raises(RapportError, match="neither UTF-8 nor Windows-1252"):
        import_file(data, broken, "google-forms", survey="annual-review")
    assert not (data / "responses").exists() or not any((data / "responses").iterdir())


def test_unknown_source_and_survey_are_errors_with_suggestions(data: Path) -> None:
    with pytest.raises(RapportError, match="did you mean 'formspree'"):
        import_file(data, FIXTURES / "formspree.csv", "formspre")
    with pytest.raises(RapportError, match="did you mean 'annual-review'"):
        import_file(data, FIXTURES / "formspree.csv", "formspree", survey="annual-reveiw")


def test_the_import_command_prints_the_summary(data: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(FIXTURES / "formspree.csv"), "--source", "formspree", "--data", str(data)])
    assert result.exit_code == 1, result.output  # two rows were quarantined
    day = next((data / "quarantine").glob("formspree-*.csv"))
    assert result.stdout.strip() == f"read 5, accepted 3, duplicates 0, quarantined 2 (see {day})"
    again = runner.invoke(cli, ["import", str(FIXTURES / "formspree.csv"), "--source", "formspree", "--data", str(data)])
    assert again.stdout.strip() == f"read 5, accepted 0, duplicates 3, quarantined 2 (see {day})"


def test_every_fixture_into_one_folder_builds(data: Path, tmp_path: Path) -> None:
    from generator.build import build_site

    for source, name, *_ in FIXTURE_CASES:
        import_file(data, FIXTURES / name, source, survey="annual-review")
    portfolio = load_portfolio(data)
    assert len(portfolio.responses["annual-review"]) == sum(case[3] for case in FIXTURE_CASES)
    build_site(data, tmp_path / "output")
