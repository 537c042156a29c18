"""Fit with the ideal client profile (`ideal_client` in site.yaml): PCs, servers, WAN."""

from __future__ import annotations

import numpy as np

from generator.metrics.inputs import Roster
from generator.model import IdealClient
from generator.plurals import plural


def _span(bounds: tuple[int, int]) -> str:
    low, high = bounds
    return f"{low}" if low == high else f"{low}–{high}"


def fit_issues(roster: Roster, ideal: IdealClient) -> list[list[str]]:
    """Per client, the deviations from the ideal profile as sentences; empty when the client fits.

    e.g. "60 PCs (ideal 10–35)", "4 servers (ideal 1–2)", "has a WAN (ideal: none)".
    """
    issues: list[list[str]] = [[] for _ in range(len(roster))]
    for values, bounds, noun in ((roster.pcs, ideal.pcs, "PC"), (roster.servers, ideal.servers, "server")):
        outside = (values < bounds[0]) | (values > bounds[1])
        for index in np.flatnonzero(outside):
            issues[index].append(f"{plural(int(values[index]), noun)} (ideal {_span(bounds)})")
    wrong_wan = roster.wan != ideal.wan
    for index in np.flatnonzero(wrong_wan):
        issues[index].append("no WAN (ideal: has one)" if ideal.wan else "has a WAN (ideal: none)")
    return issues
