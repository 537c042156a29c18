"""The metrics frames as python rows, grouped by client once, for every chart and page to share.

Converting a frame costs one `tolist()` per column; looking rows up per client with `.loc`
in a loop costs ~2 ms a client. So every frame the dashboards read is converted here, once.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from generator.charts.responses import Response as Response  # re-exported: the pages take it from here
from generator.charts.responses import responses_of
from generator.memo import NO_MEMO, Memo, held_for
from generator.metrics import Reports
from generator.metrics.table import records
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
    comments: list[Comment]               # Reports.comments rows, newest first, as the pages take them

    def name(self, client_id: str) -> str:
        """The client's name ('' for an anonymous response)."""
        row = self.by_id.get(client_id)
        return row["name"] if row else ""


# A written answer as its pages take it: survey, question, response id, client ('' when anonymous), ISO day,
# text, scores ((question id, score), …), NPS/CSAT bands, client name. A tuple of strings pickles fast:
# an archive page's rows are digested by every rebuild (generator/render/plan.py `ValueInputs`).
Comment = tuple[str, str, str, str, str, str, tuple[tuple[str, int], ...], str, str]

def grouped(frame: pd.DataFrame, row_type: type[Row], key: str = "client") -> dict[str, list[Row]]:
    """Rows of `row_type` (a NamedTuple) per value of `key`, in frame order."""
    # what row_type._make does to each row, without a Python call per row (60,000 rows at 1,000 clients)
    make = functools.partial(tuple.__new__, row_type)  # type: ignore[type-var]  # Row is a NamedTuple class, a tuple
    rows: list[Row] = list(map(make, zip(*(frame[column].tolist() for column in row_type._fields))))  # type: ignore[attr-defined]  # a NamedTuple class
    return split(rows, frame[key].to_numpy())


def split(items: list[Row], keys: np.ndarray) -> dict[str, list[Row]]:
    """`items` per key (`keys[i]` is item i's), keys in the order they first appear, items in list order.

    One stable sort of the keys' codes and a slice per key, instead of a dict look-up per item.
    """
    if not len(items):
        return {}
    codes, uniques = pd.factorize(keys, sort=False)
    order = np.argsort(codes, kind="stable")
    if (order != np.arange(len(order))).any():  # a frame sorted by its key (most are) keeps its list
        items = [items[position] for position in order.tolist()]
    ends = np.cumsum(np.bincount(codes, minlength=len(uniques))).tolist()
    return {key: items[start:end] for key, start, end in zip(uniques.tolist(), [0, *ends[:-1]], ends)}


def build_data(portfolio: Portfolio, reports: Reports, memo: Memo = NO_MEMO) -> DashboardData:
    """Convert the frames once (each survey's responses held in `memo` for the next build of this process)."""
    rows = records(reports.clients)
    by_id = {row["id"]: row for row in rows}
    for client in portfolio.clients:
        by_id[client.id]["client"] = client
    responses, by_client = responses_of(portfolio, reports.superseded, memo)
    return DashboardData(
        as_of=reports.as_of, minimum=int(reports.portfolio["min_responses"]), clients=rows, by_id=by_id,
        # the contact figures the memo kept are the same frame while contacts.csv is unchanged (metrics/contact.py)
        months=held_for(memo, "chart-months", reports.monthly_contacts, lambda: grouped(reports.monthly_contacts, MonthRow)),
        quarters=grouped(reports.quarterly, QuarterRow),
        means=grouped(reports.question_means, MeanRow), responses=responses, by_client_responses=by_client,
        comments=_comments(reports, by_id),
    )


def _comments(reports: Reports, by_id: dict[str, dict[str, Any]]) -> list[Comment]:
    """The free-text answers as `Comment`s, a column at a time."""
    frame = reports.comments
    clients = [client or "" for client in frame["client"].tolist()]
    names = {client: by_id[client]["name"] if client in by_id else "" for client in set(clients)}
    names[""] = ""
    # a response's scores are one dict shared by its answers (metrics/answers.py), and a few hundred days recur
    scores: dict[int, tuple[tuple[str, int], ...]] = {}
    pairs = [scores[id(made)] if id(made) in scores else scores.setdefault(id(made), tuple(made.items()))
             for made in frame["scores"].tolist()]
    dates = frame["date"].tolist()
    days = {day: day.isoformat() for day in set(dates)}
    return list(zip(frame["survey"].tolist(), frame["question"].tolist(), frame["response_id"].tolist(), clients,
                    [days[day] for day in dates], frame["text"].tolist(), pairs, frame["bands"].tolist(),
                    [names[client] for client in clients]))
