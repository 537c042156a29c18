"""Survey tools' own exports, as each tool writes them, imported end to end with `--source auto`.

Every fixture under tests/fixtures/imports/ holds the same three responses (see the
table below) in one tool's shape: its header, time format, time zone, encoding,
separator, multi-select form and token column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import cli
from generator.ingest.importers import import_file
from generator.load import load_portfolio
from tests.test_ingest_importers import (
    FIXTURES,
    data,  # noqa: F401 - a fixture: a copy of the fixtures' data folder
    digest,
    stored,
)

ZONE = "Europe/Berlin"
IMPROVE3 = 'The new laptops were set up "perfectly" —\nbut the printer still jams.'
# client, submitted_at, overall, recommend, visits, areas, improve
EXPECTED = [
    ("acme-dental", "2026-11-02T09:03:12+01:00", "4", "9", "About right", "Helpdesk;Backups, restores",
     "Faster replies on Mondays, please."),
    ("", "2026-11-14T13:41:55+01:00", "5", "10", "About right", "Security", ""),
    ("baker-law", "2026-11-20T19:20:03+01:00", "3", "7", "Too few", "Helpdesk;Hardware", IMPROVE3),
]
PRESETS = [
    ("google-forms-download.csv", "google-forms", "google-forms-"),
    ("microsoft-forms.xlsx", "microsoft-forms", "microsoft-forms-1"),
    ("microsoft-forms-semicolon.csv", "microsoft-forms", "microsoft-forms-1"),
    ("microsoft-forms-unicode.txt", "microsoft-forms", "microsoft-forms-1"),
    ("surveymonkey.csv", "surveymonkey", "surveymonkey-118052219061"),
    ("surveymonkey.xlsx", "surveymonkey", "surveymonkey-118052219061"),
    ("typeform.csv", "typeform", "typeform-odwdp4nzj1xg6m9l36odwdp4nzlv2gcw"),
    ("tally.csv", "tally", "tally-PgYbzQ"),
    ("jotform.csv", "jotform", "jotform-5847261938472615"),
]


def answers(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """The stored rows without their response ids, in the order of EXPECTED."""
    return [(r["client"], r["submitted_at"], r["overall"], r["recommend"], r["visits"], r["areas"], r["improve"]) for r in rows]


def run(data: Path, *args: str) -> tuple[int, str, str]:
    """`rapport import … --data DATA --timezone Europe/Berlin --survey annual-review`: exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, ["import", *args, "--data", str(data), "--timezone", ZONE, "--survey", "annual-review"])
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("name", "source", "first_id"), PRESETS)
def test_each_tool_s_export_is_recognised_and_every_answer_stored_as_submitted(
    data: Path, name: str, source: str, first_id: str,
) -> None:
    code, out, err = run(data, str(FIXTURES / name))
    assert code == 0, err
    assert out == "read 3, accepted 3, duplicates 0, quarantined 0\n"
    rows = stored(data)
    expected = list(EXPECTED)
    if name == "microsoft-forms-semicolon.csv":  # a Windows-1252 'è' survives
        expected[0] = (*expected[0][:6], "Faster replies (très important) on Mondays, please.")
    assert answers(rows) == expected
    assert rows[0]["response_id"].startswith(first_id)
    assert len(load_portfolio(data).responses["annual-review"]) == 3
    result = import_file(data, FIXTURES / name, survey="annual-review", timezone=ZONE)
    assert result.source == source
    before = digest(data)
    again = run(data, str(FIXTURES / name), "--source", source)
    assert again == (0, "read 3, accepted 0, duplicates 3, quarantined 0\n", again[2])
    assert digest(data) == before


def test_the_tools_own_extra_columns_are_named_once_and_never_cost_a_row(data: Path) -> None:
    code, _, err = run(data, str(FIXTURES / "surveymonkey.csv"))
    assert code == 0
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert notes == ["note: column 'Which areas matter most to you? (Other (please specify))' matches no question of "
                     "survey 'annual-review', so it was ignored — did you mean 'Which areas matter most to you?'? "
                     "(map it in import_map of surveys/annual-review.yaml, or to 'ignore' to silence this)"]


def test_a_column_mapped_to_ignore_is_not_mentioned(data: Path, tmp_path: Path) -> None:
    survey = data / "surveys" / "annual-review.yaml"
    survey.write_text(survey.read_text(encoding="utf-8")
                      + 'import_map: {"Which areas matter most to you? (Other (please specify))": ignore}\n', encoding="utf-8")
    code, _, err = run(data, str(FIXTURES / "surveymonkey.csv"))
    assert (code, err) == (0, "")


def test_columns_a_tool_adds_later_change_nothing(data: Path, tmp_path: Path) -> None:
    records = list(csv.reader(io.StringIO((FIXTURES / "tally.csv").read_text(encoding="utf-8"), newline="")))
    wider = tmp_path / "tally-wider.csv"
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([records[0] + ["IP", "Browser", "Score"],
                                                       *(record + ["192.0.2.1", "Firefox", "7"] for record in records[1:])])
    wider.write_text(buffer.getvalue(), encoding="utf-8")
    assert run(data, str(FIXTURES / "tally.csv"))[0] == 0
    code, out, err = run(data, str(wider))
    assert (code, out) == (0, "read 3, accepted 0, duplicates 3, quarantined 0\n")
    assert err.count("note: column") == 3


def _typeform_rows(*lines: int, edit: str = "") -> str:
    text = (FIXTURES / "typeform.csv").read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    chosen = [records[0], *(records[line] for line in lines)]
    if edit:
        chosen[1][chosen[0].index("How can we improve?")] = edit
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(chosen)
    return buffer.getvalue()


def test_an_overlapping_export_adds_only_its_new_rows(data: Path, tmp_path: Path) -> None:
    january = tmp_path / "january.csv"
    january.write_text(_typeform_rows(1, 2), encoding="utf-8")
    both = tmp_path / "january-february.csv"
    both.write_text(_typeform_rows(1, 2, 3), encoding="utf-8")
    assert run(data, str(january))[:2] == (0, "read 2, accepted 2, duplicates 0, quarantined 0\n")
    assert run(data, str(both))[:2] == (0, "read 3, accepted 1, duplicates 2, quarantined 0\n")
    assert answers(stored(data)) == EXPECTED


def test_a_response_edited_in_the_tool_replaces_its_row_and_says_so(data: Path, tmp_path: Path) -> None:
    assert run(data, str(FIXTURES / "typeform.csv"))[0] == 0
    edited = tmp_path / "edited.csv"
    edited.write_text(_typeform_rows(1, 2, 3, edit="Faster replies, and a call back."), encoding="utf-8")
    before = digest(data)
    code, out, err = run(data, str(edited), "--dry-run")
    assert code == 0 and digest(data) == before
    assert out.splitlines()[0] == "would replace: typeform-odwdp4nzj1xg6m9l36odwdp4nzlv2gcw"
    assert "the stored row would be replaced" in err
    code, out, err = run(data, str(edited))
    assert (code, out) == (0, "read 3, accepted 0, replaced 1, duplicates 2, quarantined 0\n")
    assert ("note: response typeform-odwdp4nzj1xg6m9l36odwdp4nzlv2gcw was edited in typeform: the stored row was "
            "replaced (the previous version is kept in responses/superseded/)") in err
    rows = stored(data)
    assert [row["improve"] for row in rows] == ["Faster replies, and a call back.", "", IMPROVE3]
    old_text = (data / "responses" / "superseded" / "annual-review.csv").read_text(encoding="utf-8")
    [old] = list(csv.DictReader(io.StringIO(old_text, newline="")))
    assert (old["response_id"], old["improve"]) == (rows[0]["response_id"], "Faster replies on Mondays, please.")
    assert run(data, str(edited))[1] == "read 3, accepted 0, duplicates 3, quarantined 0\n"
    # the older export read again does not bring the replaced version back
    assert run(data, str(FIXTURES / "typeform.csv"))[1] == "read 3, accepted 0, duplicates 3, quarantined 0\n"
    assert stored(data)[0]["improve"] == "Faster replies, and a call back."


def test_dates_that_could_be_either_order_stop_the_import_until_told(data: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text('Timestamp,"Overall, how satisfied are you?",How likely are you to recommend us?\n'
                     "03/04/2026 10:00:00,4,9\n05/06/2026 11:00:00,5,10\n", encoding="utf-8")
    code, out, err = run(data, str(sheet))
    assert (code, out) == (2, "")
    assert err == (f"error: {sheet}: every date in the file (e.g. '03/04/2026 10:00:00') could be day/month or month/day; "
                   "say which with --dayfirst or --monthfirst (or set locale in site.yaml, e.g. locale: en-GB); "
                   "nothing was imported\n")
    assert not (data / "responses").exists()
    assert run(data, str(sheet), "--dayfirst")[0] == 0
    assert [row["submitted_at"] for row in stored(data)] == ["2026-04-03T10:00:00+02:00", "2026-06-05T11:00:00+02:00"]


def test_the_site_locale_settles_the_day_order(data: Path, tmp_path: Path) -> None:
    site = data / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "locale: en-US\n", encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text('Timestamp,"Overall, how satisfied are you?"\n03/04/2026 10:00:00,4\n', encoding="utf-8")
    assert run(data, str(sheet))[0] == 0
    assert stored(data)[0]["submitted_at"] == "2026-03-04T10:00:00+01:00"


def test_repeated_titles_answer_their_questions_in_order(data: Path, tmp_path: Path) -> None:
    survey = data / "surveys" / "twice.yaml"
    survey.write_text("id: twice\ntitle: Twice\nquestions:\n"
                      "  - {id: helpdesk, type: rating, label: How satisfied are you?}\n"
                      "  - {id: onsite, type: rating, label: How satisfied are you?}\n", encoding="utf-8")
    export = tmp_path / "tally.csv"
    export.write_text("Submission ID,Respondent ID,Submitted at,How satisfied are you?,How satisfied are you?\n"
                      "a1,r1,2026-11-20 10:00:00,Very satisfied,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(export), "--survey", "twice", "--data", str(data), "--timezone", "UTC"])
    assert result.exit_code == 0, result.output
    text = (data / "responses" / "twice.csv").read_text(encoding="utf-8")
    assert text == "response_id,client,submitted_at,helpdesk,onsite\ntally-a1,,2026-11-20T10:00:00+00:00,5,2\n"


def test_a_token_a_spreadsheet_turned_into_a_number_is_quarantined_with_the_reason(data: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text('Timestamp,"Overall, how satisfied are you?",How likely are you to recommend us?,token\n'
                     "11/20/2026 10:00:00,4,9,1.11186E+47\n"
                     "11/20/2026 11:00:00,4,9,111186480622603000000000000000000000000000000000\n"
                     "11/21/2026 10:00:00,5,10,111186480622603440844919133543756306621150409208\n", encoding="utf-8")
    code, out, err = run(data, str(sheet))
    assert code == 1
    assert out.startswith("read 3, accepted 1, duplicates 0, quarantined 2 (see ")
    assert "error: 2 rows were quarantined in " in err
    [row] = stored(data)
    assert row["client"] == "acme-dental", "an old token that only lost its leading zero still names its client"
    refused = [r for path in (data / "quarantine").glob("*.csv")
               for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))]
    assert [(r["line"], r["reason"]) for r in refused] == [("2", "mangled_token"), ("3", "mangled_token")]
    assert refused[0]["detail"].startswith("token '1.11186E+47' was turned into a number by a spreadsheet")


def test_a_dry_run_says_what_would_happen_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    before = digest(data)
    code, out, err = run(data, str(FIXTURES / "formspree.csv"), "--dry-run")
    assert code == 1
    lines = out.splitlines()
    assert lines[:3] == ["would add: formspree-2145678901", "would add: formspree-2145679344", "would add: formspree-2145680120"]
    assert lines[3].startswith("would quarantine line 7 in ") and "out_of_range: recommend=11" in lines[3]
    assert lines[-1].startswith("dry run, nothing written; it would be: read 5, accepted 3, duplicates 0, quarantined 2 (would go to ")
    assert "2 rows would be quarantined" in err
    assert digest(data) == before and not (data / ".rapport.lock").exists()


def test_a_surveymonkey_file_with_one_header_row_loses_no_response(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "condensed.csv"
    export.write_text('Respondent ID,Collector ID,Start Date,End Date,IP Address,"Overall, how satisfied are you?",'
                      "How likely are you to recommend us?\n"
                      "118052219061,446111201,11/20/2026 10:00:00 AM,11/20/2026 10:02:00 AM,203.0.113.7,Very satisfied,10\n"
                      "118052219068,446111201,11/21/2026 10:00:00 AM,11/21/2026 10:02:00 AM,203.0.113.8,2,6\n", encoding="utf-8")
    assert run(data, str(export))[:2] == (0, "read 2, accepted 2, duplicates 0, quarantined 0\n")
    assert [(row["overall"], row["recommend"]) for row in stored(data)] == [("5", "10"), ("2", "6")]


def test_without_survey_the_one_survey_the_columns_answer_is_chosen_and_named(data: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(FIXTURES / "typeform.csv"), "--data", str(data), "--timezone", ZONE])
    assert result.exit_code == 0, result.output
    assert ("note: the rows name no survey: imported into 'annual-review', the one survey whose questions the columns "
            "answer (--survey chooses another)") in result.stderr
    assert answers(stored(data)) == EXPECTED


def test_without_survey_two_surveys_that_fit_stop_the_import(data: Path) -> None:
    second = data / "surveys" / "pulse.yaml"
    second.write_text("id: pulse\ntitle: Pulse\nquestions:\n"
                      "  - {id: improve, type: text, label: How can we improve?}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(FIXTURES / "typeform.csv"), "--data", str(data), "--timezone", ZONE])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {FIXTURES / 'typeform.csv'}: the rows name no survey and the columns answer "
                             "questions of annual-review, pulse; say which with --survey (one of annual-review, pulse); "
                             "nothing was imported\n")


def test_a_file_no_tool_wrote_is_refused_with_exit_2(data: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("alpha,beta\n1,2\n", encoding="utf-8")
    code, out, err = run(data, str(odd))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {odd}: cannot tell which tool wrote this file from its header (alpha, beta…); "
                          "name it with --source (typeform, tally, surveymonkey, microsoft-forms")


@pytest.mark.parametrize("content", [
    b"", b"\x00\x01\x02", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xff\xfe\x00", b'Timestamp,x\n"open\n',
    "Submission ID,Respondent ID,Submitted at,How can we improve?\nx,y,2026-11-20 10:00:00,\x00\x1b[31m\ud800\n".encode(
        "utf-8", "surrogatepass"),
])
def test_no_bytes_make_a_traceback(data: Path, tmp_path: Path, content: bytes) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(content)
    code, _, err = run(data, str(export))
    assert code in (1, 2) and err.startswith(("error:", "note:")), err



@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(max_size=30), min_size=4, max_size=4))
def test_any_text_in_any_cell_is_stored_or_quarantined_never_a_traceback(data: Path, cells: list[str]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([
        ["Submission ID", "Respondent ID", "Submitted at", "Overall, how satisfied are you?", "Which areas matter most to you?",
         "How can we improve?", "t"], ["s1", "r1", cells[0], cells[1], cells[2], cells[3], cells[0]]])
    export = data / "export.csv"
    export.write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass"))
    result = CliRunner().invoke(cli, ["import", str(export), "--data", str(data), "--timezone", "UTC", "--dry-run"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("kind", "written", "stored_as"), [
    ("rating", "Very satisfied", "5"), ("rating", "5 - Excellent", "5"), ("rating", "2: Poor", "2"), ("rating", "4.0", "4"),
    ("rating", "Neither satisfied nor dissatisfied", "3"), ("rating", "★★★★", "4"), ("rating", "Excellent (5)", "5"),
    ("rating", "3.5", "3.5"), ("rating", "Mostly fine", "Mostly fine"), ("nps", "10 - Extremely likely", "10"),
    ("nps", "Not at all likely", "0"), ("nps", " 7 ", "7"),
])
def test_scale_answers_written_as_labels_become_their_number(kind: str, written: str, stored_as: str) -> None:
    from generator.ingest.importers.columns import scale_answer
    from generator.model import Question

    assert scale_answer(Question(id="q", type=kind, label="Q"), written) == stored_as


def test_a_zip_that_is_no_workbook_is_refused_with_exit_2(data: Path, tmp_path: Path) -> None:
    import zipfile

    export = tmp_path / "responses.xlsx"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    code, out, err = run(data, str(export))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {export}: not an Excel workbook that can be read (")


def test_a_typeform_partial_response_is_quarantined_as_partial(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "typeform.csv"
    export.write_text(_typeform_rows(1, 2).replace(",completed,", ",partial,", 1), encoding="utf-8")
    code, out, _ = run(data, str(export))
    assert (code, out.split(" (see ")[0]) == (1, "read 2, accepted 1, duplicates 0, quarantined 1")
    [refused] = [r for path in (data / "quarantine").glob("*.csv")
                 for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))]
    assert (refused["line"], refused["reason"]) == ("2", "partial_response")
