"""The charts stage: plain-dict plotly figures and chart tables for every dashboard page.

`build_charts(portfolio, reports)` is a pure function of the metrics stage's result. Every
figure has a stable id (`chart-<page>-<name>`), a caption and its numbers as a table (the text
alternative), and follows the small-sample rule: fewer answers than `targets.min_responses`
are drawn as points with their n, never as a trend line.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.charts.client import client_figures
from generator.charts.data import DashboardData, build_data
from generator.charts.kpi import Tile, kpi_tiles
from generator.charts.overview import Heatmap, contact_vs_satisfaction, onsite_heatmap, satisfaction_trend
from generator.charts.spec import Figure
from generator.charts.survey import QuestionCharts, question_trends, responses_per_quarter, survey_charts
from generator.metrics import Reports
from generator.portfolio import Portfolio

__all__ = ["Charts", "DashboardData", "Figure", "Heatmap", "QuestionCharts", "Tile", "build_charts"]


@dataclass(frozen=True)
class Charts:
    """Every chart of the dashboards, with the python rows the pages read."""

    data: DashboardData
    tiles: list[Tile]
    overview: list[Figure]                     # the satisfaction trend, contact frequency vs satisfaction
    heatmap: Heatmap
    clients: dict[str, list[Figure]]           # per client id
    surveys: dict[str, list[QuestionCharts]]   # per survey id, one entry per question
    survey_responses: dict[str, Figure]        # per survey id: responses per quarter


def build_charts(portfolio: Portfolio, reports: Reports) -> Charts:
    """Every figure of every dashboard page; no I/O."""
    data = build_data(portfolio, reports)
    trends = question_trends(portfolio, data.minimum)
    return Charts(
        data=data,
        tiles=kpi_tiles(portfolio, reports),
        overview=[satisfaction_trend(reports, data.minimum), contact_vs_satisfaction(data)],
        heatmap=onsite_heatmap(data),
        clients={row["id"]: client_figures(data, row["id"], portfolio.surveys) for row in data.clients},
        surveys={s.id: survey_charts(reports, s, trends, data.minimum) for s in portfolio.surveys},
        survey_responses={s.id: responses_per_quarter(data, s) for s in portfolio.surveys},
    )
