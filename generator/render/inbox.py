"""The feedback inbox: every free-text answer, newest first, with client, date and scores.

It is a plain list that works without JavaScript: the newest `dashboards.page_size` answers on
`inbox.html`, the older ones on archive pages of as many, numbered from the oldest
(`inbox-archive-1.html`, …; generator/metrics/paging.py), so that a new answer leaves the full
archive pages as they were. inbox.js adds filters by client, survey and score that only hide and
show the items of the page, reading the `data-*` attributes written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import markupsafe

from generator.charts.data import Comment
from generator.files import OutputFile
from generator.model import Survey
from generator.render.dashboard_common import DashboardSite
from generator.render.dashboard_html import escape, response_anchor
from generator.render.paging import ArchivePager, archive_pages

SCORE_FILTERS = (
    ("", "Any score"),
    ("detractor", "NPS detractors (0–6)"),
    ("passive", "NPS passives (7–8)"),
    ("promoter", "NPS promoters (9–10)"),
    ("unhappy", "CSAT unhappy (1–3)"),
    ("satisfied", "CSAT satisfied (4–5)"),
    ("unscored", "No NPS or CSAT answer"),
)


def score_text(survey: Survey | None, scores: dict[str, int]) -> str:
    """The respondent's scores in words: 'Overall… 3 of 5 · Recommend… 6 of 10'."""
    if survey is None:
        return ""
    parts = []
    for question in survey.questions:
        if question.id in scores:
            top = 10 if question.type == "nps" else 5
            parts.append(f"{'NPS' if question.type == 'nps' else question.label} {scores[question.id]} of {top}")
    return " · ".join(parts)


Row = Comment  # a written answer as its pages take it (generator/charts/data.py)


def named_comments(site: DashboardSite) -> list[Row]:
    """Every free-text answer (generator/charts/data.py `comments`, newest first) with its client's name: all that its
    `<li>` shows besides the surveys, for the inbox and the answer lists."""
    return site.charts.data.comments


def inbox_items(site: DashboardSite, rows: Iterable[Row]) -> list[dict[str, Any]]:
    """The rows ready to show and to filter, made from them and the surveys alone.

    Each item carries its `<li>`, escaped once here: an answer shows on the inbox and on its survey's
    answer list. The link to the client's page is relative, so the HTML is kept in parts to be
    joined by the page's `root`.
    """
    if "surveys" not in site.cache:
        site.cache["surveys"] = ({s.id: s for s in site.portfolio.surveys},
                                 {s.id: {q.id: q.label for q in s.questions} for s in site.portfolio.surveys}, {})
    surveys, labels, words = site.cache["surveys"]  # words: a few score combinations recur thousands of times
    items = []
    for survey_id, question, response_id, client, day, text, scores, bands, name in rows:
        survey = surveys.get(survey_id)
        said = words.get((survey_id, scores))
        if said is None:
            said = words[survey_id, scores] = score_text(survey, dict(scores))
        item = {
            "survey": survey_id, "client": client, "day": day, "text": text, "bands": bands, "client_name": name,
            "survey_title": survey.title if survey else survey_id,
            "question_label": labels[survey_id].get(question, question) if survey else question,
            "scores_text": said,
            "anchor": response_anchor(survey_id, response_id) if client else "",
        }
        item["html"] = _item_html(item)
        items.append(item)
    return items


def _item_html(item: dict[str, Any], on_survey_page: bool = False) -> list[str]:
    """An answer's `<li>` on the inbox (with the `data-*` its filters read) or on its survey's page
    (where survey and question are the page's own), in parts around the root of the client link."""
    day, client, said = item["day"], item["client"], item["scores_text"]
    meta = f'<p class="meta"><time datetime="{day}">{day}</time> · '
    scores = f'<p class="scores">{escape(said)}</p>' if said else ""
    text = escape(item["text"])
    if on_survey_page:
        start, end = f'<li class="inbox-item">{meta}', f'</p>\n<blockquote class="free-text">{text}</blockquote>{scores}</li>\n'
    else:
        start = (f'<li class="inbox-item" data-client="{escape(client or "-")}" data-survey="{escape(item["survey"])}" '
                 f'data-bands="{item["bands"]}">\n{meta}')
        end = (f' · {escape(item["survey_title"])}</p>\n<p class="question">{escape(item["question_label"])}</p>\n'
               f'<blockquote class="free-text">{text}</blockquote>\n{scores}</li>\n')
    if client:  # the link to the client's page: relative, so written around the page's root
        return [start + '<a href="', f'clients/{escape(client)}.html#{item["anchor"]}">{escape(item["client_name"])}</a>{end}']
    return [f"{start}Anonymous{end}"]


def items_html(items: Iterable[dict[str, Any]], root: str, on_survey_page: bool = False) -> markupsafe.Markup:
    """The `<li>` of each free-text answer (date, client linked to the response, text, scores) on a page at `root`."""
    if on_survey_page:  # the newest few of each question: made when shown
        return markupsafe.Markup("".join([root.join(_item_html(item, on_survey_page=True)) for item in items]))
    return markupsafe.Markup("".join([root.join(item["html"]) for item in items]))


def filter_options(options: Iterable[tuple[str, str]], made: dict[tuple[str, str], str]) -> markupsafe.Markup:
    """The `<option>`s of a filter, escaped as the templates escape; `made` keeps each for the next page."""
    parts = []
    for option in options:
        if option not in made:
            made[option] = f'<option value="{markupsafe.escape(option[0])}">{markupsafe.escape(option[1])}</option>\n'
        parts.append(made[option])
    return markupsafe.Markup("".join(parts))


def date_span(chunk: list[dict[str, Any]]) -> str:
    """The dates of a page's answers, oldest to newest ('2026-01-02 to 2026-03-05'; the list is newest first)."""
    if not chunk:
        return ""
    oldest, newest = chunk[-1]["day"], chunk[0]["day"]
    return oldest if oldest == newest else f"{oldest} to {newest}"


@dataclass(frozen=True)
class ArchivePage:
    """An archive page of the inbox (`survey` '') or of a survey's written answers, as plain data: all it shows.

    It is the page's inputs (generator/render/plan.py `ValueInputs`), so a rebuild makes it again only
    when one of its answers changed. Its pager keeps neither total nor page count (they change with
    every answer and an archive page prints neither; see dashboard_inbox.html and dashboard_answers.html).
    """

    survey: str
    pager: ArchivePager
    rows: list[Row]  # newest first


def archive_only(survey: str, pages: list[tuple[ArchivePager, list[Row]]]) -> list[ArchivePage]:
    """The archive pages of a list cut by `archive_pages`, the newest page left out."""
    return [ArchivePage(survey, pager, rows) for pager, rows in pages if pager.block]


def inbox_pages(site: DashboardSite) -> list[tuple[ArchivePager, list[Row]]]:
    """The inbox's pages, the newest first, each with its named rows."""
    return archive_pages(named_comments(site), site.charts.reports.attention.limits.page_size, "inbox.html")


def render_inbox(site: DashboardSite) -> OutputFile:
    """`dashboard/inbox.html`: the newest answers (the archive pages are jobs of their own: `ArchivePage`)."""
    pager, rows = inbox_pages(site)[0]
    return render_inbox_page(site, pager, rows)


def render_inbox_page(site: DashboardSite, pager: ArchivePager, rows: list[Row]) -> OutputFile:
    """One page of the inbox, made from its pager, its rows and the surveys alone."""
    chunk = inbox_items(site, rows)
    made: dict[tuple[str, str], str] = site.cache.setdefault("options", {})  # a client's option, on every page that holds its answers
    scores = filter_options(SCORE_FILTERS, made)
    # the filters offer what this page holds: a page stays small however many clients there are
    named = sorted({item["client"]: item["client_name"] for item in chunk if item["client"]}.items(),
                   key=lambda pair: (pair[1].casefold(), pair[0]))
    if any(not item["client"] for item in chunk):
        named.append(("-", "Anonymous"))
    surveys = [(s.id, s.title) for s in site.portfolio.surveys if any(i["survey"] == s.id for i in chunk)]
    return site.page("dashboard_inbox.html", pager.path, "inbox", items=chunk, items_html=items_html(chunk, ""),
                     clients=filter_options(named, made), surveys=surveys, score_filters=scores, pager=pager,
                     span=date_span(chunk))
