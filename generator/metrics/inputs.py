"""The metrics stage's view of a Portfolio: clients as arrays, and only data dated on or before A.

This is the one place that enforces "data dated after A does not exist for the report":
every later module reads `Inputs`, never the Portfolio's frames.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.memo import NO_MEMO, Memo, held_for
from generator.metrics.dates import day64, days_of
from generator.metrics.rounds import SUPERSEDED_COLUMNS, superseded
from generator.metrics.satisfaction import csat_rows, nps_rows
from generator.metrics.tracking import tracking_since
from generator.model import CADENCE_MONTHS, Client, IdealClient, Survey, Targets
from generator.portfolio import Portfolio

NO_CLIENT = -1  # `ci` of an anonymous response


@dataclass(frozen=True)
class Roster:
    """One entry per client, sorted by id, with each client's effective targets."""

    ids: np.ndarray            # str
    names: np.ndarray          # str
    start: np.ndarray          # datetime64[D]
    term: np.ndarray           # int64, months
    ended: np.ndarray          # datetime64[D], NaT when not ended
    cadence_months: np.ndarray  # int64: 12, 6 or 3
    onsite_min: np.ndarray     # int64
    onsite_typical: np.ndarray  # int64
    pcs: np.ndarray
    servers: np.ndarray
    wan: np.ndarray            # bool
    active: np.ndarray         # bool: started on or before A, not ended before A

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Inputs:
    """Everything the metrics read. Day columns are int64 days since 1970-01-01."""

    as_of: dt.date
    today: int                 # A as a day number
    targets: Targets
    ideal: IdealClient
    surveys: tuple[Survey, ...]
    roster: Roster
    contacts: pd.DataFrame     # ci, client, kind, day
    responses: pd.DataFrame    # survey, response_id, ci, client, day
    scores: pd.DataFrame       # survey, response_id, ci, client, day, question, type, csat, score (int64)
    answers: dict[str, pd.DataFrame]  # survey id → its response rows dated ≤ A (all columns), latest per round
    tracking_since: np.ndarray  # datetime64[D] per client: no schedule counts before it (tracking.py)
    superseded: pd.DataFrame   # survey, response_id, client, day, replaced_by: answers replaced (rounds.py)

    @functools.cached_property
    def nps_answers(self) -> pd.DataFrame:
        """The rows of `scores` answering an NPS question (satisfaction.py `nps_rows`), chosen once for every figure."""
        return nps_rows(self.scores)

    @functools.cached_property
    def rating_answers(self) -> pd.DataFrame:
        """The rows of `scores` answering a rating question, chosen once for the question means (trends.py)."""
        chosen: pd.DataFrame = self.scores[self.scores["type"].to_numpy() == "rating"]
        return chosen

    @functools.cached_property
    def rating_questions(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """The survey and question of each of `rating_answers` as numbers in the sorted order of the ids, and the ids:
        numbered once for both question-mean tables (trends.py)."""
        surveys, survey_ids = pd.factorize(self.rating_answers["survey"].to_numpy(), sort=True)
        questions, question_ids = pd.factorize(self.rating_answers["question"].to_numpy(), sort=True)
        return (surveys, np.asarray(survey_ids, dtype=object)), (questions, np.asarray(question_ids, dtype=object))

    @functools.cached_property
    def csat_answers(self) -> pd.DataFrame:
        """The rows of `scores` answering a CSAT question (satisfaction.py `csat_rows`), chosen once for every figure."""
        return csat_rows(self.scores)


def prepare(portfolio: Portfolio, memo: Memo = NO_MEMO) -> Inputs:
    """Build the Inputs of `portfolio` at `portfolio.as_of`; the contacts and each survey's answers held in `memo` for
    the next build of this process while they come from the very frame the memo kept (so the figures made per survey
    can be held too: metrics/answers.py)."""
    as_of = portfolio.as_of
    roster, position, ids, rounds, clients = _clients_part(portfolio, memo)
    today = int(day64(as_of).astype(np.int64))
    contacts, first_contact = held_for(memo, "inputs-contacts", portfolio.contacts,
                                       functools.partial(_contacts, portfolio.contacts, today, position), [str(today).encode(), ids])

    # a second answer through the same link in the same round replaces the first (rounds.py)
    key = [str(today).encode(), ids, roster.start.tobytes(), roster.cadence_months.tobytes()]
    made = {sid: held_for(memo, f"answers-{sid}", frame, functools.partial(_answers, frame, today, rounds, sid), key)
            for sid, frame in portfolio.responses.items()}
    answers = {sid: found for sid, (found, _) in made.items()}
    replaced = [made[sid][1] for sid in sorted(made) if made[sid][1] is not None]
    gone = pd.concat(replaced, ignore_index=True)[list(SUPERSEDED_COLUMNS)] if replaced else pd.DataFrame(
        {column: pd.Series([], dtype=np.int64 if column == "day" else object) for column in SUPERSEDED_COLUMNS})
    parts = [held_for(memo, f"inputs-responses-{sid}", frame, functools.partial(_responses_part, frame, sid, position), [ids])
             for sid, frame in sorted(answers.items())]
    responses = pd.concat(parts, ignore_index=True) if parts else _responses_part(pd.DataFrame(
        {"response_id": [], "client": [], "day": np.array([], dtype=np.int64)}), "", position)

    scores = _dated(portfolio.scores, "date", today)
    if len(gone):
        dropped = pd.MultiIndex.from_arrays([gone["survey"], gone["response_id"]])
        scores = scores[~pd.MultiIndex.from_arrays([scores["survey"], scores["response_id"]]).isin(dropped)]
    scores = scores[["survey", "response_id", "client", "day", "question", "type", "csat"]].assign(
        score=scores["score"].to_numpy().astype(np.int64))
    scores.insert(2, "ci", _client_positions(position, scores["client"]))
    since = tracking_since(clients, roster.start, portfolio.settings.tracking_since, first_contact)
    return Inputs(as_of=as_of, today=today, targets=portfolio.settings.targets,
                  ideal=portfolio.settings.ideal_client, surveys=portfolio.surveys, roster=roster,
                  contacts=contacts, responses=responses.reset_index(drop=True),
                  scores=scores.reset_index(drop=True), answers=answers, tracking_since=since, superseded=gone)


ClientsPart = tuple[Roster, pd.Index, bytes, dict[str, tuple[dt.date, int]], list[Client]]


def _clients_part(portfolio: Portfolio, memo: Memo) -> ClientsPart:
    """What `prepare` makes of the client records and settings alone: the roster, its ids as an index and as bytes,
    each client's survey rounds (start, months), the clients by id; held in `memo` for the next build of this
    process while the records, settings and report date are the same."""
    key = [portfolio.as_of.isoformat().encode(), portfolio.settings.model_dump_json().encode(),
           *(text.encode() for text in portfolio.records_json.values())]
    found: ClientsPart | None = memo.held("inputs-clients", key)
    if found is not None:
        return found
    roster = _roster(portfolio, portfolio.as_of)
    rounds = {client: (start, int(months)) for client, start, months in
              zip(roster.ids.tolist(), roster.start.astype(object).tolist(), roster.cadence_months.tolist())}
    made = (roster, pd.Index(roster.ids), "\x00".join(roster.ids.tolist()).encode(), rounds,
            sorted(portfolio.clients, key=lambda client: client.id))
    memo.hold("inputs-clients", key, made)
    return made


def _contacts(frame: pd.DataFrame, today: int, position: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
    """The contacts dated on or before A (`Inputs.contacts`), and each client's first one (by roster position)."""
    # the three columns first: filtering the whole frame would copy its staff and note cells too
    contacts = _dated(frame[["date", "client", "kind"]], "date", today)[["client", "kind", "day"]]
    contacts.insert(0, "ci", position.get_indexer(contacts["client"]))  # type: ignore[arg-type]  # a Series is taken as an Index
    return contacts.reset_index(drop=True), earliest_per_client(contacts["ci"].to_numpy(), contacts["day"].to_numpy(), len(position))


def _answers(frame: pd.DataFrame, today: int, rounds: dict[str, tuple[dt.date, int]],
             survey_id: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A survey's responses dated on or before A without the superseded ones, and those (None when none was)."""
    dated = _dated(frame, "date", today)
    mask, replaced_by = superseded(dated, rounds)
    if not mask.any():
        return dated, None
    gone = dated.loc[mask, ["response_id", "client", "day"]].assign(
        survey=survey_id, replaced_by=np.array(replaced_by, dtype=object)[mask])
    return dated.loc[~mask], gone


def _responses_part(answers: pd.DataFrame, survey_id: str, position: pd.Index) -> pd.DataFrame:
    """`Inputs.responses`' rows of one survey's answers."""
    part = answers[["response_id", "client", "day"]].assign(survey=survey_id)[["survey", "response_id", "client", "day"]]
    part.insert(2, "ci", _client_positions(position, part["client"]))
    return part


def _dated(frame: pd.DataFrame, column: str, today: int) -> pd.DataFrame:
    """The rows dated on or before A, with an int `day` column."""
    days = days_of(frame[column]).astype(np.int64)
    keep = days <= today
    return frame.loc[keep].assign(day=days[keep])


def _client_positions(position: pd.Index, clients: pd.Series) -> np.ndarray:
    """Roster position of each row's client; NO_CLIENT for anonymous rows."""
    found = position.get_indexer(pd.Index(clients.astype(object)))
    return np.where(clients.to_numpy() == "", NO_CLIENT, found)


def _roster(portfolio: Portfolio, as_of: dt.date) -> Roster:
    targets = portfolio.settings.targets
    clients = sorted(portfolio.clients, key=lambda client: client.id)

    def column(values: list[object], dtype: str) -> np.ndarray:
        return np.array(values, dtype=dtype)

    start = column([c.agreement.start for c in clients], "datetime64[D]")
    ended = column([c.ended if c.ended is not None else "NaT" for c in clients], "datetime64[D]")
    today = day64(as_of)
    return Roster(
        ids=column([c.id for c in clients], "object"),
        names=column([c.name for c in clients], "object"),
        start=start,
        term=column([c.agreement.term_months for c in clients], "int64"),
        ended=ended,
        cadence_months=column([CADENCE_MONTHS[c.survey_cadence or targets.survey_cadence] for c in clients], "int64"),
        onsite_min=column([targets.onsite_min_per_month if c.onsite_min_per_month is None
                           else c.onsite_min_per_month for c in clients], "int64"),
        onsite_typical=column([targets.onsite_typical_per_month if c.onsite_typical_per_month is None
                               else c.onsite_typical_per_month for c in clients], "int64"),
        pcs=column([c.pcs for c in clients], "int64"),
        servers=column([c.servers for c in clients], "int64"),
        wan=column([c.wan for c in clients], "bool"),
        active=(start <= today) & (np.isnat(ended) | (ended >= today)),
    )


def count_per_client(ci: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Rows (or summed weights) per roster position; anonymous rows are ignored."""
    ci = np.asarray(ci)
    keep = ci >= 0
    chosen = None if weights is None else np.asarray(weights)[keep]
    return np.bincount(ci[keep], weights=chosen, minlength=size).astype(np.int64)


def latest_per_client(ci: np.ndarray, days: np.ndarray, size: int) -> np.ndarray:
    """The latest day per roster position as `datetime64[D]`, NaT when the client has none."""
    return _extreme_per_client(ci, days, size, np.maximum, np.iinfo(np.int64).min)


def earliest_per_client(ci: np.ndarray, days: np.ndarray, size: int) -> np.ndarray:
    """The earliest day per roster position as `datetime64[D]`, NaT when the client has none."""
    return _extreme_per_client(ci, days, size, np.minimum, np.iinfo(np.int64).max)


def _extreme_per_client(ci: np.ndarray, days: np.ndarray, size: int, pick: np.ufunc, none: int) -> np.ndarray:
    """Per roster position, `pick` (np.maximum or np.minimum) over its days; `none` marks a client without any."""
    ci = np.asarray(ci)
    keep = ci >= 0
    found = np.full(size, none, dtype=np.int64)
    pick.at(found, ci[keep], np.asarray(days, dtype=np.int64)[keep])
    result: np.ndarray = np.where(found == none, np.datetime64("NaT", "D"), found.astype("datetime64[D]"))
    return result
