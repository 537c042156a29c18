"""Satisfaction figures: NPS and CSAT with their n, per client and pooled, and the latest answers.

- NPS over answers to `nps` questions: 100 × (answers ≥ 9 − answers ≤ 6) / answers.
- CSAT over answers to `rating` questions with `csat: true`: 100 × answers ≥ 4 / answers.
Both use answers (not responses) of every survey, are rounded to 1 decimal half away from
zero on the exact fraction (see rounding.py), and are null when there are no answers.
A figure from fewer than `targets.min_responses` answers is `indicative`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.metrics.dates import WINDOW_DAYS
from generator.metrics.rounding import percent_1dp

PROMOTER_MIN, DETRACTOR_MAX = 9, 6  # NPS: 9–10 promote, 0–6 detract (the definition, not a setting)
SATISFIED_MIN = 4                   # CSAT: 4 or 5 on the 1–5 scale


@dataclass(frozen=True)
class Tally:
    """The counts behind NPS or CSAT figures, one entry per group."""

    answers: np.ndarray
    positive: np.ndarray   # promoters (NPS) or satisfied answers (CSAT)
    negative: np.ndarray   # detractors (NPS); 0 for CSAT
    # makes `responses`: counted only when read (the rules read it per client, the portfolio figures never)
    count_responses: Callable[[], np.ndarray] = field(repr=False, compare=False)

    @functools.cached_property
    def responses(self) -> np.ndarray:
        """Distinct responses that gave those answers, per group."""
        return self.count_responses()

    def nps(self) -> np.ndarray:
        """NPS per group (NaN when no answers)."""
        return percent_1dp(self.positive - self.negative, self.answers)

    def csat(self) -> np.ndarray:
        """CSAT per group (NaN when no answers)."""
        return percent_1dp(self.positive, self.answers)


def nps_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """Answers to `nps` questions."""
    chosen: pd.DataFrame = scores[scores["type"].to_numpy() == "nps"]
    return chosen


def csat_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """Answers to `rating` questions marked `csat: true`."""
    chosen: pd.DataFrame = scores[(scores["type"].to_numpy() == "rating") & scores["csat"].to_numpy(dtype=bool)]
    return chosen


def in_days(frame: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """The rows whose day lies in first … last (day numbers, inclusive)."""
    days = frame["day"].to_numpy()
    return frame[(days >= first) & (days <= last)]


def window(frame: pd.DataFrame, today: int, periods_back: int = 0) -> pd.DataFrame:
    """Rows in the 12m window (A−364 … A), or the 365 days `periods_back` windows before it."""
    last = today - periods_back * WINDOW_DAYS
    return in_days(frame, last - WINDOW_DAYS + 1, last)


def tally_by(answers: pd.DataFrame, group: np.ndarray, size: int, kind: str) -> Tally:
    """Count NPS (`kind='nps'`) or CSAT answers per integer group 0 … size−1 (negative groups ignored)."""
    keep = group >= 0
    group = group[keep]
    score = answers["score"].to_numpy()[keep]
    if kind == "nps":
        positive, negative = score >= PROMOTER_MIN, score <= DETRACTOR_MAX
    else:
        positive, negative = score >= SATISFIED_MIN, np.zeros(len(score), dtype=bool)
    return Tally(
        answers=np.bincount(group, minlength=size),
        positive=np.bincount(group, weights=positive, minlength=size).astype(np.int64),
        negative=np.bincount(group, weights=negative, minlength=size).astype(np.int64),
        count_responses=functools.partial(_distinct_responses, answers["survey"].to_numpy()[keep],
                                          answers["response_id"].to_numpy()[keep], group, size),
    )


def _distinct_responses(surveys: np.ndarray, response_ids: np.ndarray, group: np.ndarray, size: int) -> np.ndarray:
    """Distinct (survey, response id) pairs per group 0 … size−1."""
    # the distinct (group, survey, response id) triples: numbered with numpy, not a frame's drop_duplicates
    survey, _ = pd.factorize(surveys)
    response, found = pd.factorize(response_ids)
    triples = np.unique((group.astype(np.int64) * (survey.max(initial=0) + 1) + survey) * (len(found) + 1) + response)
    distinct = triples // ((survey.max(initial=0) + 1) * (len(found) + 1))
    return np.bincount(distinct, minlength=size)


def per_client(answers: pd.DataFrame, size: int, kind: str) -> Tally:
    """Tally per roster position; anonymous answers are ignored."""
    return tally_by(answers, answers["ci"].to_numpy(), size, kind)


def pooled(answers: pd.DataFrame, active: np.ndarray, kind: str) -> Tally:
    """One tally over the answers of clients active on A (anonymous answers excluded)."""
    ci = answers["ci"].to_numpy()
    chosen = (ci >= 0) & active[np.maximum(ci, 0)]
    return tally_by(answers, np.where(chosen, 0, -1), 1, kind)


def latest_answer(answers: pd.DataFrame, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each client's latest answer (score, −1 when none) and its day (`datetime64[D]`).

    Several answers on the latest day (two surveys, two respondents) are a tie; the lowest
    score wins, so a same-day promoter never hides a detractor.
    """
    ci = answers["ci"].to_numpy()
    named = ci >= 0
    ci, days, scores = ci[named], answers["day"].to_numpy()[named], answers["score"].to_numpy()[named]
    # by client, latest day first, lowest score first: the first row of each client is its latest answer
    order = np.lexsort((scores, -days.astype(np.int64), ci))
    first = order[np.r_[True, ci[order][1:] != ci[order][:-1]]] if len(order) else order
    score = np.full(size, -1, dtype=np.int64)
    day = np.full(size, np.datetime64("NaT", "D"))
    score[ci[first]] = scores[first]
    day[ci[first]] = days[first].astype("datetime64[D]")
    return score, day
