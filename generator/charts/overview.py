"""The overview's charts: the satisfaction trend, contact frequency against satisfaction, and the
on-site heatmap (an HTML table: it needs no plotly and reads well in print and to a screen reader).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.charts.data import DashboardData
from generator.charts.spec import BLUE, ORANGE, Figure, layout, number, plotly_text, series, shown, small_sample_note
from generator.metrics import Reports
from generator.metrics.dates import last_full_months, month_label

TREND_QUARTERS = 12


@dataclass(frozen=True)
class HeatCell:
    """One client month: on-site visits and how they compare with the targets."""

    text: str
    state: str   # "below", "met", "typical", "now" (the report month, still running), "outside"
    label: str   # the state in words, for the cell's accessible description


@dataclass(frozen=True)
class HeatRow:
    """One client's row: its targets and a cell per month."""

    client_id: str
    name: str
    minimum: int
    typical: int
    cells: list[HeatCell]


@dataclass(frozen=True)
class Heatmap:
    """Active clients × months, drawn as an HTML table with a stable id."""

    id: str
    months: list[str]
    rows: list[HeatRow]


def satisfaction_trend(reports: Reports, minimum: int) -> Figure:
    """Portfolio NPS and CSAT per quarter (active clients, no anonymous answers)."""
    frame = reports.portfolio_quarterly.tail(TREND_QUARTERS)
    quarters = frame["quarter"].tolist()
    columns = {name: frame[name].tolist() for name in frame.columns}
    data = series("NPS", quarters, columns["nps"], columns["nps_n"], columns["nps_indicative"], BLUE, minimum)
    data += series("CSAT", quarters, columns["csat"], columns["csat_n"], columns["csat_indicative"], ORANGE, minimum, unit=" %")
    rows = [(q, r, shown(nps), nn, shown(csat), cn) for q, r, nps, nn, csat, cn in zip(
        quarters, columns["responses"], columns["nps"], columns["nps_n"], columns["csat"], columns["csat_n"])]
    return Figure(
        "chart-overview-satisfaction", "Portfolio satisfaction by quarter: NPS (−100 to 100) and CSAT (%)",
        {"data": data, "layout": layout("score", y_range=(-100, 105))},
        ("Quarter", "Responses", "NPS", "NPS answers", "CSAT %", "CSAT answers"), rows, small_sample_note(minimum),
    )


def contact_vs_satisfaction(data: DashboardData) -> Figure:
    """Per active client: contacts a month (last 12 full months, inside the agreement) against CSAT."""
    months = set(month_label(last_full_months(data.as_of, 12)).tolist())
    table: list[tuple[Any, ...]] = []
    solid: list[tuple[float, float, int, str]] = []
    few: list[tuple[float, float, int, str]] = []
    for row in data.clients:
        if not row["active"]:
            continue
        counted = [m for m in data.months.get(row["id"], ()) if m.counted and m.month in months]
        per_month = round(sum(m.total for m in counted) / len(counted), 1) if counted else None
        csat, nps = number(row["csat_12m"]), number(row["nps_12m"])
        table.append((row["name"], shown(per_month), shown(csat), row["csat_12m_n"], shown(nps), row["nps_12m_n"]))
        if per_month is None or csat is None:
            continue
        point = (per_month, csat, row["csat_12m_n"],
                 f"{plotly_text(row['name'])}<br>{per_month:.1f} contacts a month<br>CSAT {csat:.1f} % (n={row['csat_12m_n']})"
                 f"<br>NPS {shown(nps)} (n={row['nps_12m_n']})")
        (few if row["csat_12m_indicative"] else solid).append(point)
    traces = [{
        "type": "scatter", "mode": "markers", "name": "CSAT", "x": [p[0] for p in solid], "y": [p[1] for p in solid],
        "hovertext": [p[3] for p in solid], "hoverinfo": "text", "marker": {"color": BLUE, "size": 10, "opacity": 0.8},
    }]
    if few:
        traces.append({
            "type": "scatter", "mode": "markers+text", "name": f"CSAT from fewer than {data.minimum} answers",
            "x": [p[0] for p in few], "y": [p[1] for p in few], "text": [f"n={p[2]}" for p in few],
            "textposition": "top center", "hovertext": [p[3] + " (indicative)" for p in few], "hoverinfo": "text",
            "marker": {"color": ORANGE, "size": 10, "symbol": "circle-open", "line": {"width": 2}},
        })
    points = solid + few
    caption = "Contact frequency against satisfaction, one point per active client (last 12 months)"
    if len(points) >= 3 and len({p[0] for p in points}) > 1 and len({p[1] for p in points}) > 1:
        r = float(np.corrcoef([p[0] for p in points], [p[1] for p in points])[0, 1])
        caption += f"; correlation r = {r:.2f} over {len(points)} clients"
    spec_layout = layout("CSAT %", x_title="contacts a month (all kinds)", y_range=(-5, 105), categories=False)
    return Figure("chart-overview-contact-satisfaction", caption, {"data": traces, "layout": spec_layout},
                  ("Client", "Contacts a month", "CSAT %", "CSAT answers", "NPS", "NPS answers"), table,
                  "Does staying in touch keep clients happy? Points to the right had more contact; points higher up are more satisfied. "
                  + f"Hollow points rest on fewer than {data.minimum} answers.")


def onsite_heatmap(data: DashboardData) -> Heatmap:
    """Active clients × the 12 full months before A and A's month: on-site visits against the targets."""
    this_month = str(np.datetime64(data.as_of, "M"))
    labels = month_label(last_full_months(data.as_of, 12)).tolist() + [this_month]
    rows = []
    for row in data.clients:
        if not row["active"]:
            continue
        found = {m.month: m for m in data.months.get(row["id"], ())}
        cells = []
        for label in labels:
            month = found.get(label)
            visits = month.onsite if month else 0
            if label == this_month:
                state, words = "now", "this month so far"
            elif month is None or not month.counted:
                state, words = "outside", "not counted (outside the agreement or before tracking began)"
            elif month.below_min:
                state, words = "below", "below the minimum"
            elif visits >= row["onsite_typical"]:
                state, words = "typical", "at or above the typical target"
            else:
                state, words = "met", "minimum met"
            cells.append(HeatCell("" if state == "outside" and not visits else str(visits), state, words))
        rows.append(HeatRow(row["id"], row["name"], row["onsite_min"], row["onsite_typical"], cells))
    return Heatmap("chart-overview-onsite-heatmap", labels, rows)
