"""A survey page's figures: per question the trend by quarter, and the NPS split (docs/metrics.md).

Survey pages count every response on or before A, anonymous ones included. The per-question
trends are not in the other frames (those pool surveys, or leave anonymous answers out), so
they are tallied here from the scores with the same rounding (`percent_1dp`, `mean_2dp`) and
NPS bands, so that a figure can never differ in rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.metrics.groups import count, groups
from generator.metrics.rounding import mean_2dp, percent_1dp
from generator.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN
from generator.metrics.trends import quarter_names, quarter_of
from generator.portfolio import Portfolio

Point = tuple[str, float, int, bool]  # (quarter, figure, n, indicative)


@dataclass(frozen=True)
class NpsSplit:
    """Promoters, passives and detractors of one NPS question, with the NPS they give."""

    promoters: int
    passives: int
    detractors: int
    answers: int
    nps: float | None


@dataclass(frozen=True)
class SurveyFigures:
    """Per (survey id, question id): the quarterly trend of rating means and NPS, and the NPS split."""

    trends: dict[tuple[str, str], list[Point]] = field(default_factory=dict)
    splits: dict[tuple[str, str], NpsSplit] = field(default_factory=dict)


def survey_figures(portfolio: Portfolio, distributions: pd.DataFrame, minimum: int) -> SurveyFigures:
    """The figures of every survey page (`distributions`: metrics/answers.py)."""
    return SurveyFigures(question_trends(portfolio, minimum), nps_splits(distributions))


def nps_splits(distributions: pd.DataFrame) -> dict[tuple[str, str], NpsSplit]:
    """Promoters, passives and detractors of every NPS question, with the NPS they give."""
    chosen = distributions[distributions["type"].to_numpy() == "nps"]
    counts: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for survey, question, answer, tally in zip(chosen["survey"].tolist(), chosen["question"].tolist(),
                                               chosen["answer"].tolist(), chosen["count"].tolist()):
        counts.setdefault((survey, question), []).append((int(answer), int(tally)))
    splits = {}
    for key, pairs in counts.items():
        p = sum(c for a, c in pairs if a >= PROMOTER_MIN)
        d = sum(c for a, c in pairs if a <= DETRACTOR_MAX)
        total = sum(c for _, c in pairs)
        nps = float(percent_1dp(np.array([p - d]), np.array([total]))[0]) if total else None
        splits[key] = NpsSplit(p, total - p - d, d, total, nps)
    return splits


def question_trends(portfolio: Portfolio, minimum: int) -> dict[tuple[str, str], list[tuple[str, float, int, bool]]]:
    """(survey, question) → [(quarter, figure, n, indicative)]: rating means and NPS, all respondents."""
    scores = portfolio.scores
    scores = scores[scores["date"] <= pd.Timestamp(portfolio.as_of)]
    if scores.empty:
        return {}
    days = scores["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    score = scores["score"].to_numpy().astype(np.int64)
    group, (surveys, questions, types, quarters) = groups([
        scores["survey"].to_numpy(), scores["question"].to_numpy(), scores["type"].to_numpy(), quarter_of(days)])
    size = len(surveys)
    n = count(group, size)
    is_nps = types == "nps"
    figure = np.where(is_nps, percent_1dp(count(group, size, score >= PROMOTER_MIN) - count(group, size, score <= DETRACTOR_MAX), n),
                      mean_2dp(count(group, size, score), n))
    found: dict[tuple[str, str], list[tuple[str, float, int, bool]]] = {}
    for survey, question, quarter, value, answers in zip(surveys.tolist(), questions.tolist(),
                                                         quarter_names(quarters).tolist(), figure.tolist(), n.tolist()):
        found.setdefault((survey, question), []).append((quarter, value, answers, answers < minimum))
    return found
