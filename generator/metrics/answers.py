"""Per-survey breakdowns: the distribution of every question's answers, and the free-text answers.

Both count every response on or before A, anonymous ones included (a survey page shows them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.metrics.inputs import Inputs
from generator.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN, SATISFIED_MIN

SCALES = {"rating": tuple(str(v) for v in range(1, 6)), "nps": tuple(str(v) for v in range(11))}
DISTRIBUTION_COLUMNS = ("survey", "question", "type", "answer", "count", "answered")
COMMENT_COLUMNS = ("survey", "question", "response_id", "client", "date", "text", "nps", "csat", "scores", "bands")


def distributions(inputs: Inputs) -> pd.DataFrame:
    """One row per survey, question and possible answer (0–10, 1–5 or each option) with its count.

    `answered` is the number of responses that answered the question; for `multi` questions
    the counts can add up to more, since one response may pick several options.
    """
    parts: list[pd.DataFrame] = []
    for survey in inputs.surveys:
        frame = inputs.answers[survey.id]
        for question in survey.questions:
            if question.type == "text":
                continue
            values = frame[question.id].astype(object)
            values = values[values != ""]
            if question.type == "multi":
                values = values.str.split(";").explode()
            possible = SCALES.get(question.type) or question.options or ()
            counts = values.value_counts().reindex(list(possible), fill_value=0)
            parts.append(pd.DataFrame({
                "survey": survey.id, "question": question.id, "type": question.type, "answer": list(possible),
                "count": counts.to_numpy().astype(np.int64), "answered": int((frame[question.id] != "").sum()),
            }))
    if not parts:
        return pd.DataFrame({column: [] for column in DISTRIBUTION_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def comments(inputs: Inputs) -> pd.DataFrame:
    """Every non-empty text answer with its survey, client ('' = anonymous), date and the response's scores.

    `scores` maps each answered rating/nps question of that response to its score; `nps` and
    `csat` repeat the first nps and first csat question's answer (None when unanswered);
    `bands` names what those say, space-separated: `detractor`, `passive` or `promoter`, then
    `unhappy` or `satisfied`; `unscored` when neither was answered.
    Newest first, then by survey and response id.
    """
    parts: list[pd.DataFrame] = []
    for survey in inputs.surveys:
        frame = inputs.answers[survey.id]
        numeric = [q for q in survey.questions if q.type in ("rating", "nps")]
        first_nps = next((q.id for q in numeric if q.type == "nps"), None)
        first_csat = next((q.id for q in numeric if q.csat), None)
        for question in survey.questions:
            if question.type != "text":
                continue
            written = frame[frame[question.id].astype(object) != ""]
            if written.empty:
                continue
            scores = [{q.id: int(row[k]) for k, q in enumerate(numeric) if row[k] != ""}
                      for row in zip(*(written[q.id].tolist() for q in numeric))] if numeric else [{}] * len(written)
            nps = [s.get(first_nps or "") for s in scores]
            csat = [s.get(first_csat or "") for s in scores]
            bands: dict[tuple[int | None, int | None], str] = {}  # a few dozen pairs: each named once, its text shared
            parts.append(pd.DataFrame({
                "survey": survey.id, "question": question.id,
                "response_id": written["response_id"].to_numpy().astype(object),
                "client": written["client"].to_numpy().astype(object),
                "day": written["day"].to_numpy(),
                "text": written[question.id].to_numpy().astype(object),
                "nps": nps, "csat": csat, "scores": scores,
                "bands": [bands.get(pair) or bands.setdefault(pair, score_bands(*pair)) for pair in zip(nps, csat)],
            }))
    if not parts:
        return pd.DataFrame({column: [] for column in COMMENT_COLUMNS})
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["day", "survey", "response_id", "question"],
                              ascending=[False, True, True, True], kind="stable").reset_index(drop=True)
    frame.insert(4, "date", pd.Series(frame["day"].to_numpy().astype("datetime64[D]").astype(object), dtype=object))
    return frame.drop(columns="day")


def nps_band(score: int | None) -> str:
    """The NPS band of an answer: promoter (9–10), passive (7–8), detractor (0–6); '' when none."""
    if score is None:
        return ""
    return "promoter" if score >= PROMOTER_MIN else "detractor" if score <= DETRACTOR_MAX else "passive"


def score_bands(nps: int | None, csat: int | None) -> str:
    """The bands of a response's first NPS and CSAT answers, space-separated; `unscored` when neither."""
    mood = "" if csat is None else ("satisfied" if csat >= SATISFIED_MIN else "unhappy")
    return " ".join(part for part in (nps_band(nps), mood) if part) or "unscored"
