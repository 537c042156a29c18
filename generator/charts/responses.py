"""Every response the dashboard pages show, as python objects: per survey and per client, newest first.

A new response to a survey, appended to its file, adds its object to the lists the last build of this
process made (`rapport serve`): the other responses stay the objects they were, and so do the lists of
every client it does not belong to.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

import numpy as np
import pandas as pd

from generator.memo import NO_MEMO, Memo
from generator.model import Question, Survey
from generator.portfolio import Portfolio


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


# the order of responses, newest first: keys read in C (attrgetter), as a Python key function per response costs more
NEWEST_IN_SURVEY = attrgetter("date", "submitted_at", "response_id")  # a response id is unique in its file
NEWEST = attrgetter("date", "submitted_at", "survey.id", "response_id")
NEWEST_MOMENT = attrgetter("date", "submitted_at")

Lists = dict[str, list[Response]]  # per survey or client id, newest first


class SurveyLists(NamedTuple):
    """A survey's responses as `responses_of` holds them, with the row hashes of the file they were made from."""

    rows: np.ndarray
    items: list[Response]
    by_client: Lists


def responses_of(portfolio: Portfolio, superseded: pd.DataFrame, memo: Memo = NO_MEMO) -> tuple[Lists, Lists]:
    """Per survey, its responses dated on or before A, newest first, a replaced one saying by which (`superseded`:
    `Reports.superseded`); and per client, its responses to every survey, newest first.

    Each survey's lists are held in `memo` for this process's next build (`rapport serve`): a new response
    to one survey leaves the others' as they were, and adds its own to that survey's and its client's.
    """
    replaced: dict[str, dict[str, str]] = defaultdict(dict)
    for survey_id, response_id, later in zip(superseded["survey"].tolist(), superseded["response_id"].tolist(),
                                             superseded["replaced_by"].tolist()):
        replaced[survey_id][response_id] = later
    made = {survey.id: _survey_lists(portfolio, survey, replaced.get(survey.id, {}), memo) for survey in portfolio.surveys}
    return {survey_id: lists.items for survey_id, lists in made.items()}, _by_client(made, memo)


def _survey_lists(portfolio: Portfolio, survey: Survey, mine: dict[str, str], memo: Memo) -> SurveyLists:
    """The survey's `SurveyLists`: held while its file, the report date and the answers replaced are the same, or
    extended by the rows appended to the file since."""
    frame = portfolio.responses.get(survey.id)
    if frame is None or frame.empty:
        return SurveyLists(np.zeros(0, dtype=np.uint64), [], {})
    rows = portfolio.hashes(f"responses/{survey.id}")
    # what the lists are a function of, besides the rows: the survey, the report date and the answers replaced
    key = [survey.model_dump_json().encode(), portfolio.as_of.isoformat().encode(),
           "\x00".join(f"{k}\x00{v}" for k, v in sorted(mine.items())).encode()]
    name, limit = f"chart-responses-{survey.id}", pd.Timestamp(portfolio.as_of)
    kept: SurveyLists | None = memo.held(name, key)
    if kept is not None and len(kept.rows) == len(rows) and (kept.rows == rows).all():
        return kept
    if kept is not None and len(kept.rows) < len(rows) and (kept.rows == rows[:len(kept.rows)]).all():
        added = survey_responses(survey, frame.iloc[len(kept.rows):], limit, mine)
        by_client = dict(kept.by_client)
        for client, items in _split(added).items():  # the clients of the new responses only
            by_client[client] = sorted(by_client.get(client, []) + items, key=NEWEST_IN_SURVEY, reverse=True)
        made = SurveyLists(rows, sorted(kept.items + added, key=NEWEST_IN_SURVEY, reverse=True), by_client)
    else:
        items = survey_responses(survey, frame, limit, mine)
        made = SurveyLists(rows, items, _split(items))
    memo.hold(name, key, made)
    return made


def _split(items: list[Response]) -> Lists:
    """The responses of named clients per client, in list order."""
    by_client: Lists = defaultdict(list)
    for response in items:
        if response.client:
            by_client[response.client].append(response)
    return dict(by_client)


def _by_client(made: dict[str, SurveyLists], memo: Memo) -> Lists:
    """Per client, its responses to every survey, newest first; a client's list is the last build's while each
    survey's list of that client is the very one it was made from (held in `memo`)."""
    surveys = sorted(made, reverse=True)
    kept: tuple[list[str], list[Lists], Lists] | None = memo.held("chart-responses-by-client", [])
    before, lists = kept[1:] if kept is not None and kept[0] == surveys else ([{}] * len(surveys), {})
    now = [made[survey_id].by_client for survey_id in surveys]
    found: Lists = {}
    for client in dict.fromkeys(client for by_client in now for client in by_client):
        parts = [by_client.get(client) for by_client in now]
        if client in lists and all(part is earlier.get(client) for part, earlier in zip(parts, before)):
            found[client] = lists[client]
            continue
        shown = [part for part in parts if part]
        # each part newest first, the surveys by id from the last: a stable sort by date and time alone then leaves
        # responses of one moment in the order of survey id and response id, newest first — NEWEST's order, without
        # its look-up of each response's survey id
        found[client] = shown[0] if len(shown) == 1 else sorted(
            [response for part in shown for response in part], key=NEWEST_MOMENT, reverse=True)
    memo.hold("chart-responses-by-client", [], (surveys, now, found))
    return found


def survey_responses(survey: Survey, frame: pd.DataFrame, limit: pd.Timestamp, replaced: dict[str, str]) -> list[Response]:
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
