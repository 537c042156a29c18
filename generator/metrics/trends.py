"""Quarterly trends for the dashboards: NPS, CSAT, response count and rating-question means.

Per client (every answer of that client on or before A) and for the portfolio (the pooled
answers of the clients active on A; anonymous answers excluded, as in docs/metrics.md).
Quarters are calendar quarters labelled `YYYY-Qn`; only quarters with data have rows.
Every figure carries its n and `indicative` (n < `targets.min_responses`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.metrics.dates import shared_labels
from generator.metrics.groups import count, groups
from generator.metrics.inputs import Inputs
from generator.metrics.rounding import mean_2dp, percent_1dp
from generator.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN, SATISFIED_MIN


def quarter_of(days: np.ndarray) -> np.ndarray:
    """Calendar quarters since 1970-Q1 of int day numbers."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // 3


def quarter_names(quarters: np.ndarray) -> np.ndarray:
    """`YYYY-Qn` for quarters since 1970-Q1 (one string object per distinct quarter)."""
    return shared_labels(np.asarray(quarters, dtype=np.int64), _quarter_names)


def _quarter_names(quarters: np.ndarray) -> np.ndarray:
    years, index = np.divmod(quarters, 4)
    return np.char.add(np.char.add((years + 1970).astype(str), "-Q"), (index + 1).astype(str))


def _kept(frame: pd.DataFrame, by_client: bool, active: np.ndarray) -> np.ndarray:
    """The rows that count: a client's (per client), or an active client's (pooled over the portfolio)."""
    ci = frame["ci"].to_numpy()
    keep: np.ndarray = ci >= 0
    if not by_client:
        keep &= active[np.maximum(ci, 0)]
    return keep


def _keys(frame: pd.DataFrame, keep: np.ndarray, by_client: bool) -> list[np.ndarray]:
    """The grouping keys of the kept rows: (ci, quarter) per client, or (quarter) pooled."""
    quarter = quarter_of(frame["day"].to_numpy()[keep])
    return [frame["ci"].to_numpy()[keep], quarter] if by_client else [quarter]


def quarterly(inputs: Inputs, by_client: bool) -> pd.DataFrame:
    """Responses, NPS and CSAT per quarter (and per client when `by_client`)."""
    active, minimum = inputs.roster.active, inputs.targets.min_responses
    tables = (inputs.responses, inputs.nps_answers, inputs.csat_answers)
    kept = [_kept(table, by_client, active) for table in tables]
    keys = [_keys(table, keep, by_client) for table, keep in zip(tables, kept)]
    # one numbering of the (client,) quarters that have a response or an answer
    group, values = groups([np.concatenate(parts) for parts in zip(*keys)])
    size, lengths = len(values[0]), [len(parts[0]) for parts in keys]
    responses, nps, csat = np.split(group, np.cumsum(lengths)[:-1])
    nps_score, csat_score = (table["score"].to_numpy()[keep] for table, keep in zip(tables[1:], kept[1:]))
    frame = pd.DataFrame({"quarter": quarter_names(values[-1])})
    if by_client:
        frame.insert(0, "client", inputs.roster.ids[values[0]])
    frame["responses"] = count(responses, size)
    for name, part, n in (
        ("nps", count(nps, size, nps_score >= PROMOTER_MIN) - count(nps, size, nps_score <= DETRACTOR_MAX), count(nps, size)),
        ("csat", count(csat, size, csat_score >= SATISFIED_MIN), count(csat, size)),
    ):
        frame[name] = percent_1dp(part, n)
        frame[f"{name}_n"] = n
        frame[f"{name}_indicative"] = n < minimum
    return frame


def question_means(inputs: Inputs, by_client: bool) -> pd.DataFrame:
    """Mean (2 decimals) and n of every rating question per quarter, survey and question."""
    ratings = inputs.rating_answers
    keep = _kept(ratings, by_client, inputs.roster.active)
    (surveys, survey_ids), (questions, question_ids) = inputs.rating_questions
    group, values = groups([*_keys(ratings, keep, by_client), surveys[keep], questions[keep]])
    size = len(values[0])
    frame = pd.DataFrame({"quarter": quarter_names(values[-3])})
    if by_client:
        frame.insert(0, "client", inputs.roster.ids[values[0]])
    n = count(group, size)
    frame["survey"] = survey_ids[values[-2]].astype(object)
    frame["question"] = question_ids[values[-1]].astype(object)
    frame["mean"] = mean_2dp(count(group, size, ratings["score"].to_numpy()[keep]), n)
    frame["n"] = n
    frame["indicative"] = n < inputs.targets.min_responses
    return frame
