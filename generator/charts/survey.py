"""A survey page's charts: per question the distribution of answers and the trend by quarter,
and the response count per quarter. Survey pages count every response on or before A,
anonymous ones included (docs/metrics.md); the figures are the metrics stage's
(generator/metrics/survey_figures.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.charts.data import DashboardData
from generator.charts.spec import (
    BLUE,
    GREEN,
    GREY,
    VERMILION,
    Figure,
    every_quarter,
    layout,
    plotly_text,
    series,
    shown,
    small_sample_note,
)
from generator.metrics import Reports
from generator.metrics.answers import nps_band
from generator.metrics.rounding import percent_1dp
from generator.metrics.survey_figures import NpsSplit
from generator.model import Question, Survey

BAND_COLOURS = {"detractor": VERMILION, "passive": GREY, "promoter": GREEN}


@dataclass(frozen=True)
class QuestionCharts:
    """One question's charts on its survey page (None where the question has no such chart)."""

    question: Question
    answered: int
    distribution: Figure | None
    trend: Figure | None
    split: NpsSplit | None


def responses_per_quarter(data: DashboardData, survey: Survey) -> Figure:
    """How many responses each quarter (each survey round) brought."""
    responses = data.responses.get(survey.id, ())
    counts, named = _per_quarter(Counter(r.date for r in responses)), _per_quarter(Counter(r.date for r in responses if r.client))
    quarters = every_quarter(sorted(counts))  # a quarter without responses stays on the axis, empty
    return Figure(
        "chart-survey-responses", "Responses per quarter",
        {"data": [{"type": "bar", "name": "Responses", "x": quarters, "y": [counts[q] for q in quarters],
                   "marker": {"color": BLUE}, "hoverinfo": "x+y"}],
         "layout": {**layout("responses", height=260), "showlegend": False}},
        ("Quarter", "Responses", "From known clients", "Anonymous"),
        [(q, counts[q], named[q], counts[q] - named[q]) for q in quarters],
    )


def _per_quarter(days: Counter[dt.date]) -> Counter[str]:
    """Counts per day as counts per quarter (`YYYY-Qn`): a label per distinct day, not per response."""
    quarters: Counter[str] = Counter()
    for day, count in days.items():
        quarters[f"{day.year}-Q{(day.month - 1) // 3 + 1}"] += count
    return quarters


def _distribution(survey: Survey, question: Question, answers: list[str], counts: list[int]) -> Figure:
    total = sum(counts)
    shares = [shown(percent_1dp(np.array([c]), np.array([total]))[0]) if total else "—" for c in counts]
    labels = [plotly_text(a) for a in answers]
    hover = [f"{label}: {count} ({share} %)" for label, count, share in zip(labels, counts, shares)]
    if question.type == "nps":
        colours = [BAND_COLOURS[nps_band(int(a))] for a in answers]
    else:
        colours = [BLUE] * len(answers)
    horizontal = question.type in ("choice", "multi")
    trace: dict[str, Any] = {"type": "bar", "name": "Answers", "marker": {"color": colours}, "hovertext": hover, "hoverinfo": "text"}
    spec_layout = {**layout("answers", height=260 if not horizontal else 60 + 36 * len(answers)), "showlegend": False}
    if horizontal:
        trace.update({"orientation": "h", "x": counts, "y": labels})
        spec_layout["yaxis"] = {"type": "category", "autorange": "reversed", "fixedrange": True, "automargin": True}
        spec_layout["xaxis"] = {"title": {"text": "answers"}, "fixedrange": True, "automargin": True}
    else:
        trace.update({"x": labels, "y": counts})
        spec_layout["xaxis"]["title"] = {"text": "answer"}
    note = "A response may pick several options, so the counts can add up to more than the responses." if question.type == "multi" else ""
    return Figure(f"chart-survey-{question.id}-distribution", f"Answers to “{question.label}”",
                  {"data": [trace], "layout": spec_layout}, ("Answer", "Count", "Share %"),
                  list(zip(answers, counts, shares)), note)


def _trend(question: Question, points: list[tuple[str, float, int, bool]], minimum: int) -> Figure:
    nps = question.type == "nps"
    x = [p[0] for p in points]
    traces = series("NPS" if nps else "Average", x, [p[1] for p in points], [p[2] for p in points],
                    [p[3] for p in points], BLUE, minimum, digits=1 if nps else 2)
    y_range = (-105, 110) if nps else (0.8, 5.4)
    return Figure(f"chart-survey-{question.id}-trend", f"“{question.label}”: {'NPS' if nps else 'average'} per quarter",
                  {"data": traces, "layout": {**layout("NPS" if nps else "average (1–5)", y_range=y_range, height=260),
                                               "showlegend": False}},
                  ("Quarter", "NPS" if nps else "Average", "Answers"),
                  [(p[0], shown(p[1], 1 if nps else 2), p[2]) for p in points], small_sample_note(minimum))


def survey_charts(reports: Reports, survey: Survey, minimum: int) -> list[QuestionCharts]:
    """Per question of the survey: its distribution, its trend and (NPS) the promoter split."""
    distributions = reports.distributions
    chosen = distributions[distributions["survey"].to_numpy() == survey.id]
    by_question: dict[str, tuple[list[str], list[int], int]] = {}
    for question, answer, count, answered in zip(chosen["question"].tolist(), chosen["answer"].tolist(),
                                                 chosen["count"].tolist(), chosen["answered"].tolist()):
        answers, counts, _ = by_question.setdefault(question, ([], [], answered))
        answers.append(str(answer))
        counts.append(int(count))
    result = []
    for question in survey.questions:
        if question.type == "text":
            result.append(QuestionCharts(question, 0, None, None, None))
            continue
        answers, counts, answered = by_question.get(question.id, ([], [], 0))
        split = reports.survey_figures.splits.get((survey.id, question.id))
        points = reports.survey_figures.trends.get((survey.id, question.id), [])
        result.append(QuestionCharts(question, int(answered), _distribution(survey, question, answers, counts) if answers else None,
                                     _trend(question, points, minimum) if points else None, split))
    return result
