"""The overview's KPI tiles: each §3 portfolio figure with its n, a sparkline and its change.

A tile's sparkline shows the same figure, by the same definition, at the end of each of the
last four quarters and on A: the metrics stage is simply run again with those report dates
(`compute_reports` at an earlier `as_of`), so nothing is recomputed here. The change is
against the previous point, the end of the previous quarter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.metrics import Reports, compute_reports
from generator.metrics.dates import last_full_months, month_label
from generator.metrics.rounding import percent_1dp
from generator.portfolio import Portfolio

HISTORY_QUARTERS = 4
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 36, 4


@dataclass(frozen=True)
class Point:
    """One figure at one report date."""

    day: dt.date
    value: float | int | None
    n: int
    indicative: bool = False


@dataclass(frozen=True)
class Tile:
    """One KPI tile, ready to show."""

    key: str
    label: str
    value: str
    unit: str
    n: str
    indicative: bool
    change: str
    verdict: str          # "better", "worse", "same" or "" (no earlier figure)
    definition: str
    spark_id: str
    lines: list[str]      # SVG polyline point lists (a gap where a quarter had no figure)
    dot: tuple[float, float] | None
    points: list[Point]


# key, label, unit, higher is better, definition, digits
KPIS: tuple[tuple[str, str, str, bool, str, int], ...] = (
    ("nps", "NPS, 12 months", "", True, "% promoters (9–10) − % detractors (0–6) over all NPS answers of active clients in the 365 days to the report date", 1),
    ("csat", "CSAT, 12 months", "%", True, "share of CSAT answers of 4 or 5 (of 5), active clients, 365 days to the report date", 1),
    ("responses", "Responses, 12 months", "", True, "survey responses from active clients in the 365 days to the report date", 0),
    ("onsite", "Months at on-site minimum", "%", True, "share of client months (the 12 full months before the report month, inside each agreement) with at least the client's minimum of on-site visits", 1),
    ("overdue", "Surveys overdue", "", False, "active clients whose next survey was due before the report date", 0),
    ("at_risk", "Clients at risk", "", False, "active clients whose renewal risk is high or medium", 0),
)


def quarter_ends(as_of: dt.date, count: int) -> list[dt.date]:
    """The last days of the `count` quarters before A's quarter, oldest first."""
    ends: list[dt.date] = []
    start = dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1)
    for _ in range(count):
        end = start - dt.timedelta(days=1)
        ends.append(end)
        start = dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return ends[::-1]


def onsite_share(reports: Reports) -> tuple[float | None, int]:
    """% of counted client months of active clients in the last 12 full months meeting the minimum, and n."""
    months = set(month_label(last_full_months(reports.as_of, 12)).tolist())
    frame = reports.monthly_contacts
    active = set(reports.clients.loc[reports.clients["active"].to_numpy(dtype=bool), "id"].tolist())
    chosen = frame["counted"].to_numpy(dtype=bool) & frame["month"].isin(months).to_numpy() & frame["client"].isin(active).to_numpy()
    n = int(chosen.sum())
    met = n - int((chosen & frame["below_min"].to_numpy(dtype=bool)).sum())
    share = float(percent_1dp(np.array([met]), np.array([n]))[0])
    return (None if n == 0 else share), n


def snapshot(reports: Reports) -> dict[str, Point]:
    """Every KPI of one Reports."""
    p = reports.portfolio
    day, active = reports.as_of, int(p["clients_active"])
    share, months = onsite_share(reports)
    return {
        "nps": Point(day, p["nps_12m"], int(p["nps_12m_n"]), bool(p["nps_12m_indicative"])),
        "csat": Point(day, p["csat_12m"], int(p["csat_12m_n"]), bool(p["csat_12m_indicative"])),
        "responses": Point(day, int(p["responses_12m"]), active),
        "onsite": Point(day, share, months),
        "overdue": Point(day, int(p["clients_survey_overdue"]), active),
        "at_risk": Point(day, int(p["clients_at_risk"]), active),
    }


def history(portfolio: Portfolio, reports: Reports) -> list[dict[str, Point]]:
    """Snapshots at the last quarter ends and at A, oldest first."""
    earlier = [compute_reports(dataclasses.replace(portfolio, as_of=day)) for day in quarter_ends(reports.as_of, HISTORY_QUARTERS)]
    return [snapshot(item) for item in earlier] + [snapshot(reports)]


def kpi_tiles(portfolio: Portfolio, reports: Reports) -> list[Tile]:
    """The six tiles of the overview."""
    snapshots = history(portfolio, reports)
    tiles = []
    for key, label, unit, higher_is_better, definition, digits in KPIS:
        points = [item[key] for item in snapshots]
        tiles.append(_tile(key, label, unit, higher_is_better, definition, digits, points))
    return tiles


def _text(value: Any, digits: int) -> str:
    return "—" if value is None else (f"{value:.{digits}f}" if digits else f"{int(value):,}")


def _n_text(key: str, point: Point) -> str:
    if key in ("nps", "csat"):
        return f"n = {point.n:,} answers"
    if key == "onsite":
        return f"n = {point.n:,} client months"
    return f"of {point.n:,} active clients"


def _tile(key: str, label: str, unit: str, higher_is_better: bool, definition: str, digits: int,
          points: list[Point]) -> Tile:
    now, before = points[-1], points[-2]
    if now.value is None or before.value is None:
        change, verdict = f"no figure on {before.day.isoformat()}" if before.value is None else "no figure now", ""
    else:
        delta = round(float(now.value) - float(before.value), digits)
        if delta == 0:
            change, verdict = f"no change since {before.day.isoformat()}", "same"
        else:
            arrow = "▲" if delta > 0 else "▼"
            size = f"{abs(delta):.{digits}f}" if digits else f"{int(abs(delta)):,}"
            change = f"{arrow} {size}{' points' if unit == '%' or key == 'nps' else ''} since {before.day.isoformat()}"
            verdict = "better" if (delta > 0) == higher_is_better else "worse"
    lines, dot = sparkline([p.value for p in points])
    return Tile(key, label, _text(now.value, digits), unit, _n_text(key, now), now.indicative, change, verdict,
                definition, f"spark-overview-{key.replace('_', '-')}", lines, dot, points)


def sparkline(values: list[Any]) -> tuple[list[str], tuple[float, float] | None]:
    """SVG polyline point lists for the values (None breaks the line) and the last point.

    A point with no neighbour becomes a zero-length line, drawn as a dot by its round cap.
    """
    present = [float(v) for v in values if v is not None]
    if not present:
        return [], None
    low, high = min(present), max(present)
    span = high - low or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    lines: list[str] = []
    current: list[str] = []
    dot = None
    for index, value in enumerate(values + [None]):
        if value is None:
            if len(current) == 1:
                current.append(current[0])
            if current:
                lines.append(" ".join(current))
            current = []
            continue
        x = SPARK_PAD + index * step
        y = SPARK_HEIGHT / 2 if high == low else SPARK_HEIGHT - SPARK_PAD - (float(value) - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD)
        current.append(f"{x:.1f},{y:.1f}")
        dot = (round(x, 1), round(y, 1)) if index == len(values) - 1 else dot
    return lines, dot
