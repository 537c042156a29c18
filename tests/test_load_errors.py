"""Loader errors: every check reports `path:line: field: what is wrong (what was expected)`.

One test per check of issue #2, each asserting the exact message text with file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import DataError
from generator.load import load_portfolio
from generator.model import RESERVED_QUESTION_IDS, Client, Question, Settings, Survey, Targets
from tests.conftest import CLIENT, CONTACT_HEADER, SURVEY

MakePortfolio = Callable[..., Path]

HEADER = ",".join(CONTACT_HEADER)

# hand-written so the line of every key is obvious
CLIENTS_YAML = """\
- id: acme
  name: Acme Dental
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
"""

SURVEY_YAML = """\
id: review
title: Review
questions:
  - {id: overall, type: rating, csat: true, label: Overall}
  - {id: recommend, type: nps, label: Recommend}
  - id: visits
    type: choice
    options: [Too few, About right, Too many]
    label: Visits
"""


def problems_of(data: Path) -> list[str]:
    """Every problem the loader reports for `data`, as the lines the CLI prints."""
    with pytest.raises(DataError) as caught:
        load_portfolio(data)
    return [str(problem) for problem in caught.value.problems]


def contact(**fields: str) -> list[str]:
    """A contacts.csv row with good values unless overridden."""
    row = {"date": "2026-01-05", "client": "acme", "kind": "onsite", "staff": "Ann", "minutes": "30", "note": "ok"}
    row.update(fields)
    return [row[column] for column in CONTACT_HEADER]


def response(**fields: str) -> dict[str, str]:
    """A responses/review.csv row with good values unless overridden."""
    return {"response_id": "r1", "client": "acme", "submitted_at": "2026-01-05T10:00:00Z", **fields}


def keys(model: type) -> str:
    """The key list an 'unknown key' message names for a record type."""
    return ", ".join(model.model_fields)


# ---------------------------------------------------------------- clients.yaml


def test_duplicate_client_id(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML + CLIENTS_YAML.replace("Acme Dental", "Acme Two"))
    assert problems_of(data) == [
        f"{data}/clients.yaml:6: clients[1].id: duplicate id 'acme' (first used on line 1)",
    ]


def test_client_id_that_is_not_a_slug(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML.replace("id: acme", "id: Acme_Dental"))
    assert problems_of(data) == [
        f"{data}/clients.yaml:1: clients[0].id: 'Acme_Dental' is not a slug (expected lower-case letters, digits and '-')",
    ]


def test_client_dates_badly_written_or_impossible(make_portfolio: MakePortfolio) -> None:
    second = CLIENTS_YAML.replace("acme", "bolt").replace("2024-03-01", "01/03/2024")
    data = make_portfolio(clients=CLIENTS_YAML.replace("2024-03-01", "2024-02-30") + second + "  ended: 2026-6-30\n")
    assert problems_of(data) == [
        f"{data}/clients.yaml:5: clients[0].agreement.start: '2024-02-30' is not a real date (expected YYYY-MM-DD)",
        f"{data}/clients.yaml:10: clients[1].agreement.start: '01/03/2024' is not a date (expected YYYY-MM-DD)",
        f"{data}/clients.yaml:11: clients[1].ended: '2026-6-30' is not a date (expected YYYY-MM-DD)",
    ]


def test_misspelt_client_key_suggests_the_key(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML + "  survey_cadense: annual\n")
    assert problems_of(data) == [
        f"{data}/clients.yaml:6: clients[0].survey_cadense: unknown key (expected one of {keys(Client)})"
        " — did you mean 'survey_cadence'?",
    ]


def test_missing_client_fields_are_reported_on_the_record_line(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML + "- id: bolt\n  name: Bolt\n  pcs: 3\n")
    assert problems_of(data) == [
        f"{data}/clients.yaml:6: clients[1].servers: missing (required)",
        f"{data}/clients.yaml:6: clients[1].agreement: missing (required)",
    ]


def test_negative_client_count(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML.replace("pcs: 18", "pcs: -3"))
    assert problems_of(data) == [f"{data}/clients.yaml:3: clients[0].pcs: '-3' is too small (expected at least 0)"]


def test_client_entry_that_is_not_a_record(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML + "- bolt\n")
    assert problems_of(data) == [f"{data}/clients.yaml:6: clients[1]: expected a client record (id:, name:, …)"]


def test_empty_client_name_is_empty_not_none(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML.replace("name: Acme Dental", "name: ~") + CLIENTS_YAML.replace(
        "id: acme", "id: bolt").replace("name: Acme Dental", "name:").replace("pcs: 18", "pcs:"))
    assert problems_of(data) == [
        f"{data}/clients.yaml:2: clients[0].name: is empty (expected text)",
        f"{data}/clients.yaml:7: clients[1].name: is empty (expected text)",
        f"{data}/clients.yaml:8: clients[1].pcs: is empty (expected a whole number)",
    ]


def test_missing_clients_file_does_not_flood_every_row(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(), contact()], responses={"review": [response()]})
    (data / "clients.yaml").unlink()
    assert problems_of(data) == [f"{data}/clients.yaml: file is missing (expected a list of clients)"]


def test_clients_file_that_is_not_a_list_does_not_flood_every_row(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients="id: acme\nname: Acme\n", contacts=[contact(), contact()])
    assert problems_of(data) == [f"{data}/clients.yaml:1: expected a list of clients (- id: …)"]


def test_empty_clients_file_is_one_problem_not_one_per_row(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients="# clients go here\n", contacts=[contact(), contact()], responses={"review": [response()]})
    assert problems_of(data) == [
        f"{data}/clients.yaml:1: no clients (expected a list of clients: - id: …; or [] for none yet)",
    ]


def test_an_empty_list_of_clients_is_no_clients_yet(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients="[]\n", contacts=[contact()])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: client: 'acme' is not a client id (expected an id from clients.yaml)",
    ]


# ---------------------------------------------------------------- site.yaml


def test_missing_business_section(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="as_of: 2026-11-30\n")
    assert problems_of(data) == [f"{data}/site.yaml:1: business: missing (required)"]


def test_missing_business_name(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="as_of: 2026-11-30\nbusiness:\n  email: hello@example.com\n")
    assert problems_of(data) == [f"{data}/site.yaml:2: business.name: missing (required)"]


def test_missing_site_file(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio()
    (data / "site.yaml").unlink()
    assert problems_of(data) == [f"{data}/site.yaml: file is missing (expected at least business: {{name: …}})"]


def test_misspelt_settings_key_suggests_the_key(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT}\ntargets:\n  onsite_min_per_mnth: 1\n")
    assert problems_of(data) == [
        f"{data}/site.yaml:3: targets.onsite_min_per_mnth: unknown key (expected one of {keys(Targets)})"
        " — did you mean 'onsite_min_per_month'?",
    ]


def test_unknown_top_level_settings_key(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT}\nbusines: {name: Other}\n")
    assert problems_of(data) == [
        f"{data}/site.yaml:2: busines: unknown key (expected one of {keys(Settings)}) — did you mean 'business'?",
    ]


def test_impossible_as_of_date(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT}\nas_of: 2026-13-01\n")
    assert problems_of(data) == [f"{data}/site.yaml:2: as_of: '2026-13-01' is not a real date (expected YYYY-MM-DD)"]


def test_misspelt_cadence_suggests_the_value(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT}\ntargets:\n  survey_cadence: anual\n")
    assert problems_of(data) == [
        f"{data}/site.yaml:3: targets.survey_cadence: 'anual' is not one of annual, semiannual, quarterly"
        " — did you mean 'annual'?",
    ]


# ---------------------------------------------------------------- surveys/*.yaml


def test_survey_file_name_differs_from_id(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML.replace("id: review", "id: annual-review")})
    assert problems_of(data) == [f"{data}/surveys/review.yaml:1: id: 'annual-review' differs from the file name (expected 'review')"]


def test_misnamed_survey_with_other_problems_reports_both(make_portfolio: MakePortfolio) -> None:
    text = SURVEY_YAML.replace("id: review", "id: annual-review").replace("type: nps", "type: nsp")
    data = make_portfolio(surveys={"review": text})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:1: id: 'annual-review' differs from the file name (expected 'review')",
        f"{data}/surveys/review.yaml:5: questions[1].type: 'nsp' is not one of rating, nps, choice, multi, text"
        " — did you mean 'nps'?",
    ]


def test_misspelt_question_type_suggests_the_type(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML.replace("type: rating", "type: rateing")})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:4: questions[0].type: 'rateing' is not one of rating, nps, choice, multi, text"
        " — did you mean 'rating'?",
    ]


def test_misspelt_question_key_suggests_the_key(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML.replace("    label: Visits", "    lable: Visits")})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:6: questions[2].label: missing (required)",
        f"{data}/surveys/review.yaml:9: questions[2].lable: unknown key (expected one of {keys(Question)})"
        " — did you mean 'label'?",
    ]


def test_unknown_survey_key(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML + "titel: Again\n"})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:10: titel: unknown key (expected one of {keys(Survey)}) — did you mean 'title'?",
    ]


def test_show_if_naming_an_unknown_question(make_portfolio: MakePortfolio) -> None:
    text = SURVEY_YAML + "  - id: why\n    type: text\n    label: Why\n    show_if:\n      question: overal\n      at_most: 3\n"
    data = make_portfolio(surveys={"review": text})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:14: questions[3].show_if.question: 'overal' is not an earlier question"
        " (expected one of overall, recommend, visits) — did you mean 'overall'?",
    ]


def test_show_if_on_the_first_question(make_portfolio: MakePortfolio) -> None:
    text = SURVEY_YAML.replace("  - {id: overall, type: rating, csat: true, label: Overall}",
                               "  - {id: overall, type: rating, csat: true, label: Overall, show_if: {question: visits, equals: x}}")
    data = make_portfolio(surveys={"review": text})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:4: questions[0].show_if.question: 'visits' is not an earlier question"
        " (no question comes before this one)",
    ]


def test_show_if_with_two_conditions(make_portfolio: MakePortfolio) -> None:
    text = SURVEY_YAML + "  - {id: why, type: text, label: Why, show_if: {question: overall, at_most: 3, at_least: 1}}\n"
    data = make_portfolio(surveys={"review": text})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:10: questions[3].show_if: needs exactly one of at_most, at_least, equals",
    ]


def test_duplicate_question_id(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML + "  - {id: overall, type: text, label: Again}\n"})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:10: questions[3].id: duplicate question id 'overall' (first used in questions[0])",
    ]


def test_question_id_that_collides_with_a_response_column(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML + "  - {id: date, type: text, label: When}\n"})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:10: questions[3].id: 'date' is a reserved name"
        f" (reserved: {', '.join(RESERVED_QUESTION_IDS)}; choose another id)",
    ]


def test_choice_question_without_options(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML.replace("    options: [Too few, About right, Too many]\n", "")})
    assert problems_of(data) == [
        f"{data}/surveys/review.yaml:6: questions[2].options: a choice question needs options (a list of answers)",
    ]


# ---------------------------------------------------------------- YAML syntax and safety


def test_yaml_syntax_error_carries_the_parsers_line_and_message(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients="- id: acme\n  name: Acme\n pcs: 18\n")
    assert problems_of(data) == [
        f"{data}/clients.yaml:3: not valid YAML: while parsing a block collection:"
        " expected <block end>, but found '<block mapping start>'",
    ]


def test_yaml_flow_syntax_error_in_settings(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT\nas_of: 2026-11-30\n")
    assert problems_of(data) == [
        # the line where the unclosed `{` opens; the parser noticed on the next
        f"{data}/site.yaml:1: not valid YAML: while parsing a flow mapping: expected ',' or '}}', but got ':' on line 2",
    ]


def test_unterminated_yaml_quote_names_the_line_it_starts_on(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients='- id: acme\n  name: "Acme\n  pcs: 18\n')
    with pytest.raises(DataError) as caught:
        load_portfolio(data)
    [problem] = caught.value.problems
    assert problem.path == f"{data}/clients.yaml"
    assert problem.line == 2 or "line 2" in problem.message


def test_python_tag_is_an_error_and_never_executed(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = CLIENTS_YAML.replace("name: Acme Dental", f"name: !!python/object/apply:os.system ['touch {marker}']")
    data = make_portfolio(clients=text)
    assert problems_of(data) == [
        f"{data}/clients.yaml:2: tag '!!python/object/apply:os.system' is not allowed"
        " (data files cannot contain code; remove the tag)",
    ]
    assert not marker.exists()


def test_python_tag_in_settings_is_never_executed(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    marker = tmp_path / "executed-too"
    data = make_portfolio(site=f"business:\n  name: !!python/object/apply:os.system ['touch {marker}']\n")
    assert problems_of(data) == [
        f"{data}/site.yaml:2: tag '!!python/object/apply:os.system' is not allowed"
        " (data files cannot contain code; remove the tag)",
    ]
    assert not marker.exists()


def test_duplicate_yaml_key_is_reported(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML + "  name: Other Name\n")
    with pytest.raises(DataError) as caught:
        load_portfolio(data)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == (f"{data}/clients.yaml", 6)
    assert "name" in problem.field and "line 2" in problem.message


def test_duplicate_yaml_key_message_names_both_lines(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT}\nas_of: 2026-11-30\nbusiness: {name: Other IT, name: Third}\n")
    assert problems_of(data) == [
        f"{data}/site.yaml:3: business: duplicate key 'business' (first on line 1)",
        f"{data}/site.yaml:3: business.name: duplicate key 'name' (first on line 3)",
    ]


def test_duplicate_key_in_a_survey_question(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML + "    label: Visits again\n"})
    assert problems_of(data) == [f"{data}/surveys/review.yaml:10: questions[2].label: duplicate key 'label' (first on line 9)"]


def test_unterminated_yaml_quote_message(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients='- id: acme\n  name: "Acme\n  pcs: 18\n')
    assert problems_of(data) == [
        f"{data}/clients.yaml:2: not valid YAML: while scanning a quoted scalar: found unexpected end of stream",
    ]


def test_unclosed_flow_list_names_the_line_it_opens_on(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site="business: {name: Test IT}\nideal_client:\n  pcs: [10, 35\n")
    assert problems_of(data) == [
        f"{data}/site.yaml:3: not valid YAML: while parsing a flow sequence: expected ',' or ']', but got '<stream end>'",
    ]


def test_other_tags_are_not_allowed(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML.replace("name: Acme Dental", "name: !custom Acme"))
    assert problems_of(data) == [
        f"{data}/clients.yaml:2: tag '!custom' is not allowed (data files hold plain values; remove the tag)",
    ]


def test_alias_to_its_own_collection_is_a_problem_not_a_crash(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients="- &acme\n  id: acme\n  notes: [*acme]\n")
    assert problems_of(data) == [
        f"{data}/clients.yaml:1: not valid YAML: an alias refers to a collection that contains it (expected plain values)",
    ]


# ---------------------------------------------------------------- encoding


def test_non_utf8_yaml_file(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio()
    (data / "site.yaml").write_bytes(b"business: {name: Caf\xe9 IT}\n")
    assert problems_of(data) == [f"{data}/site.yaml:1: not UTF-8 text (invalid continuation byte at byte 20)"]


def test_non_utf8_csv_file(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio()
    (data / "contacts.csv").write_bytes(HEADER.encode() + b"\n2026-01-05,acme,onsite,Ann,30,caf\xe9\n")
    # the bad byte is byte 69 (the header is 36 bytes with its newline); its line is checked by the test below
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].endswith("not UTF-8 text (invalid continuation byte at byte 69)")
    assert problems[0].startswith(f"{data}/contacts.csv:")


def test_non_utf8_csv_names_the_line_and_byte_of_the_bad_byte(make_portfolio: MakePortfolio) -> None:
    rows = [contact(note="x" * 100) for _ in range(200)]
    data = make_portfolio(contacts=rows)
    good = (data / "contacts.csv").read_bytes()
    (data / "contacts.csv").write_bytes(good + b"2026-01-05,acme,onsite,Ann,30,caf\xe9\n")
    offset = len(good) + len("2026-01-05,acme,onsite,Ann,30,caf")
    assert problems_of(data) == [f"{data}/contacts.csv:202: not UTF-8 text (invalid continuation byte at byte {offset})"]


def test_non_utf8_yaml_names_the_line_of_the_bad_byte(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio()
    (data / "clients.yaml").write_bytes(CLIENTS_YAML.replace("Acme Dental", "Acme D\xe9ntal").encode("latin-1"))
    assert problems_of(data) == [f"{data}/clients.yaml:2: not UTF-8 text (invalid continuation byte at byte 25)"]


def test_non_utf8_page_names_the_line_of_the_bad_byte(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(pages={"about": "# About\n"})
    (data / "pages" / "about.md").write_bytes(b"# About\n\nCaf\xe9\n")
    assert problems_of(data) == [f"{data}/pages/about.md:3: not UTF-8 text (invalid continuation byte at byte 12)"]


def test_csv_with_a_byte_order_mark_reads_its_header(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts="\ufeff" + HEADER + "\n2026-01-05,acme,onsight,Ann,30,ok\n")
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: kind: 'onsight' is not a contact kind (expected onsite, remote, phone, email)"
        " — did you mean 'onsite'?",
    ]


# ---------------------------------------------------------------- contacts.csv


def test_badly_written_dates_in_contacts(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(), contact(date="2026-1-5"), contact(date="05/01/2026")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:3: date: '2026-1-5' is not a date (expected YYYY-MM-DD)",
        f"{data}/contacts.csv:4: date: '05/01/2026' is not a date (expected YYYY-MM-DD)",
    ]


def test_impossible_date_in_contacts(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(date="2026-02-30"), contact(date="2026-13-01")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: date: '2026-02-30' is not a real date (expected YYYY-MM-DD)",
        f"{data}/contacts.csv:3: date: '2026-13-01' is not a real date (expected YYYY-MM-DD)",
    ]


def test_empty_date_in_contacts(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(date="")])
    assert problems_of(data) == [f"{data}/contacts.csv:2: date: is empty (expected YYYY-MM-DD)"]


def test_date_in_non_ascii_digits(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(date="٢٠٢٦-٠١-٠٥"), contact(date="２０２６-０１-０５")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: date: '٢٠٢٦-٠١-٠٥' is not a date (expected YYYY-MM-DD)",
        f"{data}/contacts.csv:3: date: '２０２６-０１-０５' is not a date (expected YYYY-MM-DD)",
    ]


def test_unknown_contact_kind_suggests_the_kind(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(), contact(kind="onsight")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:3: kind: 'onsight' is not a contact kind (expected onsite, remote, phone, email)"
        " — did you mean 'onsite'?",
    ]


def test_empty_contact_kind(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(kind="")])
    assert problems_of(data) == [f"{data}/contacts.csv:2: kind: is empty (expected onsite, remote, phone, email)"]


def test_contact_for_unknown_client_suggests_the_id(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(client="Acme"), contact(client="zzz")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: client: 'Acme' is not a client id (expected an id from clients.yaml)"
        " — did you mean 'acme'?",
        f"{data}/contacts.csv:3: client: 'zzz' is not a client id (expected an id from clients.yaml)",
    ]


def test_contact_for_unknown_client_suggests_a_longer_id(make_portfolio: MakePortfolio) -> None:
    clients = CLIENTS_YAML.replace("id: acme", "id: acme-dental") + CLIENTS_YAML.replace("id: acme", "id: bolt")
    data = make_portfolio(clients=clients, contacts=[contact(client="acme"), contact(client="dental"), contact(client="bolt-it")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: client: 'acme' is not a client id (expected an id from clients.yaml)"
        " — did you mean 'acme-dental'?",
        f"{data}/contacts.csv:3: client: 'dental' is not a client id (expected an id from clients.yaml)"
        " — did you mean 'acme-dental'?",
        f"{data}/contacts.csv:4: client: 'bolt-it' is not a client id (expected an id from clients.yaml)"
        " — did you mean 'bolt'?",
    ]


def test_contact_of_a_client_whose_record_has_a_problem_is_not_an_error(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=CLIENTS_YAML.replace("pcs: 18", "pcs: many"), contacts=[contact()])
    assert problems_of(data) == [f"{data}/clients.yaml:3: clients[0].pcs: 'many' is not a whole number"]


def test_negative_minutes(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(minutes="-5")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: minutes: '-5' is negative (expected a whole number of minutes, 0 or more)",
    ]


def test_minutes_that_are_not_whole_numbers(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(minutes="3.5"), contact(minutes="half an hour")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: minutes: '3.5' is not a whole number (expected a whole number of minutes, 0 or more)",
        f"{data}/contacts.csv:3: minutes: 'half an hour' is not a whole number"
        " (expected a whole number of minutes, 0 or more)",
    ]


def test_minutes_in_non_ascii_digits_are_reported(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(minutes="٣٠"), contact(minutes="３０")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: minutes: '٣٠' is not a whole number (expected a whole number of minutes, 0 or more)",
        f"{data}/contacts.csv:3: minutes: '３０' is not a whole number (expected a whole number of minutes, 0 or more)",
    ]


def test_minutes_too_large_to_store_are_a_problem_not_a_crash(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(minutes="99999999999999999999")])
    with pytest.raises(DataError) as caught:
        load_portfolio(data)
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.field) == (f"{data}/contacts.csv", 2, "minutes")


def test_minutes_with_too_many_digits(make_portfolio: MakePortfolio) -> None:
    rows = [contact(minutes="9999999999999999"), contact(minutes="-99999999999999999999"),
            contact(minutes="000000000000000000030"), contact(minutes="999999999999999")]
    data = make_portfolio(contacts=rows + [contact(kind="onsight")])
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: minutes: '9999999999999999' is too large (expected a whole number of minutes, 0 or more)",
        f"{data}/contacts.csv:3: minutes: '-99999999999999999999' is negative"
        " (expected a whole number of minutes, 0 or more)",
        f"{data}/contacts.csv:6: kind: 'onsight' is not a contact kind (expected onsite, remote, phone, email)"
        " — did you mean 'onsite'?",
    ]


def test_fifteen_digit_minutes_are_kept_exactly(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[contact(minutes="000000000000000000030"), contact(minutes="999999999999999")])
    assert load_portfolio(data).contacts["minutes"].tolist() == [30, 999999999999999]


def test_ragged_csv_rows(make_portfolio: MakePortfolio) -> None:
    text = f"{HEADER}\n2026-01-05,acme,onsite,Ann,30\n2026-01-05,acme,onsite,Ann,30,ok\n2026-01-05,acme,onsite,Ann,30,a,b\n"
    data = make_portfolio(contacts=text)
    assert problems_of(data) == [
        f"{data}/contacts.csv:2: has 5 fields (expected 6: date,client,kind,staff,minutes,note)",
        f"{data}/contacts.csv:4: has 7 fields (expected 6: date,client,kind,staff,minutes,note)",
    ]


def test_missing_csv_column(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts="date,client,kind,staff,note\n2026-01-05,acme,onsite,Ann,ok\n")
    assert problems_of(data) == [
        f"{data}/contacts.csv:1: minutes: column is missing (expected header date,client,kind,staff,minutes,note)",
    ]


def test_misspelt_csv_column_suggests_the_column(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts="date,client,kind,staff,minute,note\n2026-01-05,acme,onsite,Ann,30,ok\n")
    assert problems_of(data) == [
        f"{data}/contacts.csv:1: minutes: column is missing (expected header date,client,kind,staff,minutes,note)",
        f"{data}/contacts.csv:1: minute: unknown column (expected date,client,kind,staff,minutes,note)"
        " — did you mean 'minutes'?",
    ]


def test_empty_csv_file(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts="")
    assert problems_of(data) == [
        f"{data}/contacts.csv:1: file is empty (expected the header date,client,kind,staff,minutes,note)",
    ]


def test_quoted_multiline_note_pushes_the_next_records_line(make_portfolio: MakePortfolio) -> None:
    text = f'{HEADER}\n2026-01-05,acme,onsite,Ann,30,"one\ntwo, and\n""three"""\n2026-01-06,acme,onsight,Ann,30,ok\n'
    data = make_portfolio(contacts=text)
    assert problems_of(data) == [
        f"{data}/contacts.csv:5: kind: 'onsight' is not a contact kind (expected onsite, remote, phone, email)"
        " — did you mean 'onsite'?",
    ]


def test_blank_lines_and_crlf_keep_physical_line_numbers(make_portfolio: MakePortfolio) -> None:
    text = f'{HEADER}\r\n\r\n2026-01-05,acme,onsite,Ann,30,"a\r\nb"\r\n\r\n2026-01-06,acme,onsigt,Ann,30,ok\r\n'
    data = make_portfolio(contacts=text)
    assert problems_of(data) == [
        f"{data}/contacts.csv:6: kind: 'onsigt' is not a contact kind (expected onsite, remote, phone, email)"
        " — did you mean 'onsite'?",
    ]


def test_csv_syntax_error_names_the_broken_records_line(make_portfolio: MakePortfolio) -> None:
    text = f'{HEADER}\n2026-01-05,acme,onsite,Ann,30,ok\n2026-01-06,acme,onsite,Ann,30,"bad"x\n'
    data = make_portfolio(contacts=text)
    assert problems_of(data) == [
        f"{data}/contacts.csv:3: not valid CSV (text after a quoted field's closing quote; a '\"' inside a quoted field is written '\"\"')",
    ]


def test_unterminated_csv_quote_names_the_line_it_starts_on(make_portfolio: MakePortfolio) -> None:
    text = f'{HEADER}\n2026-01-05,acme,onsite,Ann,30,ok\n2026-01-06,acme,onsite,Ann,30,"never closed\nmore\n'
    data = make_portfolio(contacts=text)
    assert problems_of(data) == [
        f"{data}/contacts.csv:3: not valid CSV (the quoted field that starts on line 3 is never closed, so where the rows after it"
        " end is unknown; a '\"' inside a quoted field is written '\"\"')",
    ]


# ---------------------------------------------------------------- responses/*.csv


def test_ratings_outside_one_to_five(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(overall="6"), response(response_id="r2", overall="0")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: overall: '6' is out of range (expected a whole number 1–5)",
        f"{data}/responses/review.csv:3: overall: '0' is out of range (expected a whole number 1–5)",
    ]


def test_rating_that_is_not_a_whole_number(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(overall="4.5")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: overall: '4.5' is not a whole number (expected a whole number 1–5)",
    ]


def test_nps_outside_zero_to_ten(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(recommend="11"), response(response_id="r2", recommend="-1")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: recommend: '11' is out of range (expected a whole number 0–10)",
        f"{data}/responses/review.csv:3: recommend: '-1' is negative (expected a whole number 0–10)",
    ]


def test_nps_that_is_not_a_whole_number(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(recommend="7.5"), response(response_id="r2", recommend="ten")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: recommend: '7.5' is not a whole number (expected a whole number 0–10)",
        f"{data}/responses/review.csv:3: recommend: 'ten' is not a whole number (expected a whole number 0–10)",
    ]


def test_rating_in_non_ascii_digits_is_a_problem_not_a_crash(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(overall="٣")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: overall: '٣' is not a whole number (expected a whole number 1–5)",
    ]


def test_choice_not_in_the_options_suggests_the_option(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(visits="Too much")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: visits: 'Too much' is not an option (expected Too few, About right, Too many)"
        " — did you mean 'Too many'?",
    ]


def test_multi_choice_part_not_in_the_options(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(areas="Helpdesk;Backup")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: areas: 'Backup' is not an option (expected some of Helpdesk, Backups, separated by ';')"
        " — did you mean 'Backups'?",
    ]


def test_answer_column_that_matches_no_question(make_portfolio: MakePortfolio) -> None:
    text = "response_id,client,submitted_at,overal\nr1,acme,2026-01-05T10:00:00Z,4\n"
    data = make_portfolio(responses={"review": text})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:1: overal: unknown column"
        " (expected response_id,client,submitted_at,overall,recommend,visits,areas,improve) — did you mean 'overall'?",
    ]


def test_duplicate_response_id(make_portfolio: MakePortfolio) -> None:
    rows = [response(), response(response_id="r2"), response(overall="5")]
    data = make_portfolio(responses={"review": rows})
    assert problems_of(data) == [f"{data}/responses/review.csv:4: response_id: duplicate 'r1' (first used on line 2)"]


def test_empty_response_id(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(response_id="")]})
    assert problems_of(data) == [f"{data}/responses/review.csv:2: response_id: is empty (expected a unique id)"]


def test_response_for_unknown_client_suggests_the_id(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(client="acm")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: client: 'acm' is not a client id"
        " (expected an id from clients.yaml, or empty for an anonymous response) — did you mean 'acme'?",
    ]


def test_submitted_at_without_offset_or_impossible(make_portfolio: MakePortfolio) -> None:
    rows = [response(submitted_at="2026-01-05 10:00"), response(response_id="r2", submitted_at="2026-02-30T10:00:00Z")]
    data = make_portfolio(responses={"review": rows})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: submitted_at: '2026-01-05 10:00' is not a timestamp with offset"
        " (expected YYYY-MM-DDTHH:MM:SS+HH:MM or …Z)",
        f"{data}/responses/review.csv:3: submitted_at: '2026-02-30T10:00:00Z' is not a real date and time"
        " (expected YYYY-MM-DDTHH:MM:SS+HH:MM or …Z)",
    ]


def test_empty_submitted_at(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(submitted_at="")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: submitted_at: is empty (expected YYYY-MM-DDTHH:MM:SS+HH:MM or …Z)",
    ]


def test_submitted_at_in_non_ascii_digits(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"review": [response(submitted_at="2026-01-05T10:00:00+0٥:00")]})
    assert problems_of(data) == [
        f"{data}/responses/review.csv:2: submitted_at: '2026-01-05T10:00:00+0٥:00' is not a timestamp with offset"
        " (expected YYYY-MM-DDTHH:MM:SS+HH:MM or …Z)",
    ]


def test_response_file_for_a_survey_that_does_not_exist(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(responses={"reveiw": "response_id,client,submitted_at\n"})
    assert problems_of(data) == [
        f"{data}/responses/reveiw.csv: no survey 'reveiw' (expected a matching surveys/reveiw.yaml)"
        " — did you mean 'review'?",
    ]


def test_responses_of_a_survey_with_problems_add_no_second_problem(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={"review": SURVEY_YAML.replace("title: Review", "title: ''")},
                          responses={"review": [response()]})
    assert problems_of(data) == [f"{data}/surveys/review.yaml:2: title: is empty (expected a value)"]


def test_responses_of_a_yml_survey_with_problems_add_no_second_problem(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(surveys={}, responses={"review": [response()]})
    (data / "surveys" / "review.yml").write_text(SURVEY_YAML.replace("title: Review", "title: ''"), encoding="utf-8")
    assert problems_of(data) == [f"{data}/surveys/review.yml:2: title: is empty (expected a value)"]


# ---------------------------------------------------------------- pages


def test_page_name_that_is_not_a_slug(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(pages={"About Us": "# About us\n"})
    assert problems_of(data) == [
        f"{data}/pages/About Us.md: 'About Us' is not a page name (expected lower-case letters, digits and '-')",
    ]


# ---------------------------------------------------------------- all problems together


def test_problems_in_several_files_are_reported_together_sorted_by_file_and_line(make_portfolio: MakePortfolio) -> None:
    contacts = [contact(kind="onsight")] + [contact() for _ in range(7)] + [contact(date="2026-02-30")]
    data = make_portfolio(
        site="business: {name: Test IT}\nbusines: {name: Other}\n",
        clients=CLIENTS_YAML.replace("pcs: 18", "pcs: -3"),
        contacts=contacts,
        surveys={"review": SURVEY, "other": SURVEY_YAML.replace("id: review", "id: other").replace("type: nps", "type: nsp")},
        responses={"review": [response(), response(response_id="r2", recommend="11")]},
    )
    expected = [
        f"{data}/clients.yaml:3: clients[0].pcs: '-3' is too small (expected at least 0)",
        f"{data}/contacts.csv:2: kind: 'onsight' is not a contact kind (expected onsite, remote, phone, email)"
        " — did you mean 'onsite'?",
        f"{data}/contacts.csv:10: date: '2026-02-30' is not a real date (expected YYYY-MM-DD)",
        f"{data}/responses/review.csv:3: recommend: '11' is out of range (expected a whole number 0–10)",
        f"{data}/site.yaml:2: busines: unknown key (expected one of {keys(Settings)})"
        " — did you mean 'business'?",
        f"{data}/surveys/other.yaml:5: questions[1].type: 'nsp' is not one of rating, nps, choice, multi, text"
        " — did you mean 'nps'?",
    ]
    with pytest.raises(DataError) as caught:
        load_portfolio(data)
    assert [str(problem) for problem in caught.value.problems] == expected
    assert str(caught.value) == "\n".join(expected)


def test_unreadable_clients_file_does_not_flood_every_row(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients="- id: acme\n  name: Acme\n pcs: 18\n", contacts=[contact(), contact(), contact()],
                          responses={"review": [response()]})
    assert problems_of(data) == [
        f"{data}/clients.yaml:3: not valid YAML: while parsing a block collection:"
        " expected <block end>, but found '<block mapping start>'",
    ]


def test_the_conftest_client_and_survey_are_valid(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=[CLIENT], contacts=[contact()], responses={"review": [response(overall="5")]})
    portfolio = load_portfolio(data)
    assert [c.id for c in portfolio.clients] == ["acme"]
