"""CSV exports of the client table, contacts per month and every response (one file per survey),
linked from each page.

UTF-8 with a BOM so Excel opens accents correctly, CRLF line ends. A *text* cell that a
spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) gets a
leading `'`; numbers stay numbers, so `-50.0` NPS is still a number. Text that already starts
with `'` gets one too (spreadsheets hide the first), so removing one leading `'` from any
prefixed cell always gives back exactly what was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from generator.charts.data import DashboardData
from generator.csv_text import spreadsheet_text
from generator.metrics import Reports
from generator.model import Survey
from generator.portfolio import Portfolio

NUMERIC_QUESTIONS = ("rating", "nps")


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


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], prepared: bool = False) -> bytes:
    """The rows as CSV: BOM, CRLF, every field through `cell` (unless the rows are `prepared` already)."""
    buffer = io.StringIO()
    # CRLF as the terminator also makes the writer quote a lone carriage return inside a field
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    writer.writerows(rows if prepared else (list(map(cell, row)) for row in rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def column_cells(frame: pd.DataFrame, column: str) -> list[Any]:
    """A frame column as written cells: integers as they are, the rest through `cell`."""
    series = frame[column]
    if pd.api.types.is_integer_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.tolist()
    return list(map(cell, series.tolist()))


def clients_csv(data: DashboardData, reports: Reports) -> bytes:
    """One row per client: contact and agreement, then every column of the metrics table."""
    # the figures behind each risk reason are for `report --json`; the reasons say them in words here
    columns = [c for c in reports.clients.columns if c not in ("id", "name", "risk_figures")]
    header = ["id", "name", "contact_name", "contact_email", "contact_phone", "monthly_fee", "term_months", *columns]
    rows = []
    for row in data.clients:
        client = row["client"]
        rows.append([row["id"], row["name"], client.contact.name, client.contact.email, client.contact.phone,
                     client.agreement.monthly_fee, client.agreement.term_months, *(row[c] for c in columns)])
    return csv_bytes(header, rows)


def contacts_csv(data: DashboardData, reports: Reports) -> bytes:
    """One row per client and month: contacts by kind and on-site visits against the targets."""
    frame = reports.monthly_contacts
    columns = list(frame.columns)
    names = {client: cell(data.name(client)) for client in set(frame["client"].tolist())}
    cells = [column_cells(frame, column) for column in columns]
    rows = [[values[0], names[client], *values[1:]] for client, values in zip(frame["client"].tolist(), zip(*cells))]
    return csv_bytes([columns[0], "client_name", *columns[1:]], rows, prepared=True)


def responses_csv(survey: Survey, data: DashboardData) -> bytes:
    """One row per response to the survey dated on or before A, oldest first, one column per question.

    The columns of `data/responses/<survey>.csv`, with the client's name and the response's date;
    rating and NPS answers are numbers, an unanswered question is an empty cell.
    """
    header = ["response_id", "client", "client_name", "submitted_at", "date", *(q.id for q in survey.questions)]
    numeric = [q.type in NUMERIC_QUESTIONS for q in survey.questions]
    rows = [
        [*map(cell, (response.response_id, response.client, data.name(response.client), response.submitted_at, response.date)),
         *(("" if value == "" else int(value) if number else cell(value)) for value, number in zip(response.values, numeric))]
        for response in reversed(data.responses.get(survey.id, []))  # oldest first
    ]
    return csv_bytes(header, rows, prepared=True)


def export_links(portfolio: Portfolio) -> list[tuple[str, str]]:
    """(path under dashboard/, label) of every export, for the pages' footer."""
    return [("exports/clients.csv", "client table"), ("exports/contacts-per-month.csv", "contacts per month"),
            *((f"exports/responses-{s.id}.csv", f"responses: {s.title}") for s in portfolio.surveys)]


def export_makers(
    portfolio: Portfolio, reports: Reports, data: DashboardData,
) -> list[tuple[str, Callable[[], bytes], tuple[str, ...] | None]]:
    """(path under dashboard/, how to make it, the data frames it is made from; None: the metrics) of every export.

    An export made from whole frames only depends on them, the client records (for names), the
    settings, the surveys and the report date, so a rebuild can reuse it (generator/render/plan.py).
    """
    return [
        ("exports/clients.csv", lambda: clients_csv(data, reports), None),
        ("exports/contacts-per-month.csv", lambda: contacts_csv(data, reports), ("contacts",)),
        *((f"exports/responses-{s.id}.csv", functools.partial(responses_csv, s, data), (f"responses/{s.id}",))
          for s in portfolio.surveys),
    ]
