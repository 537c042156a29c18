"""The charts stage: plain-dict plotly figures and chart tables for every dashboard page.

`build_charts(portfolio, reports)` is a pure function of the metrics stage's result. Every
figure has a stable id (`chart-<page>-<name>`), a caption and its numbers as a table (the text
alternative), and follows the small-sample rule: fewer answers than `targets.min_responses`
are drawn as points with their n, never as a trend line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from generator.charts.client import client_figures
from generator.charts.data import DashboardData, build_data
from generator.charts.kpi import Point, Tile, earlier_snapshots, kpi_tiles, quarter_ends, snapshots_key
from generator.charts.overview import Heatmap, contact_vs_satisfaction, onsite_heatmap, satisfaction_trend
from generator.charts.spec import Figure
from generator.charts.survey import QuestionCharts, question_trends, responses_per_quarter, survey_charts
from generator.metrics import Reports
from generator.model import Survey
from generator.portfolio import Portfolio

__all__ = [
    "Charts", "DashboardData", "Figure", "Heatmap", "QuestionCharts", "Tile", "build_charts", "earlier_snapshots",
    "quarter_ends", "snapshots_key",
]


@dataclass(frozen=True)
class Charts:
    """Every chart of the dashboards, with the python rows the pages read."""

    data: DashboardData
    tiles: list[Tile]
    overview: list[Figure]                     # the satisfaction trend, contact frequency vs satisfaction
    heatmap: Heatmap
    clients: Mapping[str, list[Figure]]        # per client id (made when first read)
    surveys: dict[str, list[QuestionCharts]]   # per survey id, one entry per question
    survey_responses: dict[str, Figure]        # per survey id: responses per quarter


def build_charts(portfolio: Portfolio, reports: Reports, earlier: list[dict[str, Point]] | None = None) -> Charts:
    """Every figure of every dashboard page; no I/O.

    `earlier` is `earlier_snapshots(portfolio)` when a caller computed it already (a build does,
    beside the metrics stage); otherwise it is computed here.
    """
    data = build_data(portfolio, reports)
    trends = question_trends(portfolio, data.minimum)
    return Charts(
        data=data,
        tiles=kpi_tiles(portfolio, reports, earlier),
        overview=[satisfaction_trend(reports, data.minimum), contact_vs_satisfaction(data)],
        heatmap=onsite_heatmap(data),
        clients=ClientFigures(data, portfolio.surveys),
        surveys={s.id: survey_charts(reports, s, trends, data.minimum) for s in portfolio.surveys},
        survey_responses={s.id: responses_per_quarter(data, s) for s in portfolio.surveys},
    )


class ClientFigures(Mapping[str, list[Figure]]):
    """Each client's figures, made when first asked for: a rebuild reuses most client pages as they were."""

    def __init__(self, data: DashboardData, surveys: Sequence[Survey]):
        self._data = data
        self._surveys = surveys
        self._made: dict[str, list[Figure]] = {}

    def __getitem__(self, client_id: str) -> list[Figure]:
        if client_id not in self._made:
            if client_id not in self._data.by_id:
                raise KeyError(client_id)
            self._made[client_id] = client_figures(self._data, client_id, self._surveys)
        return self._made[client_id]

    def __iter__(self) -> Iterator[str]:
        return (row["id"] for row in self._data.clients)

    def __len__(self) -> int:
        return len(self._data.clients)
