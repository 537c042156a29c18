"""The portfolio's key figures at one report date, per quarter, and at the last quarter ends (docs/metrics.md).

- The change of a figure is against the end of the previous quarter: the metrics are simply
  computed again with that report date (`compute_headline` at an earlier `as_of`), so every
  figure is compared with the same figure by the same definition.
- Per quarter, NPS, CSAT and responses are the metrics' own quarterly figures (with n); the
  on-site figure is the share of client months meeting the minimum, over the last 8 quarters.
  "Surveys overdue" and "clients at risk" exist only as of a date: they are taken at the last
  two quarter ends and the report date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from generator.digests import digest
from generator.memo import NO_MEMO, Memo, held_for
from generator.metrics.dates import last_full_months, month_label
from generator.metrics.headline import Headline, compute_headline
from generator.metrics.rounding import percent_1dp
from generator.portfolio import Portfolio

if TYPE_CHECKING:
    from generator.metrics import Reports

QUARTERS = 8          # how many quarters the per-quarter figures cover
SNAPSHOTS = 2         # earlier quarter ends for the counts that exist only as of a date
SNAPSHOTS_ENTRY = "kpi-snapshots"  # the memo entry of earlier_snapshots, read alone by kept_snapshots


@dataclass(frozen=True)
class Point:
    """One figure of a sparkline: a quarter (`2026-Q3`) or a report date, its value and n."""

    label: str
    value: float | int | None
    n: int
    indicative: bool = False


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


def counted_months(reports: Headline | Reports) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Month labels, counted flags and below-minimum flags of the active clients' months."""
    frame = reports.monthly_contacts
    active = set(reports.clients.loc[reports.clients["active"].to_numpy(dtype=bool), "id"].tolist())
    chosen = frame["client"].isin(active).to_numpy() & frame["counted"].to_numpy(dtype=bool)
    return frame["month"].to_numpy()[chosen], chosen[chosen], frame["below_min"].to_numpy(dtype=bool)[chosen]


def onsite_share(reports: Headline | Reports) -> tuple[float | None, int]:
    """% of counted client months of active clients in the last 12 full months meeting the minimum, and n."""
    months, _, below = counted_months(reports)
    # a few dozen distinct months among tens of thousands of client months: each looked up once
    codes, distinct = pd.factorize(months)
    last = np.isin(np.asarray(distinct, dtype=object), month_label(last_full_months(reports.as_of, 12)))[codes]
    n = int(last.sum())
    return _share(n - int(below[last].sum()), n), n


def snapshot(reports: Headline | Reports) -> dict[str, Point]:
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
    codes, distinct = pd.factorize(months)  # a few dozen distinct months among tens of thousands of client months
    named = [f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in distinct.tolist()]
    labels = sorted(set(named))[-QUARTERS:]
    position = {label: index for index, label in enumerate(labels)}
    quarter = np.array([position.get(label, -1) for label in named], dtype=np.int64)[codes]  # -1: an older quarter
    shown = quarter >= 0
    counts = np.bincount(quarter[shown], minlength=len(labels))
    below_counts = np.bincount(quarter[shown & below], minlength=len(labels))
    series["onsite"] = [Point(label, _share(int(counts[index]) - int(below_counts[index]), int(counts[index])),
                              int(counts[index])) for index, label in enumerate(labels)]
    return series


def earlier_snapshots(portfolio: Portfolio, memo: Memo = NO_MEMO, key: list[bytes] | None = None) -> list[dict[str, Point]]:
    """Every KPI at the last quarter ends before the report date, oldest first.

    Every metric ignores what is dated after its report date (docs/metrics.md), so a new
    response or contact today leaves the earlier quarter ends as they were: the memo keeps them
    under a digest of the data dated up to the last of those ends (`snapshots_key`, made when not given).
    """
    ends = quarter_ends(portfolio.as_of, SNAPSHOTS)
    return memo.load(SNAPSHOTS_ENTRY, key if key is not None else snapshots_key(portfolio), lambda: [
        snapshot(compute_headline(dataclasses.replace(portfolio, as_of=day))) for day in ends], [])


def kept_snapshots(portfolio: Portfolio, memo: Memo = NO_MEMO, key: list[bytes] | None = None) -> list[dict[str, Point]] | None:
    """What `earlier_snapshots` gives when the memo kept it (a rebuild in the same quarter), else None."""
    kept: list[dict[str, Point]] | None = memo.get(SNAPSHOTS_ENTRY, key if key is not None else snapshots_key(portfolio))
    return kept


def snapshots_key(portfolio: Portfolio, memo: Memo = NO_MEMO) -> list[bytes]:
    """What the earlier snapshots are a function of: the data dated up to the last quarter end before the report date
    (the part of each unchanged frame held in `memo` from this process's last build)."""
    return _data_until(portfolio, quarter_ends(portfolio.as_of, SNAPSHOTS)[-1], memo)


def _data_until(portfolio: Portfolio, day: dt.date, memo: Memo = NO_MEMO) -> list[bytes]:
    """What the snapshots are a function of: settings, surveys, client records, the rows dated up to `day` (a digest
    of each frame's, held in `memo` while the frame is the very one the memo kept: a new response leaves the
    contacts' 130,000 rows as they were)."""
    until = pd.Timestamp(day)
    frames = {"contacts": portfolio.contacts, **{f"responses/{s.id}": portfolio.responses[s.id] for s in portfolio.surveys}}
    rows = [held_for(memo, f"snapshot-rows-{name}", frame, functools.partial(_rows_until, portfolio, name, frame, until),
                     [day.isoformat().encode()]) for name, frame in frames.items()]
    return [portfolio.settings.model_dump_json().encode(), *(s.model_dump_json().encode() for s in portfolio.surveys),
            *(text.encode() for text in portfolio.records_json.values()), *rows, day.isoformat().encode()]


def _rows_until(portfolio: Portfolio, name: str, frame: pd.DataFrame, until: pd.Timestamp) -> bytes:
    """A digest of the hashes of the frame's rows dated up to `until` (`name`: the frame's in `Portfolio.hashes`)."""
    return digest(portfolio.hashes(name)[(frame["date"] <= until).to_numpy()].tobytes() if len(frame) else b"")


