"""The metrics frames as python rows, grouped by client once, for every chart and page to share.

Converting a frame costs one `tolist()` per column; looking rows up per client with `.loc`
in a loop costs ~2 ms a client. So every frame the dashboards read is converted here, once.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd

from generator.digests import digest
from generator.memo import NO_MEMO, Memo, held_for
from generator.metrics import Reports
from generator.metrics.table import records
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


# Response's slots, each set by its descriptor: `Response(...)` sets them through the frozen class's
# object.__setattr__ look-ups, 2.5 µs a response (20,000 a build at 1,000 clients); this takes half the time
_SURVEY, _ID, _CLIENT, _DATE, _SUBMITTED, _VALUES, _REPLACED_BY = (getattr(Response, name).__set__ for name in (
    "survey", "response_id", "client", "date", "submitted_at", "values", "replaced_by"))
assert tuple(Response.__dataclass_fields__) == ("survey", "response_id", "client", "date", "submitted_at", "values", "replaced_by")


def new_response(survey: Survey, response_id: str, client: str, date: dt.date, submitted_at: str,
                 values: tuple[str, ...], replaced_by: str) -> Response:
    """`Response(...)` of these fields, made faster: an equal object, with the same pickle."""
    response: Response = object.__new__(Response)
    _SURVEY(response, survey)
    _ID(response, response_id)
    _CLIENT(response, client)
    _DATE(response, date)
    _SUBMITTED(response, submitted_at)
    _VALUES(response, values)
    _REPLACED_BY(response, replaced_by)
    return response


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

# the order of responses, newest first: keys read in C (attrgetter), as a Python key function per response costs more
NEWEST_IN_SURVEY = attrgetter("date", "submitted_at", "response_id")  # a response id is unique in its file
NEWEST = attrgetter("date", "submitted_at", "survey.id", "response_id")
NEWEST_MOMENT = attrgetter("date", "submitted_at")


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
    responses, by_client = _responses(portfolio, reports, memo)
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


def _responses(portfolio: Portfolio, reports: Reports,
               memo: Memo = NO_MEMO) -> tuple[dict[str, list[Response]], dict[str, list[Response]]]:
    """Per survey, its responses dated on or before A, newest first, a replaced one saying by which; and per
    client, its responses to every survey, newest first.

    Each survey's list is held in `memo` for this process's next build (`rapport serve`): a new response
    to one survey leaves the others' as they were.
    """
    superseded = reports.superseded
    replaced: dict[str, dict[str, str]] = defaultdict(dict)
    for survey_id, response_id, later in zip(superseded["survey"].tolist(), superseded["response_id"].tolist(),
                                             superseded["replaced_by"].tolist()):
        replaced[survey_id][response_id] = later
    found: dict[str, list[Response]] = {}
    by_client: dict[str, list[Response]] = defaultdict(list)
    for survey in portfolio.surveys:
        frame = portfolio.responses.get(survey.id)
        if frame is None or frame.empty:
            found[survey.id] = []
            continue
        mine = replaced.get(survey.id, {})
        # what the list is a function of: the survey, every row of its file, the report date and the answers replaced
        key = [survey.model_dump_json().encode(), digest(portfolio.hashes(f"responses/{survey.id}").tobytes()),
               portfolio.as_of.isoformat().encode(), "\x00".join(f"{k}\x00{v}" for k, v in sorted(mine.items())).encode()]
        name = f"chart-responses-{survey.id}"
        items = memo.held(name, key)
        if items is None:
            items = _survey_responses(survey, frame, pd.Timestamp(portfolio.as_of), mine)
            memo.hold(name, key, items)
        found[survey.id] = items
    # each survey's responses in the order of NEWEST_IN_SURVEY, the surveys by id from the last: a stable sort by date
    # and time alone then leaves responses of one moment in the order of survey id and response id, newest first —
    # NEWEST's order, without its look-up of each response's survey id
    for survey_id in sorted(found, reverse=True):
        for response in found[survey_id]:
            if response.client:
                by_client[response.client].append(response)
    for named in by_client.values():
        named.sort(key=NEWEST_MOMENT, reverse=True)
    return found, dict(by_client)


def _survey_responses(survey: Survey, frame: pd.DataFrame, limit: pd.Timestamp, replaced: dict[str, str]) -> list[Response]:
    """The survey's responses dated on or before `limit`, newest first; `replaced`: response id → the later answer."""
    frame = frame[frame["date"] <= limit]
    dates = frame["date"].to_numpy().astype("datetime64[D]").astype(object).tolist()
    columns = [frame[q.id].tolist() if q.id in frame.columns else [""] * len(frame) for q in survey.questions]
    items = [
        new_response(survey, response_id, client, day, submitted, values, replaced.get(response_id, "") if replaced else "")
        for response_id, client, submitted, day, values in zip(
            frame["response_id"].tolist(), frame["client"].tolist(), frame["submitted_at"].tolist(),
            dates, zip(*columns) if columns else [()] * len(frame))
    ]
    items.sort(key=NEWEST_IN_SURVEY, reverse=True)
    return items
