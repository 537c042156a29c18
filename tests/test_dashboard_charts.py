"""The charts stage: plain-dict figures with stable ids, the small-sample rule, inert data text."""

from __future__ import annotations

import datetime as dt
import json

import orjson
import pytest

from generator.charts import build_charts
from generator.charts.kpi import sparkline
from generator.charts.spec import plotly_text, series, shown, template_text
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.metrics.kpi import quarter_ends
from tests.conftest import SAMPLE_DATA


@pytest.fixture(scope="module")
def sample_charts():
    portfolio = load_portfolio(SAMPLE_DATA)
    return portfolio, build_charts(portfolio, compute_reports(portfolio))


def test_fewer_answers_than_the_minimum_are_points_with_their_n_never_a_line() -> None:
    traces = series("NPS", ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"], [50.0, 20.0, 40.0, None],
                    [8, 3, 6, 0], [False, True, False, True], "#000", 5)
    line, points = traces
    assert line["mode"] == "lines+markers" and line["connectgaps"] is False
    assert line["y"] == [50.0, None, 40.0, None]  # the indicative quarter breaks the line
    assert points["mode"] == "markers+text"
    assert (points["x"], points["y"], points["text"]) == (["2026-Q2"], [20.0], ["n=3"])
    assert points["marker"]["symbol"] == "circle-open"


def test_a_nan_figure_is_no_figure_and_an_empty_quarter_breaks_the_line() -> None:
    nan = float("nan")  # what a metrics frame holds for a quarter without answers
    traces = series("NPS", ["2026-Q1", "2026-Q2", "2026-Q4"], [nan, 10.0, nan], [0, 7, 2], [True, False, True], "#000", 5)
    assert len(traces) == 1  # a NaN is no hollow point either
    line = traces[0]
    assert line["x"] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert line["y"] == [None, 10.0, None, None] and line["customdata"] == [0, 7, 0, 2]
    assert [shown(nan), shown(None), shown(4.256, 2), shown(66.66), shown(12), shown(3.14159, 5)] == \
        ["—", "—", "4.26", "66.7", "12", "3.14159"]


def test_a_series_with_enough_answers_has_no_point_trace() -> None:
    assert len(series("CSAT", ["a", "b"], [80.0, 90.0], [9, 9], [False, False], "#000", 5)) == 1


def test_data_text_is_inert_in_plotly() -> None:
    assert plotly_text('<a href="https://evil.example">x</a> & <br>') == '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; &lt;br&gt;'
    assert template_text("100% %{x}") == "100&#37; &#37;{x}"  # never a hovertemplate variable
    traces = series("<b>Q</b> %{y}", ["a"], [1.0], [9], [False], "#000", 5)
    assert traces[0]["name"] == "&lt;b&gt;Q&lt;/b&gt; %{y}"
    assert traces[0]["hovertemplate"].startswith("&lt;b&gt;Q&lt;/b&gt; &#37;{y}<br>%{x}")


def test_every_figure_is_plain_json_with_a_stable_id(sample_charts) -> None:
    portfolio, charts = sample_charts
    pages = {"overview": charts.overview, **{f"client {k}": v for k, v in charts.clients.items()},
             **{f"survey {k}": [q.distribution for q in v if q.distribution] + [q.trend for q in v if q.trend]
                + [charts.survey_responses[k]] for k, v in charts.surveys.items()}}
    for page, figures in pages.items():
        ids = [figure.id for figure in figures]
        assert len(ids) == len(set(ids)), page
        for figure in figures:
            assert figure.id.startswith("chart-")
            assert set(figure.spec) == {"data", "layout"}
            json.loads(orjson.dumps(figure.spec))  # plain data, no plotly objects
            assert figure.caption and figure.columns
            assert all(len(row) == len(figure.columns) for row in figure.rows)
    again = build_charts(portfolio, compute_reports(portfolio))
    assert orjson.dumps([f.spec for f in again.overview]) == orjson.dumps([f.spec for f in charts.overview])


def test_the_contact_timeline_draws_the_onsite_targets_as_lines(sample_charts) -> None:
    _, charts = sample_charts
    timeline = next(f for f in charts.clients["bayview-dental"] if f.id == "chart-client-contacts")
    bars = [t for t in timeline.spec["data"] if t["type"] == "bar"]
    lines = [t for t in timeline.spec["data"] if t["type"] == "scatter"]
    assert [t["name"] for t in bars] == ["On-site", "Remote", "Phone", "E-mail"]
    assert [t["name"] for t in lines] == ["On-site minimum (1 a month)", "Typical on-site target (2 a month)"]
    assert timeline.spec["layout"]["barmode"] == "stack"
    assert len(bars[0]["x"]) == 24 and bars[0]["x"][-1] == "2026-11"


def test_kpi_tiles_compare_with_the_previous_quarter_end(sample_charts) -> None:
    portfolio, charts = sample_charts
    assert quarter_ends(dt.date(2026, 11, 30), 4) == [dt.date(2025, 12, 31), dt.date(2026, 3, 31),
                                                      dt.date(2026, 6, 30), dt.date(2026, 9, 30)]
    assert quarter_ends(dt.date(2026, 9, 30), 1) == [dt.date(2026, 6, 30)]
    tiles = {tile.key: tile for tile in charts.tiles}
    assert list(tiles) == ["nps", "csat", "responses", "onsite", "overdue", "at_risk"]
    reports, earlier = compute_reports(portfolio), compute_reports(load_portfolio(SAMPLE_DATA, dt.date(2026, 9, 30)))
    at_risk = [p.value for p in tiles["at_risk"].points]
    assert at_risk[-2:] == [earlier.portfolio["clients_at_risk"], reports.portfolio["clients_at_risk"]]
    delta = reports.portfolio["nps_12m"] - earlier.portfolio["nps_12m"]
    assert tiles["nps"].change == f"{'▲' if delta > 0 else '▼'} {abs(delta):.1f} points since 2026-09-30"
    # per quarter, as the metrics stage gives it, with the small-sample rule
    quarterly = reports.portfolio_quarterly.tail(8)
    assert [p.label for p in tiles["nps"].points] == quarterly["quarter"].tolist()
    assert [p.value for p in tiles["csat"].points] == quarterly["csat"].tolist()
    assert len(tiles["nps"].hollow) == int(quarterly["nps_indicative"].sum())


def test_sparklines_break_where_a_quarter_has_no_figure() -> None:
    lines, dot, hollow = sparkline([1, 2, None, 4, None])
    assert len(lines) == 2 and len(lines[0].split()) == 2
    assert len(lines[1].split()) == 2  # a lone point is a zero-length line, drawn as a dot
    assert dot is None and hollow == []  # the last value is missing
    assert sparkline([None, None]) == ([], None, [])
    assert sparkline([3, 3])[1] == (116.0, 18.0)
    lines, dot, hollow = sparkline([1, 2, 3], [False, True, False])
    assert len(lines) == 2 and len(hollow) == 1  # an indicative value is a hollow point, not joined
