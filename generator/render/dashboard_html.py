"""HTML the dashboards repeat thousands of times, built in Python rather than in template loops.

A 1,000-client build writes about 600,000 table cells and 140,000 answers; escaping and joining
them here takes a tenth of the time of Jinja loops, and the output is the same markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Iterable, Sequence

import markupsafe

NONE = markupsafe.Markup('<span class="none">—</span>')
# the same labels, dates, scores and names are escaped thousands of times: each once
escape = functools.lru_cache(maxsize=1 << 16)(html.escape)


def table_rows(rows: Iterable[Sequence[object]]) -> markupsafe.Markup:
    """`<tr>` elements: the first cell of each row a row header, every cell escaped."""
    parts = []
    for row in rows:
        cells = [str(value) if type(value) is int else escape(str(value)) for value in row]
        parts.append(f'<tr><th scope="row">{cells[0]}</th>' + "".join(f"<td>{cell}</td>" for cell in cells[1:]) + "</tr>\n")
    return markupsafe.Markup("".join(parts))


def answer_list(answers: Iterable[tuple[str, str, bool]]) -> markupsafe.Markup:
    """`<dt>`/`<dd>` pairs of (question label, answer text, free text?), escaped; an unanswered
    question ('—') is marked, so the printed client review can leave it out."""
    def kind(free: bool, text: str) -> str:
        classes = [name for name, holds in (("free-text", free), ("unanswered", text == "—")) if holds]
        return f' class="{" ".join(classes)}"' if classes else ""

    return markupsafe.Markup("".join(
        f"<dt>{escape(label)}</dt><dd{kind(free, text)}>{escape(text)}</dd>\n"
        for label, text, free in answers))


def date_html(value: dt.date | None) -> markupsafe.Markup:
    """A date as `<time>`, or a dash."""
    if value is None:
        return NONE
    day = value.isoformat()
    return markupsafe.Markup(f'<time datetime="{day}">{day}</time>')


def risk_html(level: str | None) -> markupsafe.Markup:
    """The risk level as a badge, or a dash for clients that are not active."""
    if not level:
        return NONE
    level = escape(level)
    return markupsafe.Markup(f'<span class="risk risk-{level}">{level}</span>')


def figure_html(value: float | None, n: int, indicative: bool, unit: str = "") -> markupsafe.Markup:
    """An NPS or CSAT figure with its n; `*` (read out as 'indicative') below the minimum answers."""
    shown = NONE if value is None else f"{value:.1f}{escape(unit)}"
    flag = '<span class="indicative">*<span class="visually-hidden"> indicative</span></span>' if indicative and value is not None else ""
    return markupsafe.Markup(f'{shown}{flag} <span class="n">(n={int(n)})</span>')

