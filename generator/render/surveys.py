"""Survey forms: one per active client and survey (tokened link) and one anonymous per survey."""

from __future__ import annotations

from typing import Any

import jinja2

from generator.forms import FormTarget, form_target
from generator.markdown_html import markdown_to_html
from generator.metrics import Reports
from generator.model import Client, Question, Survey
from generator.portfolio import Portfolio
from generator.render.common import html_file, root_prefix
from generator.render.style import InlineStyle
from generator.texts import Texts, site_texts
from generator.tokens import survey_token
from generator.files import OutputFile

SurveyPage = tuple[Survey, Client | None, str]  # (survey, client, token); no client and no token: anonymous

# two stand-in tokens, URL-safe like a real one and found nowhere else (see token_shell)
PLACEHOLDERS = ("Rapport0Token0StandIn0Number0One", "Rapport0Token0StandIn0Number0Two")
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


def render_survey_pages(
    portfolio: Portfolio, environment: jinja2.Environment, style: InlineStyle, pages: list[SurveyPage],
) -> list[OutputFile]:
    """These survey pages under `public/survey/`: personal (with a client and token) or anonymous."""
    template = environment.get_template("survey.html")
    settings = portfolio.settings
    texts = site_texts(portfolio.data_dir, settings.site.language).bound(business=settings.business.name)
    files: list[OutputFile] = []
    prepared: dict[str, tuple[str, str, FormTarget, list[dict[str, Any]]]] = {}
    shells: dict[tuple[str, str | None], str | None] = {}
    for survey, client, token in pages:
        path = f"public/survey/{token or survey.id}/index.html"
        root = root_prefix(path.removeprefix("public/"))
        if survey.id not in prepared:
            thanks = thanks_url(portfolio, root)
            target = form_target(settings, survey, thanks)
            views = [_question_view(survey, question, target, texts) for question in survey.questions]
            prepared[survey.id] = (markdown_to_html(survey.intro or ""), thanks, target, views)
        intro, thanks, target, views = prepared[survey.id]
        greeting = (client.contact.name or client.name) if (client and settings.forms.greet_by_name) else None
        context = dict(
            business=settings.business, site=settings.site, style=style, root=root, survey=survey,
            intro=intro, target=target, thanks_url=thanks, greeting=greeting,
            navigation=[], current=None, robots="noindex", questions=views, t=texts,
        )
        if not token:
            files.append(html_file(path, template.render(token=token, **context)))
            continue
        if (survey.id, greeting) not in shells:
            shells[survey.id, greeting] = token_shell(template, context)
        shell = shells[survey.id, greeting]
        html = shell.replace(PLACEHOLDERS[0], token) if shell is not None else template.render(token=token, **context)
        files.append(html_file(path, html))
    return files


def token_shell(template: jinja2.Template, context: dict[str, Any]) -> str | None:
    """The page rendered once with a stand-in token, when the template uses the token only as text.

    Personal pages differ only in their token, so rendering one per survey and putting each
    token in its place gives the same bytes at a fraction of the cost. A token is made of
    URL-safe characters, which escaping leaves as they are; a template that transforms it (a
    user's own, say) is caught by rendering a second stand-in, and then every page is rendered
    in full.
    """
    first, second = (template.render(token=placeholder, **context) for placeholder in PLACEHOLDERS)
    if first.replace(PLACEHOLDERS[0], PLACEHOLDERS[1]) != second or PLACEHOLDERS[1] in first:
        return None
    return first


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
