"""Survey forms: one per active client and survey (tokened link) and one anonymous per survey."""

from __future__ import annotations

import jinja2

from urllib.parse import urlsplit

from generator.markdown_html import markdown_to_html
from generator.model import Survey
from generator.portfolio import Portfolio
from generator.render.common import html_file, root_prefix
from generator.render.style import InlineStyle
from generator.tokens import survey_token
from generator.write import OutputFile

DEFAULT_ENDPOINT = "/api/responses"


def is_active(portfolio: Portfolio, client) -> bool:
    """Started on or before as_of, and not ended before it."""
    started = client.agreement.start <= portfolio.as_of
    return started and (client.ended is None or client.ended >= portfolio.as_of)


def render_survey_pages(
    portfolio: Portfolio, secret: bytes, environment: jinja2.Environment, style: InlineStyle,
) -> list[OutputFile]:
    """Personal and anonymous survey pages under `public/survey/`."""
    template = environment.get_template("survey.html")
    settings = portfolio.settings
    files: list[OutputFile] = []
    active = [client for client in portfolio.clients if is_active(portfolio, client)]
    for survey in portfolio.surveys:
        intro = markdown_to_html(survey.intro or "")
        pages = [(survey.id, "", None)] + [
            (survey_token(secret, survey.id, client.id), None, client) for client in active
        ]
        for slug, _, client in pages:
            token = "" if client is None else slug
            path = f"public/survey/{slug}/index.html"
            greeting = client.contact.name or client.name if (client and settings.forms.greet_by_name) else None
            files.append(html_file(path, template.render(
                business=settings.business, site=settings.site, style=style,
                root=root_prefix(path.removeprefix("public/")), survey=survey, intro=intro, token=token,
                action=_action(portfolio), form_action_source=_form_action_source(_action(portfolio)), greeting=greeting, navigation=[], current=None, robots="noindex",
                questions=[_question_view(survey, question) for question in survey.questions],
            )))
    return files


def _action(portfolio: Portfolio) -> str:
    return portfolio.settings.forms.endpoint or DEFAULT_ENDPOINT


def _form_action_source(action: str) -> str:
    """The CSP `form-action` source that allows posting to `action` and nowhere else."""
    parts = urlsplit(action)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    if parts.scheme == "mailto":
        return "mailto:"
    return "'self'"


def _question_view(survey: Survey, question) -> dict:
    """What the template needs for one question: its choices as (value, label) pairs."""
    if question.type == "rating":
        choices = [(str(n), str(n)) for n in range(1, 6)]
        ends = (question.low_label or "Very dissatisfied", question.high_label or "Very satisfied")
    elif question.type == "nps":
        choices = [(str(n), str(n)) for n in range(0, 11)]
        ends = (question.low_label or "Not at all likely", question.high_label or "Extremely likely")
    else:
        choices = [(option, option) for option in (question.options or ())]
        ends = None
    return {"q": question, "choices": choices, "ends": ends, "field": question.id, "dom_id": f"q-{question.id}"}
