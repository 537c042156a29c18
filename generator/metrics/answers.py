"""Per-survey breakdowns: the distribution of every question's answers, and the free-text answers.

Both count every response on or before A, anonymous ones included (a survey page shows them).
"""

from __future__ import annotations

import functools
from collections import Counter

import numpy as np
import pandas as pd

from generator.memo import NO_MEMO, Memo, held_for
from generator.metrics.inputs import Inputs
from generator.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN, SATISFIED_MIN
from generator.model import Question, Survey

SCALES = {"rating": tuple(str(v) for v in range(1, 6)), "nps": tuple(str(v) for v in range(11))}
DISTRIBUTION_COLUMNS = ("survey", "question", "type", "answer", "count", "answered")
Facts = tuple[dict[str, int], int | None, int | None, str]  # a response's scores, first NPS and CSAT answers, bands
COMMENT_COLUMNS = ("survey", "question", "response_id", "client", "date", "text", "nps", "csat", "scores", "bands")


def distributions(inputs: Inputs, memo: Memo = NO_MEMO) -> pd.DataFrame:
    """One row per survey, question and possible answer (0–10, 1–5 or each option) with its count.

    `answered` is the number of responses that answered the question; for `multi` questions
    the counts can add up to more, since one response may pick several options. Each survey's
    rows are held in `memo` while its answers are the very frame the last build had (metrics/inputs.py).
    """
    columns: dict[str, list[object]] = {column: [] for column in DISTRIBUTION_COLUMNS}
    for survey in inputs.surveys:
        frame = inputs.answers[survey.id]
        made = held_for(memo, f"distributions-{survey.id}", frame, functools.partial(_distribution, survey, frame),
                        [survey.model_dump_json().encode()])
        for column in DISTRIBUTION_COLUMNS:
            columns[column] += made[column]
    if not columns["answer"]:
        return pd.DataFrame({column: [] for column in DISTRIBUTION_COLUMNS})
    table = pd.DataFrame(columns)
    return table.astype({"count": np.int64, "answered": np.int64})


def _distribution(survey: Survey, frame: pd.DataFrame) -> dict[str, list[object]]:
    """`distributions`' columns of one survey's answers."""
    columns: dict[str, list[object]] = {column: [] for column in DISTRIBUTION_COLUMNS}
    for question in survey.questions:
        if question.type == "text":
            continue
        # counted in Python: a pandas value_counts per question costs more than the counting
        values = [value for value in frame[question.id].astype(object).tolist() if value != ""]
        found = Counter(part for value in values for part in value.split(";")) if question.type == "multi" else Counter(values)
        possible = SCALES.get(question.type) or question.options or ()
        for column, value in (("survey", survey.id), ("question", question.id), ("type", question.type),
                              ("answered", len(values))):
            columns[column] += [value] * len(possible)
        columns["answer"] += possible
        columns["count"] += [found[answer] for answer in possible]
    return columns


def comments(inputs: Inputs, memo: Memo = NO_MEMO) -> pd.DataFrame:
    """Every non-empty text answer with its survey, client ('' = anonymous), date and the response's scores.

    `scores` maps each answered rating/nps question of that response to its score; `nps` and
    `csat` repeat the first nps and first csat question's answer (None when unanswered);
    `bands` names what those say, space-separated: `detractor`, `passive` or `promoter`, then
    `unhappy` or `satisfied`; `unscored` when neither was answered.
    Newest first, then by survey and response id. Each survey's rows are held in `memo` while its
    answers are the very frame the last build had (metrics/inputs.py).
    """
    made = {survey.id: held_for(memo, f"comments-{survey.id}", inputs.answers[survey.id],
                                functools.partial(_comments_of, survey, inputs.answers[survey.id]),
                                [survey.model_dump_json().encode()]) for survey in inputs.surveys}
    parts = [part for survey in inputs.surveys for part in made[survey.id][0]]
    if not parts:
        return pd.DataFrame({column: [] for column in COMMENT_COLUMNS})
    frame = pd.concat(parts, ignore_index=True)
    # newest first, then by survey, response id and question: each survey's rows come in that order (held with
    # them), the surveys by id; one stable sort by day then gives `sort_values`' order over all of them
    starts = dict(zip(made, np.cumsum([0, *(sum(len(part) for part in made[sid][0]) for sid in made)]).tolist()))
    order = np.concatenate([made[sid][1] + starts[sid] for sid in sorted(made)])
    order = order[np.argsort(-frame["day"].to_numpy()[order], kind="stable")]
    frame = frame.take(order).reset_index(drop=True)
    frame.insert(4, "date", pd.Series(frame["day"].to_numpy().astype("datetime64[D]").astype(object), dtype=object))
    return frame.drop(columns="day")


def _comments_of(survey: Survey, frame: pd.DataFrame) -> tuple[list[pd.DataFrame], np.ndarray]:
    """`comments`' rows of one survey's answers, a frame per text question, and the order of those rows (as
    concatenated) newest first, then by response id and question."""
    parts: list[pd.DataFrame] = []
    numeric = [q for q in survey.questions if q.type in ("rating", "nps")]
    first_nps = next((q.id for q in numeric if q.type == "nps"), None)
    first_csat = next((q.id for q in numeric if q.csat), None)
    for question in survey.questions:
        if question.type != "text":
            continue
        written = frame[frame[question.id].astype(object) != ""]
        if written.empty:
            continue
        columns = [written[q.id].tolist() for q in numeric]

        # a few hundred distinct answer combinations among thousands of comments: each worked out once, its
        # values shared by the rows that have it (nothing changes them)
        made: dict[tuple[str, ...], Facts] = {}
        rows = [made[answers] if answers in made else made.setdefault(answers, _facts(numeric, first_nps, first_csat, answers))
                for answers in zip(*columns)] if numeric else [({}, None, None, score_bands(None, None))] * len(written)
        parts.append(pd.DataFrame({
            "survey": survey.id, "question": question.id,
            "response_id": written["response_id"].to_numpy().astype(object),
            "client": written["client"].to_numpy().astype(object),
            "day": written["day"].to_numpy(),
            "text": written[question.id].to_numpy().astype(object),
            "nps": [row[1] for row in rows], "csat": [row[2] for row in rows], "scores": [row[0] for row in rows],
            "bands": [row[3] for row in rows],
        }))
    if not parts:
        return parts, np.zeros(0, dtype=np.int64)
    keys = {column: np.concatenate([part[column].to_numpy() for part in parts]) for column in ("question", "response_id", "day")}
    ranks = [pd.factorize(keys[column], sort=True)[0] for column in ("question", "response_id")]
    return parts, np.lexsort([*ranks, -keys["day"]])


def _facts(numeric: list[Question], first_nps: str | None, first_csat: str | None, answers: tuple[str, ...]) -> Facts:
    """A response's scores (its answers to the `numeric` questions), its first NPS and CSAT answers, and their bands."""
    scores = {q.id: int(answer) for q, answer in zip(numeric, answers) if answer != ""}
    nps, csat = scores.get(first_nps or ""), scores.get(first_csat or "")
    return scores, nps, csat, score_bands(nps, csat)


def nps_band(score: int | None) -> str:
    """The NPS band of an answer: promoter (9–10), passive (7–8), detractor (0–6); '' when none."""
    if score is None:
        return ""
    return "promoter" if score >= PROMOTER_MIN else "detractor" if score <= DETRACTOR_MAX else "passive"


def score_bands(nps: int | None, csat: int | None) -> str:
    """The bands of a response's first NPS and CSAT answers, space-separated; `unscored` when neither."""
    mood = "" if csat is None else ("satisfied" if csat >= SATISFIED_MIN else "unhappy")
    return " ".join(part for part in (nps_band(nps), mood) if part) or "unscored"
