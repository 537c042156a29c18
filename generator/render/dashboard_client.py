"""One page per client: status, what to do next and the metrics of docs/metrics.md first, then the
agreement, every response, the charts and the notes; printed, it is the renewal meeting's client review
(docs/site-map.md)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup

from generator.charts.data import Response
from generator.files import OutputFile
from generator.metrics.dates import WINDOW_DAYS
from generator.render.dashboard_common import DashboardSite, days_between, money, status
from generator.render.dashboard_html import answer_item, response_anchor, response_article
from generator.render.followups import you_said_views
from generator.render.links import client_links
from generator.templates import markup

SCALE_TOP = {"rating": 5, "nps": 10}


@dataclass(frozen=True)
class Action:
    """One thing to do next, why, and where to do it."""

    title: str
    detail: str
    href: str = ""
    link: str = ""


def answer_text(kind: str, value: str) -> str:
    """An answer as the page shows it: '4 of 5', 'Helpdesk, Backups', '—' when unanswered."""
    if value == "":
        return "—"
    if kind in SCALE_TOP:
        return f"{value} of {SCALE_TOP[kind]}"
    if kind == "multi":
        return ", ".join(value.split(";"))
    return value


@dataclass(slots=True)  # twenty on a page, twenty thousand a build: not frozen, whose __init__ is four setattr calls
class ResponseView:
    """One response as its client page shows it: its anchor, its answers and the whole `<article>`."""

    anchor: str
    response: Response
    answers: Markup  # the `<dt>`/`<dd>` pairs
    article: Markup


@functools.lru_cache(maxsize=1 << 16)  # the same question and answer on hundreds of pages: written once
def answer_html(label: str, kind: str, value: str) -> str:
    """One answer as its `<dt>`/`<dd>` pair (generator/render/dashboard_html.py `answer_item`)."""
    return answer_item(label, answer_text(kind, value), kind == "text")


def response_views(responses: list[Response], written: dict[tuple[str, tuple[str, ...]], Markup]) -> list[ResponseView]:
    """Each response with its anchor (generator/render/dashboard_html.py `response_anchor`) and every answer, newest first.

    `written`: the answers of each (survey id, values) written so far this build; a fifth of the responses
    are distinct ("4 of 5", "8 of 10", "—" on hundreds of pages), so most are written once.
    """
    views = []
    for response in responses:
        survey = response.survey
        anchor = response_anchor(survey.id, response.response_id)
        key = (survey.id, response.values)  # a survey id names one survey (and its questions) in a build
        answers = written.get(key)
        if answers is None:
            answers = written[key] = markup("".join([answer_html(q.label, q.type, value)
                                                     for q, value in zip(survey.questions, response.values)]))
        views.append(ResponseView(anchor, response, answers, markup(response_article(anchor, response, answers))))
    return views


def detractor_anchor(views: list[ResponseView], day: dt.date | None, score: int | None, kind: str) -> str:
    """The anchor of the response that gave the latest low answer of this kind."""
    for view in views:
        response = view.response
        if response.date == day and any(q.type == kind and (kind != "rating" or q.csat) and value == str(score)
                                        for q, value in response.answers()):
            return f"#{view.anchor}"
    return "#responses"


# how a page words each kind of next action (generator/metrics/attention.py decides which apply)
ACTION_TITLES = {
    "detractor": "Follow up the detractor", "unhappy": "Follow up the unhappy answer", "call": "Call or write",
    "visit": "Book an on-site visit", "survey": "Send the survey", "renewal": "Prepare the renewal meeting",
}


def next_actions(site: DashboardSite, row: dict[str, Any], views: list[ResponseView]) -> list[Action]:
    """The client's next actions as the page shows them, with a link where there is somewhere to act."""
    shown = []
    for action in site.charts.reports.attention.actions.get(row["id"], []):
        href = link = ""
        if action.answer is not None:
            day, score, kind = action.answer
            href, link = detractor_anchor(views, day, score, kind), "Read the response"
        elif action.kind == "survey":
            href, link = "../invitations.html", "Personal links and a ready e-mail"
        shown.append(Action(ACTION_TITLES[action.kind], action.detail, href, link))
    return shown


def in_last_year(views: list[ResponseView], as_of: dt.date) -> tuple[list[ResponseView], list[ResponseView]]:
    """The responses of the 12m window (docs/metrics.md) and the earlier ones, each newest first."""
    first_day = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    recent = [view for view in views if view.response.date >= first_day]
    return recent, [view for view in views if view.response.date < first_day]


def client_path(row: dict[str, Any]) -> str:
    """A client page's path under `dashboard/`."""
    return f"clients/{row['id']}.html"


def render_client(site: DashboardSite, row: dict[str, Any]) -> OutputFile:
    """`dashboard/clients/<id>.html`."""
    client = row["client"]
    views = response_views(site.charts.data.by_client_responses.get(row["id"], []), site.cache.setdefault("answers", {}))
    agreement = client.agreement
    recent, earlier = in_last_year(views, site.as_of)
    return site.page(
        "dashboard_client.html", client_path(row), "client",
        # as attributes: Jinja reads `row.risk` of a dict only after getattr fails, ten times slower
        row=SimpleNamespace(**row), client=client, status=status(row), fee=money(agreement.monthly_fee),
        actions=next_actions(site, row, views), figures=site.charts.clients.get(row["id"], []), responses=views,
        recent=recent, earlier=earlier,
        links=[SimpleNamespace(**link) for link in client_links(site, row, site.secret)],
        you_said=you_said_views(site.charts.reports.followups.by_client.get(row["id"], [])),
        due_in=days_between(row["survey_next_due"], site.as_of),
        tel="tel:" + re.sub(r"[^0-9+]", "", client.contact.phone or ""),  # a tel: URL has no spaces
    )
