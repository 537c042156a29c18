"""CSV exports of the client table, contacts per month and every response (one file per survey),
linked from each page.

UTF-8 with a BOM so Excel opens accents correctly, CRLF line ends. A *text* cell that a
spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) gets a
leading `'`; numbers stay numbers, so `-50.0` NPS is still a number. Text that already starts
with `'` gets one too (spreadsheets hide the first), so removing one leading `'` from any
prefixed cell always gives back exactly what was written.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from generator.charts.data import DashboardData
from generator.csv_text import spreadsheet_text, spreadsheet_texts
from generator.metrics import Reports
from generator.model import Survey
from generator.portfolio import Portfolio

NUMERIC_QUESTIONS = ("rating", "nps")
# what makes the csv module quote a field when the line end is CRLF: the delimiter, the quote
# character or either line-end character (so a lone carriage return inside a field is quoted too)
NEEDS_QUOTES = re.compile('[,"\r\n]')
# a column of one of these types is converted once per distinct value: their equal values write
# the same (not so floats: 0.0 == -0.0, and NaN is unequal to itself)
PLAIN_TYPES = frozenset((str, int, bool, dt.date, dt.datetime, type(None)))
FLOAT_OR_NONE = frozenset((float, type(None)))
BOM = "\ufeff".encode()
T = TypeVar("T")


def cell(value: Any) -> Any:
    """One value as written: numbers as they are, dates ISO, lists joined, formula-like text defused."""
    if type(value) is str:  # the common case first: a million cells in a large export
        return spreadsheet_text(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(item) for item in value)
    return spreadsheet_text(str(value))


def field(written: Any) -> str:
    """A written cell (from `cell`) as the csv module writes it: quoted, and its quotes doubled, where needed."""
    text = written if type(written) is str else str(written)
    if NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def fields(values: Sequence[Any]) -> list[str]:
    """A column's values as CSV fields, each through `cell` and `field`.

    The same client, date or answer recurs thousands of times in a large export, so a column
    of plain types (or of figures) is converted once per distinct value.
    """
    kinds = set(map(type, values))
    if kinds == {float}:  # a number is never quoted; NaN is an empty cell
        return ["" if value != value else str(value) for value in values]
    if kinds == {str}:
        distinct = list(set(values))
        if len(distinct) * 2 > len(values):
            return text_fields(values)
        table = dict(zip(distinct, text_fields(distinct)))
        return [table[value] for value in values]
    if kinds <= FLOAT_OR_NONE:  # a figure or none (an empty cell), the metrics table's commonest columns
        return ["" if value is None or value != value else str(value) for value in values]
    if kinds <= PLAIN_TYPES and not kinds >= {int, bool}:  # (1 and True are one key, but write differently)
        table = {value: field(cell(value)) for value in set(values)}
        return [table[value] for value in values]
    if kinds <= {list, tuple}:  # reasons and issues, written joined (as `cell` does): most clients share a few
        joined = ["; ".join(map(str, value)) for value in values]
        table = {text: field(spreadsheet_text(text)) for text in set(joined)}
        return [table[text] for text in joined]
    return [field(cell(value)) for value in values]


def series_fields(series: pd.Series) -> list[str]:
    """A frame column as CSV fields (`fields`); an integer, boolean or text column is converted once
    per distinct value, found by pandas (a float or object column may hold values that compare
    equal but write differently: 0.0 and -0.0, 1 and True)."""
    if series.dtype == object or not (pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)
                                      or pd.api.types.is_string_dtype(series.dtype)):
        return fields(series.tolist())
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    return taken(fields(distinct.tolist()), codes)


def taken(table: Sequence[str], codes: Any) -> list[str]:
    """`table[code]` for each code of an integer array."""
    return np.array(table, dtype=object)[codes].tolist()  # type: ignore[no-any-return]  # an object array's tolist


def text_fields(texts: Sequence[str]) -> list[str]:
    """Texts as CSV fields: each through the formula guard, and quoted where needed (rarely: one scan finds out)."""
    guarded = spreadsheet_texts(texts)
    if NEEDS_QUOTES.search("".join(guarded)):
        return list(map(field, guarded))
    return guarded


def csv_table(header: Sequence[str], columns: Sequence[Sequence[str]]) -> bytes:
    """CSV of columns of fields (from `fields`): BOM, the header, then one CRLF-ended line per row."""
    return csv_lines(header, list(map(",".join, zip(*columns))))


def csv_lines(header: Sequence[str], rows: list[str]) -> bytes:
    """`csv_table` of its rows' lines (each a row's fields joined by commas)."""
    lines = [",".join(fields(header)), *rows]
    if len(header) == 1:  # the csv module quotes a lone empty field, so that its line is not blank
        lines = [line or '""' for line in lines]
    lines.append("")  # the last line's CRLF, joined in: a text of megabytes added to is copied whole
    return BOM + "\r\n".join(lines).encode("utf-8")


def kept_lines(held: dict[str, Any], context: object, header: Sequence[str], items: Sequence[T],
               key: Callable[[T], Hashable], lines: Callable[[Sequence[T]], list[list[str]]]) -> bytes:
    """`csv_lines` of each item's lines (`lines` gives those of several items), those of an item taken from the last
    build's when it made them under an equal key and `context` (what every line is made from besides its item's key).

    `held` keeps each build's lines for the next (`rapport serve`): a new response changes the lines of one client.
    A line is a function of its fields alone (`fields` converts each value on its own), so lines made apart are the
    lines a column of every item gives. A key is compared by value: bytes, texts and tuples of them.
    """
    before: dict[Hashable, list[str]] = held.get("lines", {}) if held.get("context") == context else {}
    keys = [key(item) for item in items]
    made: list[list[str] | None] = [before.get(each) for each in keys]
    missing = [index for index, found in enumerate(made) if found is None]
    for index, found in zip(missing, lines([items[index] for index in missing])):
        made[index] = found
    held.clear()
    held.update(context=context, lines={each: found for each, found in zip(keys, made) if found is not None})
    return csv_lines(header, [line for found in made if found is not None for line in found])


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The rows as CSV: BOM, CRLF, every value through `cell`; the bytes the csv module writes."""
    columns = list(zip(*rows, strict=True))
    return csv_table(header, [fields(column) for column in columns] if columns else [])


def clients_csv(data: DashboardData, reports: Reports, held: dict[str, Any] | None = None,
                key: Callable[[dict[str, Any]], Hashable] | None = None) -> bytes:
    """One row per client: contact and agreement, then every column of the metrics table.

    With `held` (`kept_lines`), the line of a client whose `key` (its row and record) is as in the last build is
    taken from there."""
    # the figures behind each risk reason are for `report --json`; the reasons say them in words here
    columns = [c for c in reports.clients.columns if c not in ("id", "name", "risk_figures")]
    header = ["id", "name", "contact_name", "contact_email", "contact_phone", "monthly_fee", "term_months", *columns]

    def made(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
        clients = [row["client"] for row in rows]
        values = [
            [row["id"] for row in rows], [row["name"] for row in rows],
            [client.contact.name for client in clients], [client.contact.email for client in clients],
            [client.contact.phone for client in clients], [client.agreement.monthly_fee for client in clients],
            [client.agreement.term_months for client in clients], *([row[c] for row in rows] for c in columns),
        ]
        return [fields(column) for column in values]

    if held is None or key is None:
        return csv_table(header, made(data.clients))
    return kept_lines(held, tuple(header), header, data.clients, key,
                      lambda rows: [[line] for line in map(",".join, zip(*made(rows)))])


def contacts_csv(data: DashboardData, reports: Reports) -> bytes:
    """One row per client and month: contacts by kind and on-site visits against the targets."""
    frame = reports.monthly_contacts
    columns = list(frame.columns)
    codes, clients = pd.factorize(frame[columns[0]], use_na_sentinel=False)
    first = [taken(fields(clients.tolist()), codes), taken(fields([data.name(client) for client in clients.tolist()]), codes)]
    return csv_table([columns[0], "client_name", *columns[1:]], [*first, *(series_fields(frame[c]) for c in columns[1:])])


def responses_csv(survey: Survey, data: DashboardData) -> bytes:
    """One row per response to the survey dated on or before A, oldest first, one column per question.

    The columns of `data/responses/<survey>.csv`, with the client's name and the response's date;
    rating and NPS answers are numbers, an unanswered question is an empty cell.
    """
    header = ["response_id", "client", "client_name", "submitted_at", "date", *(q.id for q in survey.questions)]
    responses = data.responses.get(survey.id, [])[::-1]  # oldest first
    clients = [response.client for response in responses]
    names = {client: data.name(client) for client in set(clients)}
    columns = [fields([r.response_id for r in responses]), fields(clients), fields([names[c] for c in clients]),
               fields([r.submitted_at for r in responses]), fields([r.date for r in responses])]
    for index, question in enumerate(survey.questions):
        answers = [response.values[index] for response in responses]
        if question.type in NUMERIC_QUESTIONS:
            table = {value: "" if value == "" else str(int(value)) for value in set(answers)}
            columns.append([table[value] for value in answers])
        else:
            columns.append(fields(answers))
    return csv_table(header, columns)


def export_links(portfolio: Portfolio) -> list[tuple[str, str]]:
    """(path under dashboard/, label) of every export, for the pages' footer."""
    return [("exports/clients.csv", "client table"), ("exports/contacts-per-month.csv", "contacts per month"),
            *((f"exports/responses-{s.id}.csv", f"responses: {s.title}") for s in portfolio.surveys)]


def export_makers(
    portfolio: Portfolio, reports: Reports, data: DashboardData, held: dict[str, Any] | None = None,
    key: Callable[[dict[str, Any]], Hashable] | None = None,
) -> list[tuple[str, Callable[[], bytes], tuple[str, ...] | None]]:
    """(path under dashboard/, how to make it, the data frames it is made from; None: the metrics) of every export.

    An export made from whole frames only depends on them, the client records (for names), the
    settings, the surveys and the report date, so a rebuild can reuse it (generator/render/plan.py).
    `held` and `key`: the client table's lines of the last build and what each client's is made from (`clients_csv`).
    """
    return [
        ("exports/clients.csv", lambda: clients_csv(data, reports, held, key), None),
        ("exports/contacts-per-month.csv", lambda: contacts_csv(data, reports), ("contacts",)),
        *((f"exports/responses-{s.id}.csv", functools.partial(responses_csv, s, data), (f"responses/{s.id}",))
          for s in portfolio.surveys),
    ]
