"""The charts stage: plain-dict plotly figures and chart tables for every dashboard page.

`build_charts(portfolio, reports)` is a pure function of the metrics stage's result. Every
figure has a stable id (`chart-<page>-<name>`), a caption and its numbers as a table (the text
alternative), and follows the small-sample rule: fewer answers than `targets.min_responses`
are drawn as points with their n, never as a trend line.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Iterator, Mapping

from generator.charts.client import client_figures
from generator.charts.data import DashboardData, build_data
from generator.charts.kpi import Tile, kpi_tiles
from generator.charts.overview import Heatmap, contact_rates, contact_vs_satisfaction, onsite_heatmap, satisfaction_trend
from generator.charts.spec import Figure
from generator.charts.survey import QuestionCharts, responses_per_quarter, survey_charts
from generator.memo import NO_MEMO, Memo, held_for
from generator.metrics import Reports
from generator.model import Survey
from generator.portfolio import Portfolio

__all__ = [
    "Charts", "DashboardData", "Figure", "Heatmap", "QuestionCharts", "Tile", "build_charts",
]


class Charts:
    """Every chart of the dashboards, with the python rows the pages read.

    The rows (`data`) are made at once; each page's figures when first read, so that a build
    makes them in the render task of their page, on whichever core runs it.
    """

    def __init__(self, portfolio: Portfolio, reports: Reports, data: DashboardData, memo: Memo = NO_MEMO):
        self.portfolio = portfolio
        self.reports = reports
        self.data = data
        self.memo = memo  # where figures may be held for the next build of this process
        self.clients: Mapping[str, list[Figure]] = ClientFigures(data, portfolio.surveys)  # per client id

    @functools.cached_property
    def tiles(self) -> list[Tile]:
        """The overview's KPI tiles."""
        return kpi_tiles(self.reports)

    @functools.cached_property
    def overview(self) -> list[Figure]:
        """The satisfaction trend, and contact frequency against satisfaction."""
        # the contacts a month of each client are held while the months are (`heatmap`)
        rates = held_for(self.memo, "chart-contact-rates", self.data.months, lambda: contact_rates(self.data),
                         [self.data.as_of.isoformat().encode()])
        return [satisfaction_trend(self.reports, self.data.minimum), contact_vs_satisfaction(self.data, rates)]

    @functools.cached_property
    def heatmap(self) -> Heatmap:
        """On-site visits per client and month (held while the months and what it shows of each client are the same)."""
        shown = pickle.dumps([(row["id"], row["name"], row["active"], row["onsite_min"], row["onsite_typical"])
                              for row in self.data.clients])
        return held_for(self.memo, "chart-heatmap", self.data.months, lambda: onsite_heatmap(self.data),
                        [self.data.as_of.isoformat().encode(), shown])

    @functools.cached_property
    def surveys(self) -> dict[str, list[QuestionCharts]]:
        """Per survey id, one entry per question."""
        return {s.id: survey_charts(self.reports, s, self.data.minimum) for s in self.portfolio.surveys}

    @functools.cached_property
    def survey_responses(self) -> dict[str, Figure]:
        """Per survey id: responses per quarter."""
        return {s.id: responses_per_quarter(self.data, s) for s in self.portfolio.surveys}


def build_charts(portfolio: Portfolio, reports: Reports, memo: Memo = NO_MEMO) -> Charts:
    """Every figure of every dashboard page (each made when first read); no I/O. `memo`: where the rows the
    pages read may be held for the next build of this process (generator/charts/data.py)."""
    return Charts(portfolio, reports, build_data(portfolio, reports, memo), memo)


class ClientFigures(Mapping[str, list[Figure]]):
    """Each client's figures, made when asked for: a rebuild reuses most client pages as they were.

    Not kept once made: the client page reads them once, and keeping every client's figures
    would hold ~40 KB a client until the build ends (400 MB at 10,000 clients, in each process).
    """

    def __init__(self, data: DashboardData, surveys: tuple[Survey, ...]):
        self._data = data
        self._surveys = surveys

    def __getitem__(self, client_id: str) -> list[Figure]:
        if client_id not in self._data.by_id:
            raise KeyError(client_id)
        return client_figures(self._data, client_id, self._surveys)

    def __iter__(self) -> Iterator[str]:
        return (row["id"] for row in self._data.clients)

    def __len__(self) -> int:
        return len(self._data.clients)
