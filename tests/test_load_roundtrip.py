"""Round trips: tricky values survive loading exactly as written, and the frames keep their dtypes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from generator.load import load_portfolio
from tests.conftest import CLIENT, CONTACT_HEADER, SURVEY

MakePortfolio = Callable[..., Path]

TRICKY_TEXT = [
    "NA", "None", "null", "NO", "n/a", "#N/A", "NaN", "TRUE", "00123", "1e3", "-1", "+1", "@handle",
    "=SUM(A1)", "=cmd|' /C calc'!A0", "O'Brien & \"Sons\"", "Smith, Jones and Co", 'She said "fine", then left',
    "one\ntwo", "one\r\ntwo", "comma, \"quote\" and\nnewline",
    "Иванов и партнёры", "北京牙科诊所", "عيادة الأسنان", "🎉 thanks 👍🏽", "  leading and trailing  ", "\ttab",
]

TRICKY_NAMES = [
    "NA", "None", "null", "NO", "yes", "~ tilde", "=SUM(A1)", "O'Brien & \"Sons\"", "Иванов и партнёры",
    "北京牙科诊所", "عيادة الأسنان", "Smith, Jones\nand \"Co\"", "0x1F", "1e3", "2024-01-05", " spaced ",
]


def physical_lines(rows: list[list[str]]) -> list[int]:
    """The line each row starts on when written after a one-line header (a cell's newlines add lines)."""
    lines, line = [], 2
    for row in rows:
        lines.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    return lines


# ---------------------------------------------------------------- YAML


def test_tricky_client_names_survive(make_portfolio: MakePortfolio) -> None:
    clients = [dict(CLIENT, id=f"c{index}", name=name) for index, name in enumerate(TRICKY_NAMES)]
    data = make_portfolio(clients=clients + [dict(CLIENT, id="00123", name="Zeros")])
    portfolio = load_portfolio(data)
    assert {client.id: client.name for client in portfolio.clients} == {
        **{f"c{index}": name for index, name in enumerate(TRICKY_NAMES)}, "00123": "Zeros",
    }


HAND_WRITTEN_CLIENTS = """\
- id: 00123
  name: NO
  contact: {name: null, email: None, phone: 0123}
  pcs: 010
  servers: 1
  wan: no
  agreement: {start: 2024-03-01, term_months: 12, monthly_fee: 1450}
  notes: yes
- id: 0x1f
  name: 1e3
  pcs: 18
  servers: 1
  agreement:
    start: 2024-03-01
  ended: null
- id: 2024-01-05
  name: =SUM(A1)
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
  ended: ~
- id: obrien
  name: O'Brien & "Sons"
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
- id: ivanov
  name: Иванов и партнёры
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
- id: beijing
  name: 北京牙科诊所
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
- id: cairo
  name: عيادة الأسنان
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
- id: null
  name: null
  contact: {name: NA, phone: +1 555 0100}
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
  ended: 2026-06-30
- id: none
  name: None
  pcs: 18
  servers: 1
  agreement: {start: 2024-03-01}
"""

HAND_WRITTEN_SURVEY = """\
id: review
title: NO
questions:
  - {id: overall, type: rating, csat: true, label: Yes}
  - {id: visits, type: choice, options: [Yes, No, None, NA, null, 00123], label: Off}
  - {id: areas, type: multi, options: [On, Off, =SUM(A1)], label: y}
  - {id: improve, type: text, label: null}
"""


def test_hand_written_yaml_keeps_plain_scalars_as_text(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(
        site="business: {name: NO, phone: +1 555 0100}\nas_of: 2026-11-30\n",
        clients=HAND_WRITTEN_CLIENTS, surveys={"review": HAND_WRITTEN_SURVEY},
        contacts=[["2026-01-05", "00123", "onsite", "Ann", "30", "ok"], ["2026-01-05", "null", "phone", "Ann", "", ""]],
        responses={"review": "response_id,client,submitted_at,overall,visits,areas,improve\n"
                             "r1,00123,2026-01-05T10:00:00Z,5,No,=SUM(A1);Off,NO\n"
                             "r2,none,2026-01-05T10:00:00Z,,00123,,\n"},
    )
    portfolio = load_portfolio(data)

    assert portfolio.settings.business.name == "NO"
    assert portfolio.settings.business.phone == "+1 555 0100"
    assert portfolio.as_of == dt.date(2026, 11, 30)

    clients = {client.id: client for client in portfolio.clients}
    assert {client_id: client.name for client_id, client in clients.items()} == {
        "00123": "NO", "0x1f": "1e3", "2024-01-05": "=SUM(A1)", "obrien": "O'Brien & \"Sons\"",
        "ivanov": "Иванов и партнёры", "beijing": "北京牙科诊所", "cairo": "عيادة الأسنان", "null": "null", "none": "None",
    }
    zeros = clients["00123"]
    assert (zeros.contact.name, zeros.contact.email, zeros.contact.phone) == ("null", "None", "0123")
    assert zeros.pcs == 10  # a leading zero is decimal, not YAML 1.1 octal
    assert zeros.wan is False
    assert zeros.notes == "yes"
    assert zeros.agreement.start == dt.date(2024, 3, 1)
    assert zeros.agreement.monthly_fee == 1450
    assert clients["0x1f"].ended is None and clients["2024-01-05"].ended is None
    assert clients["null"].ended == dt.date(2026, 6, 30)
    assert (clients["null"].contact.name, clients["null"].contact.phone) == ("NA", "+1 555 0100")

    survey = portfolio.survey("review")
    assert survey.title == "NO"
    assert [q.label for q in survey.questions] == ["Yes", "Off", "y", "null"]
    assert survey.question("visits").options == ("Yes", "No", "None", "NA", "null", "00123")
    assert survey.question("areas").options == ("On", "Off", "=SUM(A1)")

    assert portfolio.contacts["client"].tolist() == ["00123", "null"]
    answers = portfolio.responses["review"]
    assert answers[["client", "visits", "areas", "improve"]].values.tolist() == [
        ["00123", "No", "=SUM(A1);Off", "NO"], ["none", "00123", "", ""],
    ]


# ---------------------------------------------------------------- contacts.csv


def test_tricky_contact_text_survives_with_its_line(make_portfolio: MakePortfolio) -> None:
    rows = [
        ["2026-01-05", "00123" if index % 2 else "acme", "onsite", text, "30", text]
        for index, text in enumerate(TRICKY_TEXT)
    ]
    data = make_portfolio(clients=[CLIENT, dict(CLIENT, id="00123", name="Zeros")], contacts=rows)
    contacts = load_portfolio(data).contacts
    assert contacts["staff"].tolist() == TRICKY_TEXT
    assert contacts["note"].tolist() == TRICKY_TEXT
    assert contacts["client"].tolist() == [row[1] for row in rows]
    assert contacts["line"].tolist() == physical_lines(rows)


RAW_CONTACTS = (
    "date,client,kind,staff,minutes,note\n"
    "2026-01-05,00123,onsite,NA,,None\n"
    '2026-01-06,00123,remote,null,0,"Said ""hi"", then left"\n'
    '2026-01-07,00123,phone,NO,015,"line one\n'
    'line two, still the note"\n'
    "2026-01-08,00123,email,=SUM(A1),+5,#N/A\n"
    "2026-01-09,00123,email,Иванов,5, spaced \n"
)


def test_hand_written_csv_keeps_unquoted_values_as_text(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(clients=[dict(CLIENT, id="00123")], contacts=RAW_CONTACTS)
    contacts = load_portfolio(data).contacts
    assert contacts["client"].tolist() == ["00123"] * 5
    assert contacts["staff"].tolist() == ["NA", "null", "NO", "=SUM(A1)", "Иванов"]
    assert contacts["note"].tolist() == [
        "None", 'Said "hi", then left', "line one\nline two, still the note", "#N/A", " spaced ",
    ]
    assert contacts["minutes"].tolist() == [pd.NA, 0, 15, 5, 5]
    assert contacts["line"].tolist() == [2, 3, 4, 6, 7]


def test_contacts_frame_dtypes(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[
        ["2026-01-05", "acme", "onsite", "Ann", "30", "n"], ["2026-02-28", "acme", "email", "Bo", "", ""],
    ])
    contacts = load_portfolio(data).contacts
    assert list(contacts.columns) == [*CONTACT_HEADER, "line"]
    assert pd.api.types.is_datetime64_dtype(contacts["date"])
    assert contacts["date"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-02-28")]
    assert contacts["minutes"].dtype == "Int64"
    assert contacts["minutes"].iloc[0] == 30
    assert contacts["minutes"].iloc[1] is pd.NA
    assert contacts["line"].dtype == "int64"
    assert contacts["note"].tolist() == ["n", ""]


def test_empty_contacts_frame_has_the_same_columns_and_dtypes(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(contacts=[])
    contacts = load_portfolio(data).contacts
    assert contacts.empty
    assert list(contacts.columns) == [*CONTACT_HEADER, "line"]
    assert pd.api.types.is_datetime64_dtype(contacts["date"])
    assert contacts["minutes"].dtype == "Int64"


# ---------------------------------------------------------------- responses/*.csv


def test_tricky_free_text_answers_survive_with_their_line(make_portfolio: MakePortfolio) -> None:
    rows = [
        {"response_id": f"r{index}", "client": "" if index % 3 == 0 else "00123",
         "submitted_at": "2026-01-05T10:00:00Z", "improve": text}
        for index, text in enumerate(TRICKY_TEXT)
    ]
    data = make_portfolio(clients=[CLIENT, dict(CLIENT, id="00123", name="Zeros")], responses={"review": rows})
    answers = load_portfolio(data).responses["review"]
    assert answers["improve"].tolist() == TRICKY_TEXT
    assert answers["client"].tolist() == [row["client"] for row in rows]
    assert answers["response_id"].tolist() == [row["response_id"] for row in rows]
    assert answers["line"].tolist() == physical_lines([[row["improve"]] for row in rows])


def test_tricky_response_ids_survive(make_portfolio: MakePortfolio) -> None:
    ids = ["00123", "NA", "None", "null", "=SUM(A1)", "a,b", "ответ-1"]
    rows = [{"response_id": rid, "client": "", "submitted_at": "2026-01-05T10:00:00Z", "overall": "4"} for rid in ids]
    portfolio = load_portfolio(make_portfolio(responses={"review": rows}))
    assert portfolio.responses["review"]["response_id"].tolist() == ids
    assert portfolio.scores["response_id"].tolist() == ids


def test_responses_frame_columns_and_dtypes(make_portfolio: MakePortfolio) -> None:
    rows = [
        {"response_id": "r1", "client": "acme", "submitted_at": "2026-01-05T23:30:00-05:00",
         "overall": "5", "recommend": "9", "visits": "About right", "areas": "Helpdesk;Backups", "improve": ""},
        {"response_id": "r2", "client": "", "submitted_at": "2026-01-06T00:30:00+09:00", "recommend": "0"},
    ]
    portfolio = load_portfolio(make_portfolio(responses={"review": rows}))
    answers = portfolio.responses["review"]
    question_ids = [question["id"] for question in SURVEY["questions"]]
    assert list(answers.columns) == ["response_id", "client", "submitted_at", "date", *question_ids, "line"]
    # the date is the calendar date written in submitted_at, not the UTC date
    assert pd.api.types.is_datetime64_dtype(answers["date"])
    assert answers["date"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-06")]
    assert answers["submitted_at"].tolist() == ["2026-01-05T23:30:00-05:00", "2026-01-06T00:30:00+09:00"]
    assert answers["overall"].tolist() == ["5", ""]
    assert answers["areas"].tolist() == ["Helpdesk;Backups", ""]
    assert answers["line"].tolist() == [2, 3]

    scores = portfolio.scores
    assert scores[["response_id", "question", "type", "csat", "score"]].values.tolist() == [
        ["r1", "overall", "rating", True, 5.0], ["r1", "recommend", "nps", False, 9.0], ["r2", "recommend", "nps", False, 0.0],
    ]
    assert pd.api.types.is_datetime64_dtype(scores["date"])
    assert scores["score"].dtype == "float64"
    assert scores["csat"].dtype == "bool"


def test_question_added_after_responses_is_unanswered(make_portfolio: MakePortfolio) -> None:
    text = "response_id,client,submitted_at,overall\nr1,acme,2026-01-05T10:00:00Z,4\n"
    answers = load_portfolio(make_portfolio(responses={"review": text})).responses["review"]
    assert answers[["overall", "recommend", "improve"]].values.tolist() == [["4", "", ""]]


def test_empty_responses_frame_has_the_documented_columns(make_portfolio: MakePortfolio) -> None:
    answers = load_portfolio(make_portfolio()).responses["review"]
    question_ids = [question["id"] for question in SURVEY["questions"]]
    assert answers.empty
    assert list(answers.columns) == ["response_id", "client", "submitted_at", "date", *question_ids, "line"]
    assert pd.api.types.is_datetime64_dtype(answers["date"])
