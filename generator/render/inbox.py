"""The feedback inbox: every free-text answer, newest first, with client, date and scores.

It is a plain list that works without JavaScript, in pages of `dashboards.page_size` answers
(`inbox.html`, `inbox-2.html`, …; generator/metrics/paging.py); inbox.js adds filters by client,
survey and score that only hide and show the items of the page, reading the `data-*`
attributes written here.
"""

from __future__ import annotations

from typing import Any

from generator.charts.data import DashboardData
from generator.files import OutputFile
from generator.model import Survey
from generator.render.dashboard_common import DashboardSite
from generator.render.dashboard_html import comment_items
from generator.render.paging import pages

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


def inbox_items(site: DashboardSite, data: DashboardData) -> list[dict[str, Any]]:
    """Every free-text answer, newest first, ready to show and to filter (made once per build)."""
    if "inbox" in site.cache:
        made: list[dict[str, Any]] = site.cache["inbox"]
        return made
    surveys = {s.id: s for s in site.portfolio.surveys}
    items = []
    for row in data.comments:
        survey = surveys.get(row["survey"])
        question = survey.question(row["question"]) if survey else None
        client = row["client"]
        items.append({
            **row, "survey_title": survey.title if survey else row["survey"],
            "question_label": question.label if question else row["question"],
            "client_name": data.name(client) if client else "", "scores_text": score_text(survey, row["scores"]),
            "anchor": data.anchors.get((client, row["survey"], row["response_id"]), ""),
        })
    site.cache["inbox"] = items
    return items


def render_inbox(site: DashboardSite) -> list[OutputFile]:
    """`dashboard/inbox.html` and its further pages."""
    data = site.charts.data
    items = inbox_items(site, data)
    size = site.charts.reports.attention.limits.page_size
    files = []
    for pager, chunk in pages(items, size, "inbox.html"):
        # the filters offer what this page holds: a page stays small however many clients there are
        named = sorted({item["client"] for item in chunk if item["client"]}, key=lambda c: (data.name(c).casefold(), c))
        clients = [(client, data.name(client)) for client in named]
        if any(not item["client"] for item in chunk):
            clients.append(("-", "Anonymous"))
        surveys = [(s.id, s.title) for s in site.portfolio.surveys if any(i["survey"] == s.id for i in chunk)]
        files.append(site.page("dashboard_inbox.html", pager.path, "inbox", items=chunk, items_html=comment_items(chunk, ""),
                               clients=clients, surveys=surveys, score_filters=SCORE_FILTERS, pager=pager))
    return files
