"""The overview's KPI tiles: each portfolio figure of docs/metrics.md with its n, a sparkline and its change.

- The change is against the end of the previous quarter: the metrics stage is simply run again
  with that report date (`compute_headline`, the metrics without their breakdowns, at an earlier
  `as_of`), so every tile compares the same figure by the same definition, and nothing is
  recomputed here.
- The sparkline of NPS, CSAT and responses is the metrics stage's figure per quarter (with its n;
  a quarter with fewer answers than the minimum is a hollow dot), and that of the on-site tile
  the share of client months meeting the minimum per quarter, both over the last 8 quarters.
  "Surveys overdue" and "clients at risk" exist only as of a date, so their line joins the
  counts at the last two quarter ends and today: two more headline runs (about 0.1 s each
  at 1,000 clients; a longer history would cost as much again per quarter).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.metrics import Headline, Reports, compute_headline
from generator.metrics.dates import last_full_months, month_label
from generator.metrics.rounding import percent_1dp
from generator.portfolio import Portfolio

QUARTERS = 8          # sparkline length of the per-quarter tiles
SNAPSHOTS = 2         # earlier quarter ends for the counts that exist only as of a date
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 36, 4


@dataclass(frozen=True)
class Point:
    """One figure of a sparkline: a quarter (`2026-Q3`) or a report date, its value and n."""

    label: str
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


def quarter_ends(as_of: dt.date, count: int) -> list[dt.date]:
    """The last days of the `count` quarters before A's quarter, oldest first."""
    ends: list[dt.date] = []
    start = dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1)
    for _ in range(count):
        end = start - dt.timedelta(days=1)
        ends.append(end)
        start = dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return ends[::-1]


def _share(met: int, n: int) -> float | None:
    return None if n == 0 else float(percent_1dp(np.array([met]), np.array([n]))[0])


def counted_months(reports: Reports | Headline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Month labels, counted flags and below-minimum flags of the active clients' months."""
    frame = reports.monthly_contacts
    active = set(reports.clients.loc[reports.clients["active"].to_numpy(dtype=bool), "id"].tolist())
    chosen = frame["client"].isin(active).to_numpy() & frame["counted"].to_numpy(dtype=bool)
    return frame["month"].to_numpy()[chosen], chosen[chosen], frame["below_min"].to_numpy(dtype=bool)[chosen]


def onsite_share(reports: Reports | Headline) -> tuple[float | None, int]:
    """% of counted client months of active clients in the last 12 full months meeting the minimum, and n."""
    months, _, below = counted_months(reports)
    last = np.isin(months, month_label(last_full_months(reports.as_of, 12)))
    n = int(last.sum())
    return _share(n - int(below[last].sum()), n), n


def snapshot(reports: Reports | Headline) -> dict[str, Point]:
    """Every KPI of one Reports."""
    p = reports.portfolio
    day, active = reports.as_of.isoformat(), int(p["clients_active"])
    share, months = onsite_share(reports)
    return {
        "nps": Point(day, p["nps_12m"], int(p["nps_12m_n"]), bool(p["nps_12m_indicative"])),
        "csat": Point(day, p["csat_12m"], int(p["csat_12m_n"]), bool(p["csat_12m_indicative"])),
        "responses": Point(day, int(p["responses_12m"]), active),
        "onsite": Point(day, share, months),
        "overdue": Point(day, int(p["clients_survey_overdue"]), active),
        "at_risk": Point(day, int(p["clients_at_risk"]), active),
    }


def per_quarter(reports: Reports) -> dict[str, list[Point]]:
    """The last 8 quarters of NPS, CSAT, responses and the on-site share."""
    frame = reports.portfolio_quarterly.tail(QUARTERS)
    columns = {name: frame[name].tolist() for name in frame.columns}
    quarters = columns["quarter"]
    series = {
        "nps": [Point(q, v, n, f) for q, v, n, f in zip(quarters, columns["nps"], columns["nps_n"], columns["nps_indicative"])],
        "csat": [Point(q, v, n, f) for q, v, n, f in zip(quarters, columns["csat"], columns["csat_n"], columns["csat_indicative"])],
        "responses": [Point(q, int(v), int(v)) for q, v in zip(quarters, columns["responses"])],
    }
    months, _, below = counted_months(reports)
    quarter_of_month = np.array([f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months.tolist()], dtype=object)
    labels = sorted(set(quarter_of_month.tolist()))[-QUARTERS:]
    series["onsite"] = []
    for label in labels:
        chosen = quarter_of_month == label
        n = int(chosen.sum())
        series["onsite"].append(Point(label, _share(n - int(below[chosen].sum()), n), n))
    return series


def earlier_snapshots(portfolio: Portfolio) -> list[dict[str, Point]]:
    """Every KPI at the last quarter ends before the report date, oldest first.

    A function of the portfolio alone, so a build can compute it beside the metrics stage.
    """
    return [snapshot(compute_headline(dataclasses.replace(portfolio, as_of=day)))
            for day in quarter_ends(portfolio.as_of, SNAPSHOTS)]


def snapshots_key(portfolio: Portfolio, records: bytes, frames_until: list[bytes]) -> list[bytes]:
    """What `earlier_snapshots` is a function of: settings, surveys, client records, the data up to the
    last quarter end (`frames_until`: digests of each frame's rows dated on or before it), and those dates.

    Every metric ignores what is dated after its report date (docs/metrics.md), so a new response or
    contact today leaves the earlier quarter ends as they were: a rebuild takes them from the cache.
    """
    return [portfolio.settings.model_dump_json().encode(), *(s.model_dump_json().encode() for s in portfolio.surveys),
            records, *frames_until, *(day.isoformat().encode() for day in quarter_ends(portfolio.as_of, SNAPSHOTS))]


def kpi_tiles(portfolio: Portfolio, reports: Reports, earlier: list[dict[str, Point]] | None = None) -> list[Tile]:
    """The six tiles of the overview (`earlier`: `earlier_snapshots(portfolio)`, made here when not given)."""
    earlier = earlier_snapshots(portfolio) if earlier is None else earlier
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
        return f"n = {point.n:,} answers"
    if key == "onsite":
        return f"n = {point.n:,} client months"
    return f"of {point.n:,} active clients"


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
