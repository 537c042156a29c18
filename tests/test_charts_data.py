"""The dashboards' python rows (generator/charts/data.py): made faster, equal to what the plain way makes."""

from __future__ import annotations

import datetime as dt
import pickle

import pandas as pd

from generator.charts.data import MeanRow, grouped, split
from generator.charts.responses import Response, new_response
from generator.model import Survey

SURVEY = Survey.model_validate({"id": "review", "title": "Review", "questions": [
    {"id": "overall", "type": "rating", "label": "Overall?"}, {"id": "improve", "type": "text", "label": "Improve?"}]})


def test_a_response_made_fast_equals_one_made_by_its_class() -> None:
    fields = (SURVEY, "r-1", "acme", dt.date(2026, 3, 1), "2026-03-01T10:00:00Z", ("4", "More visits"), "r-2")
    fast, plain = new_response(*fields), Response(*fields)
    assert fast == plain
    assert pickle.dumps(fast) == pickle.dumps(plain)
    assert fast.answers() == [(SURVEY.questions[0], "4"), (SURVEY.questions[1], "More visits")]


def test_grouped_keeps_frame_order_within_each_key_and_keys_in_first_seen_order() -> None:
    frame = pd.DataFrame({
        "client": ["b", "a", "b", "c", "a"], "quarter": ["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q1", "2026-Q3"],
        "survey": ["s"] * 5, "question": ["q"] * 5, "mean": [4.0, 3.5, 2.0, 5.0, 1.0], "n": [2, 2, 1, 1, 1],
        "indicative": [True] * 5,
    })
    rows = grouped(frame, MeanRow)
    assert list(rows) == ["b", "a", "c"]
    assert [row.quarter for row in rows["b"]] == ["2026-Q1", "2026-Q2"]
    assert [row.mean for row in rows["a"]] == [3.5, 1.0]
    assert rows["c"] == [MeanRow("2026-Q1", "s", "q", 5.0, 1, True)]
    assert type(rows["c"][0]) is MeanRow


def test_split_of_nothing_is_empty() -> None:
    assert split([], pd.Series([], dtype=object).to_numpy()) == {}
