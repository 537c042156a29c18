"""Loader limits found by an audit: values that validated and then crashed a later stage,
files that took minutes to read, and bad data that was accepted. Each is now a located problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.load import load_portfolio
from generator.yamlio import MAX_ALIAS_VALUES, MAX_DEPTH
from tests.conftest import CONTACT_HEADER
from tests.test_load_errors import CLIENTS_YAML, MakePortfolio, problems_of, response

REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- scale answers as checked


def test_blank_and_no_break_space_padded_scores_are_read_as_checked(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [
        response(response_id="r1", recommend=" ", overall="4"),
        response(response_id="r2", recommend="9\u00a0", overall=" 5 "),
    ]})
    portfolio = load_portfolio(data)
    assert portfolio.responses["review"]["recommend"].tolist() == ["", "9"]
    scores = portfolio.scores.sort_values(["response_id", "question"])
    assert scores[["response_id", "question", "score"]].values.tolist() == [
        ["r1", "overall", 4.0], ["r2", "overall", 5.0], ["r2", "recommend", 9.0],
    ]


# ---------------------------------------------------------------- numbers and dates


@pytest.mark.parametrize(("old", "new", "line", "problem"), [
    ("pcs: 18", "pcs: 9223372036854775808", 3, "clients[0].pcs: '9223372036854775808' is too large (expected at most 100000)"),
    ("servers: 1", "servers: 100001", 4, "clients[0].servers: '100001' is too large (expected at most 100000)"),
    ("{start: 2024-03-01}", "{start: 2024-03-01, term_months: 601}", 5,
     "clients[0].agreement.term_months: '601' is too large (expected at most 600)"),
    ("{start: 2024-03-01}", "{start: 2024-03-01, monthly_fee: 1e400}", 5,
     "clients[0].agreement.monthly_fee: '1e400' is not a finite number (expected a number such as 1450 or 99.5)"),
    ("{start: 2024-03-01}", "{start: 2024-03-01, monthly_fee: 1000000000001}", 5,
     "clients[0].agreement.monthly_fee: '1000000000001' is too large (expected at most 1000000000000)"),
    ("{start: 2024-03-01}", "{start: 9999-12-01}", 5,
     "clients[0].agreement.start: '9999-12-01' is out of range (expected a date from 1900-01-01 to 2199-12-31)"),
    ("servers: 1", "servers: 1\n  onsite_min_per_month: 99999999999999999999999", 5,
     "clients[0].onsite_min_per_month: '99999999999999999999999' is too large (expected at most 1000)"),
])
def test_client_numbers_and_dates_out_of_range(make_portfolio: MakePortfolio, old: str, new: str, line: int, problem: str) -> None:
    data = make_portfolio(clients=CLIENTS_YAML.replace(old, new))
    assert problems_of(data) == [f"{data}/clients.yaml:{line}: {problem}"]


@pytest.mark.parametrize(("extra", "line", "problem"), [
    ("as_of: 9999-12-31", 2, "as_of: '9999-12-31' is out of range (expected a date from 1900-01-01 to 2199-12-31)"),
    ("as_of: 0001-01-01", 2, "as_of: '0001-01-01' is out of range (expected a date from 1900-01-01 to 2199-12-31)"),
    ("targets: {survey_lead_days: 99999999999}", 2,
     "targets.survey_lead_days: '99999999999' is too large (expected at most 366)"),
    ("targets: {onsite_typical_per_month: 1001}", 2,
     "targets.onsite_typical_per_month: '1001' is too large (expected at most 1000)"),
    ("ideal_client:\n  pcs: [35, 10]", 3, "ideal_client.pcs: [35, 10] runs downwards (expected [least, most], as in [10, 35])"),
    ("ideal_client: {servers: [0, 100001]}", 2, "ideal_client.servers[1]: '100001' is too large (expected at most 100000)"),
    ("site: {base_url: 'javascript:alert(1)'}", 2, "site.base_url: 'javascript:alert(1)' is not a web address"
     " (expected https://… or http://…, as in https://example.github.io/rapport/)"),
])
def test_settings_out_of_range(make_portfolio: MakePortfolio, extra: str, line: int, problem: str) -> None:
    data = make_portfolio(site=f"business: {{name: Test IT}}\n{extra}\n")
    assert problems_of(data) == [f"{data}/site.yaml:{line}: {problem}"]


def test_as_of_option_out_of_range_is_a_usage_error(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio()
    result = subprocess.run([sys.executable, "-m", "generator", "validate", "--data", str(data), "--as-of", "9999-12-31"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'9999-12-31' is out of range (expected a date from 1900-01-01 to 2199-12-31)" in result.stderr


# ---------------------------------------------------------------- YAML size and depth


def test_alias_bomb_is_refused_at_its_alias(make_portfolio: MakePortfolio) -> None:
    levels = ["  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    data = make_portfolio(clients=CLIENTS_YAML + "  notes:\n" + "\n".join("  " + level for level in levels) + "\n")
    assert problems_of(data) == [
        f"{data}/clients.yaml:12: not valid YAML: with the alias *e the file's aliases repeat more than "
        f"{MAX_ALIAS_VALUES:,} values (expected values written out, or fewer aliases)",
    ]


def test_a_few_plain_aliases_are_fine(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients="- &one\n  id: acme\n  name: Acme\n  pcs: 18\n  servers: 1\n"
                                  "  agreement: &deal {start: 2024-03-01}\n- id: beta\n  name: Beta\n  pcs: 5\n"
                                  "  servers: 1\n  agreement: *deal\n")
    assert [client.id for client in load_portfolio(data).clients] == ["acme", "beta"]


def test_a_long_value_is_shortened_in_its_message(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML + "  notes: [" + ", ".join(["word"] * 5000) + "]\n")
    [problem] = problems_of(data)
    assert problem.startswith(f"{data}/clients.yaml:6: clients[0].notes: ['word', 'word', ")
    assert problem.endswith("is not text (expected text)") and len(problem) < len(str(data)) + 160


def test_yaml_nested_a_thousand_deep_is_a_problem_not_a_traceback(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML + "  notes: " + "[" * 1000 + "]" * 1000 + "\n")
    assert problems_of(data) == [
        f"{data}/clients.yaml:6: not valid YAML: nested too deeply (expected at most {MAX_DEPTH} levels of lists and mappings)",
    ]


def test_unclosed_flow_list_in_clients_names_the_line_it_opens_on(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML.replace("pcs: 18", "pcs: [10, 35"))
    assert problems_of(data) == [
        f"{data}/clients.yaml:3: not valid YAML: while parsing a flow sequence: expected ',' or ']', but got ':' on line 4",
    ]


# ---------------------------------------------------------------- surveys


def _survey_with(question: str) -> str:
    return f"id: review\ntitle: Review\nquestions:\n  - id: q\n    label: Q\n{question}"


@pytest.mark.parametrize(("question", "line", "problem"), [
    ("    type: nps\n    csat: true\n", 7, "questions[0].csat: only a rating question counts toward CSAT (expected no csat: true on a nps question)"),
    ("    type: rating\n    options: [a, b]\n", 7, "questions[0].options: a rating question takes no options"),
    ("    type: choice\n    options: []\n", 7, "questions[0].options: a choice question needs options (a list of answers)"),
    ("    type: choice\n    options:\n      - Too few\n      - Too few\n", 9,
     "questions[0].options[1]: 'Too few' is listed twice (first as options[0]; expected each option once)"),
    ("    type: multi\n    options:\n      - Backups\n      - Training;Docs\n", 9,
     "questions[0].options[1]: 'Training;Docs' contains ';' (a multi question's answers are stored ';'-joined;"
     " expected an option without ';')"),
])
def test_question_rules_name_the_key_that_breaks_them(make_portfolio: MakePortfolio, question: str, line: int, problem: str) -> None:
    data = make_portfolio(surveys={"review": _survey_with(question)})
    assert problems_of(data) == [f"{data}/surveys/review.yaml:{line}: {problem}"]


# ---------------------------------------------------------------- CSV cells, answers, pages


def test_control_character_in_a_contact_cell(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[["2026-01-05", "acme", "onsite", "Ann", "30", "tab\there,\nline break"],
                                    ["2026-01-06", "acme", "onsite", "Ann", "30", "bad\x00byte"]])
    assert problems_of(data) == [
        f"{data}/contacts.csv:4: note: contains the control character U+0000 (expected text; tabs and line breaks are allowed)",
    ]


def test_multi_answer_naming_an_option_twice(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(areas="Helpdesk;Backups;Helpdesk")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: areas: 'Helpdesk' is named twice (expected each option at most once, separated by ';')",
    ]


@pytest.mark.parametrize("name", ["thanks", "dashboard", "survey", "404", "assets"])
def test_page_named_like_a_built_in_page(make_portfolio: MakePortfolio, name: str) -> None:
    data = make_portfolio(pages={name: "# Mine\n"})
    assert problems_of(data) == [
        f"{data}/pages/{name}.md: '{name}' is a name the site uses itself "
        "(reserved: 404, api, assets, dashboard, survey, thanks; rename the page)",
    ]


def test_contacts_header_with_swapped_names_is_one_problem(make_portfolio: MakePortfolio) -> None:
    rows = "".join(f"2026-01-{day:02d},acme,onsite,Ann,30,ok\n" for day in range(1, 30))
    data = make_portfolio(contacts="client,date,kind,staff,minutes,note\n" + rows)
    assert problems_of(data) == [
        f"{data}/contacts.csv:1: the header names the columns in the order client,date,kind,staff,minutes,note and 29 of 29"
        " rows then fail their checks (e.g. line 2: date: 'acme' is not a date (expected YYYY-MM-DD)); expected the header"
        f" {','.join(CONTACT_HEADER)} — are column names swapped?",
    ]


def test_contacts_columns_moved_with_their_names_still_read(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts="client,date,kind,staff,minutes,note\nacme,2026-01-05,onsite,Ann,30,ok\n")
    assert load_portfolio(data).contacts["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-05"]
