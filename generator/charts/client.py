"""A client page's charts: contacts by kind against the on-site targets, and satisfaction by quarter."""

from __future__ import annotations

import functools
from typing import Any

from generator.bounds import CONTACT_KINDS
from generator.charts.data import DashboardData, MeanRow, MonthRow
from generator.charts.spec import (
    BLUE,
    GREEN,
    KIND_COLOURS,
    KIND_NAMES,
    SERIES_COLOURS,
    VERMILION,
    Figure,
    every_quarter,
    layout,
    series,
    shown,
    small_sample_note,
)
from generator.model import Survey

TIMELINE_MONTHS = 24
LEGEND_CHARS = 48
# (kind, its field's place in a MonthRow, its hover template), in stacking order
_KIND_COLUMNS = tuple((kind, MonthRow._fields.index(kind), f"%{{x}}: %{{y}} {KIND_NAMES[kind].lower()}<extra></extra>")
                      for kind in CONTACT_KINDS)
_MIN, _TYPICAL = MonthRow._fields.index("onsite_min"), MonthRow._fields.index("onsite_typical")
# a month's on-site status, in words
_THIS_MONTH, _NOT_COUNTED = "this month so far", "not counted (outside the agreement or before tracking began)"
_BELOW, _MET = "below the minimum", "minimum met"


def contact_timeline(data: DashboardData, client_id: str) -> Figure | None:
    """Contacts per month by kind (last 24 months), with the on-site minimum and typical target as lines."""
    months = data.months.get(client_id, [])[-TIMELINE_MONTHS:]
    if not months:
        return None
    columns = list(zip(*months))  # a MonthRow's fields as columns: one pass rather than a getattr per kind and month
    x = list(columns[0])
    traces: list[dict[str, Any]] = []
    for kind, index, hover in _KIND_COLUMNS:  # on-site first: the bottom of each stack, read against the lines
        traces.append({
            "type": "bar", "name": KIND_NAMES[kind], "x": x, "y": list(columns[index]),
            "marker": {"color": KIND_COLOURS[kind]}, "hovertemplate": hover,
        })
    for name, index, colour, dash in (("On-site minimum", _MIN, VERMILION, "dash"),
                                      ("Typical on-site target", _TYPICAL, GREEN, "dot")):
        values = list(columns[index])
        traces.append({
            "type": "scatter", "mode": "lines", "name": f"{name} ({values[-1]} a month)", "x": x, "y": values,
            "line": {"color": colour, "width": 2, "dash": dash, "shape": "hvh"}, "hoverinfo": "skip",
        })
    this_month = str(data.as_of)[:7]
    # the row is the month's fields but its total, and the on-site status in words
    rows = [(month, onsite, remote, phone, email, low, typical,
             _THIS_MONTH if month == this_month else _NOT_COUNTED if not counted else _BELOW if below else _MET)
            for month, onsite, remote, phone, email, _, low, typical, counted, below in months]
    return Figure(
        "chart-client-contacts", f"Contacts by kind per month, last {len(months)} months, with the on-site targets",
        {"data": traces, "layout": layout("contacts", barmode="stack", height=320)},
        ("Month", "On-site", "Remote", "Phone", "E-mail", "On-site minimum", "Typical target", "On-site status"), rows,
        "Read the blue on-site part of each bar against the dashed minimum and dotted typical lines.",
    )


def rating_trends(data: DashboardData, client_id: str, surveys: tuple[Survey, ...]) -> Figure | None:
    """The mean of each rating question per quarter (1–5)."""
    rows = data.means.get(client_id, [])
    if not rows:
        return None
    quarters = every_quarter(sorted({r.quarter for r in rows}))
    traces: list[dict[str, Any]] = []
    table = []
    order = [(s, q) for s in surveys for q in s.questions if q.type == "rating"]
    by_question: dict[tuple[str, str], dict[str, MeanRow]] = {}
    for r in rows:  # one pass, rather than one per question
        by_question.setdefault((r.survey, r.question), {})[r.quarter] = r
    for index, (survey, question) in enumerate(order):
        chosen = by_question.get((survey.id, question.id))
        if not chosen:
            continue
        picked = [chosen[q] for q in quarters if q in chosen]  # in quarter order
        x, _, _, means, counts, few = (list(column) for column in zip(*picked))
        traces += series(_legend_name(survey.title, question.label), x, means, counts, few,
                         SERIES_COLOURS[index % len(SERIES_COLOURS)], data.minimum, digits=2)
        table += [(r.quarter, survey.title, question.label, shown(r.mean, 2), r.n) for r in picked]
    if not traces:
        return None
    return Figure(
        "chart-client-ratings", "Average rating per question and quarter (1 = worst, 5 = best)",
        {"data": traces, "layout": layout("average rating", y_range=(0.8, 5.4), height=380, order=quarters)},
        ("Quarter", "Survey", "Question", "Average", "Answers"), table, small_sample_note(data.minimum),
    )


@functools.lru_cache(maxsize=1024)
def _legend_name(title: str, label: str) -> str:
    """A question's name in a legend: its survey's title and its label, cut to LEGEND_CHARS (the same few on every page)."""
    return f"{title}: {label if len(label) <= LEGEND_CHARS else label[:LEGEND_CHARS - 1] + '…'}"


def nps_trend(data: DashboardData, client_id: str) -> Figure | None:
    """The client's NPS and CSAT per quarter."""
    rows = [r for r in data.quarters.get(client_id, []) if r.nps_n or r.csat_n]
    if not rows:
        return None
    x, _, nps, nps_n, nps_few, csat, csat_n, csat_few = (list(column) for column in zip(*rows))
    traces = series("NPS", x, nps, nps_n, nps_few, BLUE, data.minimum)
    traces += series("CSAT", x, csat, csat_n, csat_few, SERIES_COLOURS[1], data.minimum, unit=" %")
    table = [(r.quarter, r.responses, shown(r.nps), r.nps_n, shown(r.csat), r.csat_n) for r in rows]
    return Figure(
        "chart-client-nps", "NPS (−100 to 100) and CSAT (%) per quarter",
        {"data": traces, "layout": layout("score", y_range=(-105, 110))},
        ("Quarter", "Responses", "NPS", "NPS answers", "CSAT %", "CSAT answers"), table, small_sample_note(data.minimum),
    )


def client_figures(data: DashboardData, client_id: str, surveys: tuple[Survey, ...]) -> list[Figure]:
    """Every chart of one client page, in page order (those without data left out)."""
    found = (contact_timeline(data, client_id), nps_trend(data, client_id), rating_trends(data, client_id, surveys))
    return [figure for figure in found if figure is not None]

