"""Survey forms: one page per survey; a client's personal link is that page with its token in the fragment."""

from __future__ import annotations

from typing import Any

import jinja2

from generator.files import OutputFile
from generator.forms import FormTarget, form_target
from generator.markdown_html import markdown_to_html
from generator.metrics import Reports
from generator.model import Client, Question, Survey
from generator.portfolio import Portfolio
from generator.render.common import html_file, root_prefix
from generator.render.style import InlineStyle
from generator.texts import Texts, site_texts
from generator.tokens import survey_token

SCALES = {"rating": range(1, 6), "nps": range(11)}  # the ends' default words: texts `survey.<type>_low/high`


def thanks_url(portfolio: Portfolio, page_root: str) -> str:
    """Absolute when the site's address is known (backends redirect there), else relative."""
    base = portfolio.settings.site.base_url
    if base:
        return base.rstrip("/") + "/thanks/"
    return f"{page_root}thanks/index.html"


def survey_links(portfolio: Portfolio, reports: Reports, secret: bytes) -> list[tuple[Survey, Client, str]]:
    """(survey, client, token) for every active client and survey."""
    active_ids = set(reports.clients.loc[reports.clients["active"], "id"].tolist())
    active = [client for client in portfolio.clients if client.id in active_ids]
    return [(survey, client, survey_token(secret, survey.id, client.id)) for survey in portfolio.surveys for client in active]


def render_survey_pages(portfolio: Portfolio, environment: jinja2.Environment, style: InlineStyle) -> list[OutputFile]:
    """One page per survey, `public/survey/<survey-id>/`: personal links add `#t=<token>`, which the page's
    script moves into the form (and which never reaches a server), or the client pastes it as an invitation code."""
    template = environment.get_template("survey.html")
    settings = portfolio.settings
    texts = site_texts(portfolio.data_dir, settings.site.language).bound(business=settings.business.name)
    files: list[OutputFile] = []
    for survey in portfolio.surveys:
        path = f"public/survey/{survey.id}/index.html"
        root = root_prefix(path.removeprefix("public/"))
        thanks = thanks_url(portfolio, root)
        target = form_target(settings, survey, thanks)
        files.append(html_file(path, template.render(
            business=settings.business, site=settings.site, style=style, root=root, survey=survey,
            intro=markdown_to_html(survey.intro or ""), target=target, thanks_url=thanks,
            navigation=[], current=None, robots="noindex", t=texts,
            questions=[_question_view(survey, question, target, texts) for question in survey.questions],
        )))
    return files


def _question_view(survey: Survey, question: Question, target: FormTarget, texts: Texts) -> dict[str, Any]:
    """What the template needs for one question: posted name, choices, scale ends."""
    if question.type in SCALES:
        choices = [(str(n), str(n)) for n in SCALES[question.type]]
        ends = (question.low_label or texts.plain(f"survey.{question.type}_low"),
                question.high_label or texts.plain(f"survey.{question.type}_high"))
    else:
        choices = [(option, option) for option in (question.options or ())]
        ends = None
    return {
        "q": question, "choices": choices, "ends": ends, "field": target.name_for(question.id),
        "dom_id": f"q-{question.id}",
        # a follow-up is optional without JavaScript, since it is shown whatever the score
        "required": question.required and question.show_if is None,
        "show_if_field": target.name_for(question.show_if.question) if question.show_if else None,
    }
