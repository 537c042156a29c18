"""Plain-dict plotly.js figure specifications: the shared layout, colours and the small-sample rule.

Figures are plain data (never `go.Figure`: it validates every attribute, ~100× slower) and are
serialised once, by the page, into a `<script type="application/json">` block. plotly.js renders
a subset of HTML in text, hover text, legend names and category labels, so every string that
comes from data goes through `plotly_text` first: it then shows literally, tags and all.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.plurals import plural

# Okabe–Ito: told apart with the common colour-vision deficiencies
BLUE, SKY, ORANGE, GREEN, VERMILION, PURPLE, GREY = (
    "#0072B2", "#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#8a8a8a")
SERIES_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION)
KIND_COLOURS = {"onsite": BLUE, "remote": SKY, "phone": ORANGE, "email": PURPLE}
PLOT_HEIGHTS = tuple(range(220, 621, 40))
KIND_NAMES = {"onsite": "On-site", "remote": "Remote", "phone": "Phone", "email": "E-mail"}
FIXED = tuple(f".{digits}f" for digits in range(4))  # format specs made once: `shown` is called 35 times a client page
_NO_FIGURE = (None, 0, False)  # (value, answers, indicative) of a quarter without answers
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Figure:
    """One chart: a stable DOM id, its caption, the plotly spec and its numbers as a table."""

    id: str                        # "chart-<page>-<name>", unique on its page, the same every build
    caption: str
    spec: dict[str, Any]           # {"data": [...], "layout": {...}} for Plotly.newPlot
    columns: tuple[str, ...]       # the text alternative: a table of the plotted numbers
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    note: str = ""                 # how to read it, e.g. the small-sample rule


def plotly_text(value: object) -> str:
    """Text from data made inert for plotly.js, which renders `<br>`, `<a href>`, `<span style>`…

    With `<` and `&` escaped no tag or entity of the data survives; plotly decodes these
    entities back, so the text shows as written. (It does not decode `&quot;`, and quotes
    outside a tag are harmless, so they stay.)
    """
    return html.escape(str(value), quote=False)


def number(value: object) -> float | int | None:
    """A finite number or None (NaN and None both mean 'no figure')."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value  # type: ignore[return-value]


def shown(value: object, digits: int = 1) -> str:
    """A figure as the tables show it: fixed decimals, '—' when there is none."""
    # `number` written in: a client page's tables show some 35 figures, 35,000 at 1,000 clients
    if value is None:
        return "—"
    if isinstance(value, float):
        if value != value:  # NaN, the one float unequal to itself
            return "—"
        if value and type(value) is float and digits < len(FIXED):  # not 0.0, which equals -0.0 but is written otherwise
            return _fixed(value, digits)
        return format(value, FIXED[digits] if digits < len(FIXED) else f".{digits}f")
    return str(value)


@functools.lru_cache(maxsize=1 << 14)  # the same means and scores on hundreds of client pages: each formatted once
def _fixed(value: float, digits: int) -> str:
    return format(value, FIXED[digits])


@functools.lru_cache(maxsize=256)  # a few heights, asked for by each of thousands of charts
def plot_height(pixels: int) -> int:
    """Heights come in steps the stylesheet reserves room for (`.plot.h220` … `.h620`), so nothing shifts."""
    return next((height for height in PLOT_HEIGHTS if height >= pixels), PLOT_HEIGHTS[-1])


def layout(y_title: str, *, x_title: str = "", height: int = 300, y_range: Sequence[float] | None = None,
           barmode: str | None = None, categories: bool = True, order: Sequence[str] | None = None) -> dict[str, Any]:
    """The shared layout: no zoom or drag (a dashboard is read, not explored), legend above."""
    y_axis: dict[str, Any] = {"title": {"text": y_title}, "fixedrange": True, "zeroline": False, "automargin": True}
    if y_range is not None:
        y_axis["range"] = list(y_range)
    x_axis: dict[str, Any] = {"fixedrange": True, "automargin": True}
    if categories:
        x_axis["type"] = "category"
    if order is not None:  # traces list their own categories; this fixes the axis order
        x_axis.update({"categoryorder": "array", "categoryarray": list(order)})
    if x_title:
        x_axis["title"] = {"text": x_title}
    spec: dict[str, Any] = {
        "height": plot_height(height), "margin": {"l": 56, "r": 16, "t": 12, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "showlegend": True, "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hovermode": "closest", "dragmode": False, "xaxis": x_axis, "yaxis": y_axis,
    }
    if barmode:
        spec["barmode"] = barmode
    return spec


def every_quarter(labels: Sequence[str]) -> list[str]:
    """Every quarter (`YYYY-Qn`) from the earliest to the latest of `labels`, the empty ones included.

    A time axis that skipped quarters without data would hide a gap in service; with every
    quarter on the axis and no value in the empty ones, the line breaks there.
    """
    return list(_every_quarter(tuple(labels)))


@functools.lru_cache(maxsize=4096)
def _every_quarter(labels: tuple[str, ...]) -> tuple[str, ...]:
    """`every_quarter`, kept: the client pages ask again and again for the same few hundred spans."""
    found = [_quarter_number(label) for label in labels]
    if not labels or None in found:
        return labels
    return _quarters_between(min(found), max(found))  # type: ignore[type-var]  # no None, checked above


@functools.cache
def _quarter_number(label: str) -> int | None:
    """Quarters since year 0 of a `YYYY-Qn` label, None for any other text (a few dozen labels: parsed once each)."""
    match = QUARTER.match(label)
    return int(match.group(1)) * 4 + int(match.group(2)) - 1 if match else None


@functools.cache
def _quarters_between(first: int, last: int) -> tuple[str, ...]:
    """The labels of quarters `first` … `last` (every client page asks for one of a few dozen spans)."""
    return tuple(f"{q // 4}-Q{q % 4 + 1}" for q in range(first, last + 1))


def template_text(value: object) -> str:
    """Data text for a hovertemplate: escaped, and `%` made an entity so `%{…}` is never a variable."""
    return plotly_text(value).replace("%", "&#37;")


def series(name: str, x: Sequence[str], y: Sequence[object], n: Sequence[int], indicative: Sequence[bool],
           colour: str, minimum: int, unit: str = "", digits: int = 1) -> list[dict[str, Any]]:
    """A trend over categories that obeys the small-sample rule (metrics issue #3).

    Values from at least `minimum` answers form a line; values from fewer are drawn as hollow
    points labelled with their n and never joined, so a trend is never read into them.
    """
    label, hover = _series_texts(name, unit, digits)
    full = _every_quarter(tuple(x))
    if len(full) != len(x):  # empty quarters: no value, so the line breaks (connectgaps is off)
        at = {xi: (value, k, few) for xi, value, k, few in zip(x, y, n, indicative)}
        x = full
        y, n, indicative = zip(*(at.get(q, _NO_FIGURE) for q in full))
    # what `number` does, written in (a few thousand series a build): None and NaN (unequal to itself) are no figure
    solid_y = [None if few else value if value == value else None for value, few in zip(y, indicative)]
    few_x: list[str] = []
    few_y: list[object] = []
    few_n: list[int] = []
    if True in indicative:
        for xi, value, k, few in zip(x, y, n, indicative):
            if few and value is not None and value == value:
                few_x.append(xi)
                few_y.append(value)
                few_n.append(k)
    traces: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines+markers", "name": label, "legendgroup": label,
        "x": list(x), "y": solid_y, "customdata": list(n), "connectgaps": False,
        "hovertemplate": hover + "<extra></extra>",
        "line": {"color": colour, "width": 2}, "marker": {"color": colour, "size": 7},
    }]
    if few_x:
        traces.append({
            "type": "scatter", "mode": "markers+text", "name": f"{label}: fewer than {plural(minimum, 'answer')}",
            "legendgroup": label, "x": few_x, "y": few_y, "customdata": few_n,
            "text": [f"n={k}" for k in few_n], "textposition": "top center", "textfont": {"color": colour, "size": 11},
            "hovertemplate": hover + ", indicative<extra></extra>",
            "marker": {"color": colour, "size": 9, "symbol": "circle-open", "line": {"width": 2}},
        })
    return traces


@functools.lru_cache(maxsize=4096)
def _series_texts(name: str, unit: str, digits: int) -> tuple[str, str]:
    """A series' legend name and hover template (the same few questions on every client page: made once each)."""
    return plotly_text(name), f"{template_text(name)}<br>%{{x}}: %{{y:.{digits}f}}{unit} (n=%{{customdata}})"


def small_sample_note(minimum: int) -> str:
    """The caption note shared by every trend."""
    return (f"Figures from fewer than {plural(minimum, 'answer')} are indicative: drawn as hollow points "
            "with their n, never joined into a line.")
