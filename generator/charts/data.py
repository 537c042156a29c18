"""The metrics frames as python rows, grouped by client once, for every chart and page to share.

Converting a frame costs one `tolist()` per column; looking rows up per client with `.loc`
in a loop costs ~2 ms a client. So every frame the dashboards read is converted here, once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import pandas as pd

from generator.metrics import Reports
from generator.model import Question, Survey
from generator.portfolio import Portfolio

Row = TypeVar("Row")


class MonthRow(NamedTuple):
    """One client month of `Reports.monthly_contacts`."""

    month: str
    onsite: int
    remote: int
    phone: int
    email: int
    total: int
    onsite_min: int
    onsite_typical: int
    counted: bool
    below_min: bool


class QuarterRow(NamedTuple):
    """One client quarter of `Reports.quarterly`."""

    quarter: str
    responses: int
    nps: float
    nps_n: int
    nps_indicative: bool
    csat: float
    csat_n: int
    csat_indicative: bool


class MeanRow(NamedTuple):
    """One (client,) quarter, survey and rating question of `Reports.question_means`."""

    quarter: str
    survey: str
    question: str
    mean: float
    n: int
    indicative: bool


@dataclass(frozen=True, slots=True)  # slots: 200,000 of them at 10,000 clients, ~250 bytes each saved
class Response:
    """One response dated on or before A: its answers in the survey's question order ('' = unanswered)."""

    survey: Survey
    response_id: str
    client: str
    date: dt.date
    submitted_at: str
    values: tuple[str, ...]
    replaced_by: str = ""  # the later answer through the same link this round (generator/metrics/rounds.py)

    def answers(self) -> list[tuple[Question, str]]:
        """(question, answer) pairs, in the survey's order."""
        return list(zip(self.survey.questions, self.values))


@dataclass(frozen=True)
class DashboardData:
    """Everything the dashboard pages read, as python values."""

    as_of: dt.date
    minimum: int                          # targets.min_responses: below it a figure is indicative
    clients: list[dict[str, Any]]         # Reports.clients rows (id order) plus "client": the Client record
    by_id: dict[str, dict[str, Any]]
    months: dict[str, list[MonthRow]]     # per client, oldest first
    quarters: dict[str, list[QuarterRow]]
    means: dict[str, list[MeanRow]]
    responses: dict[str, list[Response]]  # per survey id, newest first; anonymous ones included
    by_client_responses: dict[str, list[Response]]
    comments: list[dict[str, Any]]        # Reports.comments rows, newest first

    def name(self, client_id: str) -> str:
        """The client's name ('' for an anonymous response)."""
        row = self.by_id.get(client_id)
        return row["name"] if row else ""


def grouped(frame: pd.DataFrame, row_type: type[Row], key: str = "client") -> dict[str, list[Row]]:
    """Rows of `row_type` (a NamedTuple) per value of `key`, in frame order."""
    groups: dict[str, list[Row]] = defaultdict(list)
    rows = map(row_type._make, zip(*(frame[column].tolist() for column in row_type._fields)))  # type: ignore[attr-defined]  # a NamedTuple class
    for client, row in zip(frame[key].tolist(), rows):
        groups[client].append(row)
    return dict(groups)


def build_data(portfolio: Portfolio, reports: Reports) -> DashboardData:
    """Convert the frames once."""
    frame = reports.clients  # a column's tolist() gives the python values to_dict("records") would, 5× faster
    columns = [str(column) for column in frame.columns]
    records: list[dict[str, Any]] = [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in frame.columns))]
    by_id = {row["id"]: row for row in records}
    for client in portfolio.clients:
        by_id[client.id]["client"] = client
    responses = _responses(portfolio, reports)
    by_client: dict[str, list[Response]] = defaultdict(list)
    for items in responses.values():
        for response in items:
            if response.client:
                by_client[response.client].append(response)
    for items in by_client.values():
        items.sort(key=lambda r: (r.date, r.submitted_at, r.survey.id, r.response_id), reverse=True)
    return DashboardData(
        as_of=reports.as_of, minimum=int(reports.portfolio["min_responses"]), clients=records, by_id=by_id,
        months=grouped(reports.monthly_contacts, MonthRow), quarters=grouped(reports.quarterly, QuarterRow),
        means=grouped(reports.question_means, MeanRow), responses=responses, by_client_responses=dict(by_client),
        comments=_comments(reports),
    )


def _comments(reports: Reports) -> list[dict[str, Any]]:
    """The free-text answers as dicts; a missing score is None (never NaN)."""
    frame = reports.comments
    columns = list(frame.columns)
    rows = [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))]
    for row in rows:
        for key in ("nps", "csat"):
            value = row[key]
            row[key] = None if value is None or value != value else int(value)
    return rows


def _responses(portfolio: Portfolio, reports: Reports) -> dict[str, list[Response]]:
    """Per survey, its responses dated on or before A, newest first; a replaced one says by which."""
    replaced = dict(zip(zip(reports.superseded["survey"].tolist(), reports.superseded["response_id"].tolist()),
                        reports.superseded["replaced_by"].tolist()))
    limit = pd.Timestamp(portfolio.as_of)
    found: dict[str, list[Response]] = {}
    for survey in portfolio.surveys:
        frame = portfolio.responses.get(survey.id)
        if frame is None or frame.empty:
            found[survey.id] = []
            continue
        frame = frame[frame["date"] <= limit]
        dates = frame["date"].to_numpy().astype("datetime64[D]").astype(object).tolist()
        columns = [frame[q.id].tolist() if q.id in frame.columns else [""] * len(frame) for q in survey.questions]
        items = [
            Response(survey, response_id, client, day, submitted, values, replaced.get((survey.id, response_id), ""))
            for response_id, client, submitted, day, values in zip(
                frame["response_id"].tolist(), frame["client"].tolist(), frame["submitted_at"].tolist(),
                dates, zip(*columns) if columns else [()] * len(frame))
        ]
        items.sort(key=lambda r: (r.date, r.submitted_at, r.response_id), reverse=True)
        found[survey.id] = items
    return found
