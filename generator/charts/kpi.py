"""The overview's KPI tiles: each portfolio figure with its n, a sparkline and its change.

The figures, per quarter and at the earlier quarter ends, are the metrics stage's
(generator/metrics/kpi.py); this draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.metrics import Reports
from generator.metrics.kpi import Point, per_quarter, snapshot
from generator.plurals import plural

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 36, 4


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
    spark_caption: str
    lines: list[str]      # SVG polyline point lists (a gap where a quarter had no figure)
    dot: tuple[float, float] | None
    hollow: list[tuple[float, float]]  # indicative points: fewer answers than the minimum
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
PER_QUARTER = {"nps": "NPS per quarter", "csat": "CSAT per quarter", "responses": "responses per quarter",
               "onsite": "share of client months at the minimum, per quarter"}


def kpi_tiles(reports: Reports) -> list[Tile]:
    """The six tiles of the overview."""
    earlier = reports.earlier
    now = snapshot(reports)
    quarters = per_quarter(reports)
    tiles = []
    for key, label, unit, higher_is_better, definition, digits in KPIS:
        points = quarters.get(key) or [item[key] for item in earlier] + [now[key]]
        caption = PER_QUARTER.get(key) or f"{label.lower()} at the last quarter ends and on the report date"
        tiles.append(_tile(key, label, unit, higher_is_better, definition, digits, now[key], earlier[-1][key], points, caption))
    return tiles


def _text(value: Any, digits: int) -> str:
    return "—" if value is None else (f"{value:.{digits}f}" if digits else f"{int(value):,}")


def _n_text(key: str, point: Point) -> str:
    if key in ("nps", "csat"):
        return f"n = {plural(point.n, 'answer', grouped=True)}"
    if key == "onsite":
        return f"n = {plural(point.n, 'client month', grouped=True)}"
    return f"of {plural(point.n, 'active client', grouped=True)}"


def _tile(key: str, label: str, unit: str, higher_is_better: bool, definition: str, digits: int,
          now: Point, before: Point, points: list[Point], caption: str) -> Tile:
    if now.value is None or before.value is None:
        change, verdict = (f"no figure on {before.label}" if before.value is None else "no figure now"), ""
    else:
        delta = round(float(now.value) - float(before.value), digits)
        if delta == 0:
            change, verdict = f"no change since {before.label}", "same"
        else:
            arrow = "▲" if delta > 0 else "▼"
            size = f"{abs(delta):.{digits}f}" if digits else f"{int(abs(delta)):,}"
            change = f"{arrow} {size}{' points' if unit == '%' or key == 'nps' else ''} since {before.label}"
            verdict = "better" if (delta > 0) == higher_is_better else "worse"
    lines, dot, hollow = sparkline([p.value for p in points], [p.indicative for p in points])
    return Tile(key, label, _text(now.value, digits), unit, _n_text(key, now), now.indicative, change, verdict,
                definition, f"spark-overview-{key.replace('_', '-')}", caption, lines, dot, hollow, points)


def sparkline(values: list[Any], indicative: list[bool] | None = None) -> tuple[list[str], tuple[float, float] | None, list[tuple[float, float]]]:
    """SVG polyline point lists, the last point, and the hollow points of a sparkline.

    None breaks the line. An indicative value (fewer answers than the minimum) is a hollow
    point, never joined into the line; a point with no neighbour is a zero-length line, drawn
    as a dot by its round cap.
    """
    indicative = indicative or [False] * len(values)
    present = [float(v) for v in values if v is not None]
    if not present:
        return [], None, []
    low, high = min(present), max(present)
    span = high - low or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    lines: list[str] = []
    hollow: list[tuple[float, float]] = []
    current: list[str] = []
    dot = None
    for index, (value, few) in enumerate(zip(values + [None], indicative + [False])):
        if value is None or few:
            if len(current) == 1:
                current.append(current[0])
            if current:
                lines.append(" ".join(current))
            current = []
            if value is None:
                continue
        x = round(SPARK_PAD + index * step, 1)
        y = round(SPARK_HEIGHT / 2 if high == low else SPARK_HEIGHT - SPARK_PAD - (float(value) - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD), 1)
        if few:
            hollow.append((x, y))
        else:
            current.append(f"{x:.1f},{y:.1f}")
        if index == len(values) - 1:
            dot = (x, y)
    return lines, dot, hollow
