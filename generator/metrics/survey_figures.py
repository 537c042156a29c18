"""A survey page's figures: per question the trend by quarter, and the NPS split (docs/metrics.md).

Survey pages count every response on or before A, anonymous ones included. The per-question
trends are not in the other frames (those pool surveys, or leave anonymous answers out), so
they are tallied here from the scores with the same rounding (`percent_1dp`, `mean_2dp`) and
NPS bands, so that a figure can never differ in rounding.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.memo import NO_MEMO, Memo, held_for, held_from
from generator.metrics.groups import count, groups
from generator.metrics.rounding import mean_2dp, percent_1dp
from generator.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN
from generator.metrics.trends import quarter_names, quarter_of
from generator.portfolio import Portfolio

Point = tuple[str, float, int, bool]  # (quarter, figure, n, indicative)
Trends = dict[tuple[str, str], list[Point]]  # per (survey id, question id)


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


def survey_figures(portfolio: Portfolio, distributions: pd.DataFrame, minimum: int, memo: Memo = NO_MEMO) -> SurveyFigures:
    """The figures of every survey page (`distributions`: metrics/answers.py; each survey's trends held in `memo`)."""
    return SurveyFigures(question_trends(portfolio, minimum, memo), nps_splits(distributions))


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


def question_trends(portfolio: Portfolio, minimum: int, memo: Memo = NO_MEMO) -> Trends:
    """(survey, question) → [(quarter, figure, n, indicative)]: rating means and NPS, all respondents; each survey's
    held in `memo` for the next build of this process while its responses are the very frame the memo kept."""
    scores, as_of = portfolio.scores, portfolio.as_of
    keys = {survey.id: [survey.model_dump_json().encode(), as_of.isoformat().encode(), str(minimum).encode()]
            for survey in portfolio.surveys}
    held: dict[str, Trends | None] = {survey_id: held_from(memo, f"question-trends-{survey_id}", portfolio.responses.get(survey_id), key)
                                      for survey_id, key in keys.items()}
    blocks = _blocks(scores) if any(found is not None for found in held.values()) else None
    if blocks is None or not set(blocks) <= set(keys):  # none held (a first build): all at once
        found = _trends(scores, as_of, minimum)
        made = {survey_id: {key: points for key, points in found.items() if key[0] == survey_id} for survey_id in keys}
    else:  # the surveys whose responses changed only
        made = {survey_id: kept if kept is not None else _trends(scores.iloc[slice(*blocks[survey_id])], as_of, minimum)
                if survey_id in blocks else {} for survey_id, kept in held.items()}
        found = {key: points for survey_id in sorted(made) for key, points in made[survey_id].items()}  # by survey first
    for survey_id, key in keys.items():
        held_for(memo, f"question-trends-{survey_id}", portfolio.responses.get(survey_id), functools.partial(dict, made[survey_id]), key)
    return found


def _blocks(scores: pd.DataFrame) -> dict[str, tuple[int, int]] | None:
    """Each survey's rows of the scores (start, end): together, as the load stage makes them (generator/load/responses.py
    `scores_frame`); None when a survey's rows are not."""
    surveys = scores["survey"].to_numpy()
    starts = np.flatnonzero(np.r_[True, surveys[1:] != surveys[:-1]]).tolist() if len(surveys) else []
    blocks = {surveys[start]: (start, end) for start, end in zip(starts, [*starts[1:], len(surveys)])}
    return blocks if len(blocks) == len(starts) else None


def _trends(scores: pd.DataFrame, as_of: dt.date, minimum: int) -> Trends:
    """`question_trends` of these scores."""
    scores = scores[scores["date"] <= pd.Timestamp(as_of)]
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
    found: Trends = {}
    for survey, question, quarter, value, answers in zip(surveys.tolist(), questions.tolist(),
                                                         quarter_names(quarters).tolist(), figure.tolist(), n.tolist()):
        found.setdefault((survey, question), []).append((quarter, value, answers, answers < minimum))
    return found
