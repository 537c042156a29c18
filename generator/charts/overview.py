"""The overview's charts: the satisfaction trend, contact frequency against satisfaction, and the
on-site heatmap (an HTML table: it needs no plotly and reads well in print and to a screen reader).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.charts.data import DashboardData
from generator.charts.spec import BLUE, ORANGE, Figure, layout, number, series, shown, small_sample_note
from generator.metrics import Reports
from generator.metrics.dates import last_full_months, month_label

TREND_QUARTERS = 12
# contacts a month: (at least, label) of each group of the contact-against-satisfaction chart
CONTACT_BANDS = ((0.0, "under 1"), (1.0, "1–2"), (2.0, "2–4"), (4.0, "4–8"), (8.0, "8 or more"))


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


def contact_rates(data: DashboardData) -> dict[str, float]:
    """Per client with counted months in the last 12 full months: its contacts a month over those."""
    months = set(month_label(last_full_months(data.as_of, 12)).tolist())
    rates: dict[str, float] = {}
    for client, rows in data.months.items():
        counted = [m for m in rows if m.counted and m.month in months]
        if counted:
            rates[client] = sum(m.total for m in counted) / len(counted)
    return rates


def contact_vs_satisfaction(data: DashboardData, rates: dict[str, float] | None = None) -> Figure:
    """Active clients grouped by contacts a month (last 12 full months, inside the agreement): pooled CSAT per group.

    Grouped rather than one point per client, so the chart and its table stay the same size
    however many clients there are; the correlation over every client is in the caption.
    `rates`: `contact_rates(data)`, when made already.
    """
    rates = contact_rates(data) if rates is None else rates
    highest_first = [(index, low) for index, (low, _) in reversed(list(enumerate(CONTACT_BANDS)))]
    bands: list[dict[str, Any]] = [{"label": label, "clients": 0, "csat": 0.0, "csat_n": 0, "nps": 0.0, "nps_n": 0}
                                   for _, label in CONTACT_BANDS]
    points: list[tuple[float, float]] = []
    for row in data.clients:
        if not row["active"]:
            continue
        per_month = rates.get(row["id"])
        if per_month is None:
            continue
        band = bands[next(i for i, low in highest_first if per_month >= low)]
        band["clients"] += 1
        csat, nps = number(row["csat_12m"]), number(row["nps_12m"])
        if csat is not None:  # CSAT and NPS are shares of answers: weighted by n they pool exactly
            band["csat"] += csat * row["csat_12m_n"]
            band["csat_n"] += row["csat_12m_n"]
            points.append((per_month, csat))
        if nps is not None:
            band["nps"] += nps * row["nps_12m_n"]
            band["nps_n"] += row["nps_12m_n"]
    labels = [band["label"] for band in bands]
    csat_values = [round(b["csat"] / b["csat_n"], 1) if b["csat_n"] else None for b in bands]
    nps_values = [round(b["nps"] / b["nps_n"], 1) if b["nps_n"] else None for b in bands]
    few = [b["csat_n"] < data.minimum for b in bands]
    table = [(b["label"], b["clients"], shown(c), b["csat_n"], shown(n), b["nps_n"])
             for b, c, n in zip(bands, csat_values, nps_values)]
    traces = series("CSAT", labels, csat_values, [b["csat_n"] for b in bands], few, BLUE, data.minimum, unit=" %")
    caption = "Contact frequency against satisfaction: CSAT of the active clients grouped by contacts a month (last 12 months)"
    if len(points) >= 3 and len({p[0] for p in points}) > 1 and len({p[1] for p in points}) > 1:
        r = float(np.corrcoef([p[0] for p in points], [p[1] for p in points])[0, 1])
        caption += f"; correlation r = {r:.2f} over {len(points)} clients"
    spec_layout = layout("CSAT %", x_title="contacts a month (all kinds)", y_range=(-5, 105), order=labels)
    return Figure("chart-overview-contact-satisfaction", caption, {"data": traces, "layout": spec_layout},
                  ("Contacts a month", "Clients", "CSAT %", "CSAT answers", "NPS", "NPS answers"), table,
                  "Does staying in touch keep clients happy? Groups to the right had more contact; higher up are more satisfied. "
                  + small_sample_note(data.minimum))


# each state of a heatmap cell in words, for the cell's accessible description
HEAT_WORDS = {
    "now": "this month so far", "outside": "not counted (outside the agreement or before tracking began)",
    "below": "below the minimum", "typical": "at or above the typical target", "met": "minimum met",
}


def onsite_heatmap(data: DashboardData) -> Heatmap:
    """Active clients × the 12 full months before A and A's month: on-site visits against the targets."""
    this_month = str(np.datetime64(data.as_of, "M"))
    labels = month_label(last_full_months(data.as_of, 12)).tolist() + [this_month]
    made: dict[tuple[str, str], HeatCell] = {}  # a few dozen distinct cells, shared by the rows (they are frozen)
    rows = []
    for row in data.clients:
        if not row["active"]:
            continue
        # a client's months are distinct, oldest first and none after A's month: the last 13 hold every one shown
        found = {m.month: m for m in data.months.get(row["id"], ())[-len(labels):]}
        cells = []
        for label in labels:
            month = found.get(label)
            visits = month.onsite if month else 0
            if label == this_month:
                state = "now"
            elif month is None or not month.counted:
                state = "outside"
            elif month.below_min:
                state = "below"
            elif visits >= row["onsite_typical"]:
                state = "typical"
            else:
                state = "met"
            text = "" if state == "outside" and not visits else str(visits)
            cell = made.get((text, state))
            if cell is None:
                cell = made[(text, state)] = HeatCell(text, state, HEAT_WORDS[state])
            cells.append(cell)
        rows.append(HeatRow(row["id"], row["name"], row["onsite_min"], row["onsite_typical"], cells))
    return Heatmap("chart-overview-onsite-heatmap", labels, rows)
