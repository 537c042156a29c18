"""Time axes keep empty periods as visible gaps (issue #17): in every chart of a built demo, each line or
bar series over months or quarters, and each axis' category order, holds every period from its first
to its last, so a quarter without answers or a month without visits shows as a gap, never as no time."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from tests.test_dashboard_paging import demo_site

PERIOD = re.compile(r"\d{4}-(Q[1-4]|0[1-9]|1[0-2])")
SPEC = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)


def following(label: str) -> str:
    """The next quarter ('2025-Q4' → '2026-Q1') or month ('2025-12' → '2026-01')."""
    year = int(label[:4])
    if label[5] == "Q":
        quarter = int(label[-1])
        return f"{year + (quarter == 4)}-Q{quarter % 4 + 1}"
    month = int(label[5:7])
    return f"{year + (month == 12)}-{month % 12 + 1:02d}"


def broken(periods: list[str]) -> tuple[str, str] | None:
    """The first two neighbours with a period missing between them, else None."""
    for before, after in itertools.pairwise(periods):
        if following(before) != after:
            return before, after
    return None


def test_no_chart_drops_an_empty_period(tmp_path: Path) -> None:
    dashboard = demo_site(tmp_path, 45)
    checked, gaps = 0, []
    for page in sorted(dashboard.rglob("*.html")):
        for chart_id, text in SPEC.findall(page.read_text(encoding="utf-8")):
            spec = json.loads(text)
            axes = [(f"{name} order", axis.get("categoryarray") or []) for name, axis in spec["layout"].items()
                    if name.startswith("xaxis")]
            series = [(str(trace.get("name")), trace.get("x") or []) for trace in spec["data"]
                      if trace.get("type") == "bar" or "lines" in trace.get("mode", "lines")]
            for name, x in axes + series:
                if len(x) > 1 and all(isinstance(v, str) and PERIOD.fullmatch(v) for v in x):
                    checked += 1
                    if (pair := broken(x)) is not None:
                        gaps.append((page.relative_to(dashboard).as_posix(), chart_id, name, pair))
    assert checked > 50  # client, survey and overview charts over months and quarters
    assert gaps == []


def test_a_missing_period_is_found() -> None:
    assert broken(["2025-Q3", "2025-Q4", "2026-Q1"]) is None
    assert broken(["2025-11", "2025-12", "2026-01"]) is None
    assert broken(["2025-Q3", "2026-Q1"]) == ("2025-Q3", "2026-Q1")
    assert broken(["2025-11", "2026-01"]) == ("2025-11", "2026-01")
