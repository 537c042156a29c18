"""HTML the dashboards repeat thousands of times, built in Python rather than in template loops.

A 1,000-client build writes about 600,000 table cells and 140,000 answers; escaping and joining
them here takes a tenth of the time of Jinja loops, and the output is the same markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
from collections.abc import Iterable, Sequence

import markupsafe

from generator.charts.data import Response
from generator.charts.spec import Figure
from generator.templates import markup, script_json

NONE = markupsafe.Markup('<span class="none">—</span>')
# the same labels, dates, scores and names are escaped thousands of times: each once
escape = functools.lru_cache(maxsize=1 << 16)(html.escape)
# what a template's `{{ value }}` writes (quotes as `&#34;`, `&#39;`), for markup moved out of a template
as_jinja = functools.lru_cache(maxsize=1 << 16)(markupsafe.escape)


def table_rows(rows: Iterable[Sequence[object]]) -> markupsafe.Markup:
    """`<tr>` elements: the first cell of each row a row header, every cell escaped."""
    parts = []
    for row in map(tuple, rows):
        try:  # a thousand client pages share a few thousand distinct rows; the types keep 1, 1.0 and True apart
            key = (row, tuple(map(type, row)))
            written = _ROWS.get(key)
        except TypeError:  # a cell that cannot be a key
            parts.append(_row(row))
            continue
        if written is None:
            if len(_ROWS) >= ROWS_KEPT:
                _ROWS.clear()
            written = _ROWS[key] = _row(row)
        parts.append(written)
    return markup("".join(parts))


# each distinct row written once: a dict rather than an lru_cache, whose every hit also moves its entry to the
# front of a list, memory that a page's other work has long pushed out of the processor's caches (some 5 % of a
# client page at 1,000 and 10,000 clients); emptied when full, as in a long-lived `rapport serve`
ROWS_KEPT = 1 << 16
_ROWS: dict[tuple[tuple[object, ...], tuple[type, ...]], str] = {}


def _row(row: tuple[object, ...]) -> str:
    cells = [str(value) if type(value) is int else escape(str(value)) for value in row]
    if len(cells) == 1:
        return f'<tr><th scope="row">{cells[0]}</th></tr>\n'
    return f'<tr><th scope="row">{cells[0]}</th><td>{"</td><td>".join(cells[1:])}</td></tr>\n'


def answer_item(label: str, text: str, free: bool) -> str:
    """A `<dt>`/`<dd>` pair of (question label, answer text, free text?), escaped; an unanswered
    question ('—') is marked, so the printed client review can leave it out."""
    classes = [name for name, holds in (("free-text", free), ("unanswered", text == "—")) if holds]
    kind = f' class="{" ".join(classes)}"' if classes else ""
    return f"<dt>{escape(label)}</dt><dd{kind}>{escape(text)}</dd>\n"


def response_anchor(survey_id: str, response_id: str) -> str:
    """A response's id on its client page, made from the response itself and not its place in the list, so a
    link to it stays true as responses arrive; a digest, since a response id is untrusted text of any shape."""
    # (survey, response_id) is unique (response ids are unique in their survey's file); 48 bits keep the
    # responses of one client page apart (~1e-11 of a clash at a hundred responses)
    hasher = _ANCHOR_HASHER.copy()  # a copy: half the time of a new one told its size (twenty thousand a build)
    hasher.update(f"{survey_id}\0{response_id}".encode("utf-8", "surrogatepass"))
    return f"response-{hasher.hexdigest()}"


_ANCHOR_HASHER = hashlib.blake2b(digest_size=6)  # never fed: what each anchor's hasher starts from


def response_article(anchor: str, response: Response, answers: str) -> str:
    """One response on a client page: its heading (date, survey, superseded?), the note of what
    replaced it, and its answers (`answer_item` each)."""
    replaced = response.replaced_by
    note = (f'<p class="note">Replaced by a later answer through the same link this round ({as_jinja(replaced)}); '
            'kept in the data, left out of every figure.</p>\n') if replaced else ""
    # joined, not formatted: an f-string copies each Markup (the date, the title, the answers) through its __format__
    return "".join([f'<article class="response" id="{anchor}" aria-labelledby="{anchor}-title">\n<h3 id="{anchor}-title">',
                    date_html(response.date), " · ", as_jinja(response.survey.title),
                    ' · <span class="superseded">superseded</span>' if replaced else "", "</h3>\n", note,
                    '<dl class="answers">\n', answers, "</dl>\n</article>\n"])


def chart_html(figure: Figure) -> markupsafe.Markup:
    """A chart with its text alternative: caption, the plot, a note and its numbers as a table."""
    head, middle = _chart_frame(figure.id, figure.caption, figure.note, tuple(figure.columns), figure.spec["layout"]["height"])
    return markup("".join([head, table_rows(figure.rows), middle, script_json(figure.spec), "</script>\n</figure>\n"]))


@functools.lru_cache(maxsize=1 << 10, typed=True)  # three charts on each client page, their captions and columns alike
def _chart_frame(name: str, caption: str, note: str, columns: tuple[str, ...], height: object) -> tuple[str, str]:
    """A chart's HTML before its table's rows, and from there to its spec."""
    name, caption = as_jinja(name), as_jinja(caption)
    note = f'<p class="note">{as_jinja(note)}</p>' if note else ""
    headers = "".join(f'<th scope="col">{as_jinja(column)}</th>' for column in columns)
    return (f'<figure class="chart" aria-labelledby="{name}-caption">\n<figcaption id="{name}-caption">{caption}</figcaption>\n'
            f'<div class="plot h{as_jinja(height)}" id="{name}" data-spec="{name}-spec" aria-hidden="true">'
            '<p class="plot-fallback">The chart draws with JavaScript; its numbers are in the table below.</p></div>\n'
            f'{note}<details class="chart-data"><summary>Numbers behind this chart</summary>\n'
            f'<div class="scroll"><table class="data compact">\n<caption>{caption}</caption>\n'
            f'<thead><tr>{headers}</tr></thead>\n<tbody>\n',
            f'</tbody>\n</table></div></details>\n<script type="application/json" id="{name}-spec">')


@functools.lru_cache(maxsize=1 << 12, typed=True)  # a page shows a few dozen dates, most of them on other pages too
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

