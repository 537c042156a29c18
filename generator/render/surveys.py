"""Survey forms: one page per survey and language; a client's personal link is its language's page with its token in the fragment.

The site's language has `survey/<survey-id>/`; each other language a client reads has
`survey/<survey-id>/<language>/` (and `thanks/<language>/`). Every form posts the survey's own
option words as values, whatever words it shows (generator/texts/surveys.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jinja2

from generator.files import OutputFile
from generator.forms import FormTarget, form_target
from generator.forms.fields import LANGUAGE_PARAMETER
from generator.markdown_html import markdown_to_html
from generator.model import Question, Survey
from generator.portfolio import Portfolio
from generator.render.common import html_file, root_prefix
from generator.render.style import InlineStyle
from generator.texts import Texts, site_texts
from generator.texts.surveys import SurveyWords, language_folder, page_languages, survey_words

SCALES = {"rating": range(1, 6), "nps": range(11)}  # the ends' default words: texts `survey.<type>_low/high`



def thanks_url(portfolio: Portfolio, page_root: str, language: str | None = None) -> str:
    """Absolute when the site's address is known (backends redirect there), else relative; in `language`."""
    base, folder = portfolio.settings.site.base_url, language_folder(language, portfolio.settings.site.language)
    if base:
        return base.rstrip("/") + f"/thanks/{folder}"
    return f"{page_root}thanks/{folder}index.html"


def survey_languages(portfolio: Portfolio) -> list[str]:
    """The languages with survey and thanks pages: the site's, then each one a client reads."""
    return page_languages([client.language for client in portfolio.clients], portfolio.settings.site.language)


def survey_page_path(survey_id: str, language: str | None, site_language: str) -> str:
    """`survey/<survey-id>/`, or `survey/<survey-id>/<language>/` for a language other than the site's."""
    return f"survey/{survey_id}/{language_folder(language, site_language)}"


def render_survey_pages(portfolio: Portfolio, environment: jinja2.Environment, style: InlineStyle) -> list[OutputFile]:
    """One page per survey, `public/survey/<survey-id>/`: personal links add `#t=<token>`, which the page's
    script moves into the form (and which never reaches a server), or the client pastes it as an invitation code."""
    template = environment.get_template("survey.html")
    settings = portfolio.settings
    files: list[OutputFile] = []
    for language in survey_languages(portfolio):
        texts = site_texts(portfolio.data_dir, language).bound(business=settings.business.name)
        for survey in portfolio.surveys:
            words = survey_words(survey, language, settings.site.language)
            shown = _shown_survey(survey, words)
            path = f"public/{survey_page_path(survey.id, language, settings.site.language)}index.html"
            root = root_prefix(path.removeprefix("public/"))
            thanks = thanks_url(portfolio, root, language)
            other = language if language_folder(language, settings.site.language) else ""
            target = _in_language(settings.forms.backend, form_target(settings, shown, thanks), other)
            files.append(html_file(path, template.render(
                business=settings.business, site=settings.site, style=style, root=root, survey=shown,
                intro=markdown_to_html(shown.intro or ""), target=target, thanks_url=thanks,
                navigation=[], current=None, robots="noindex", t=texts, page_language=language,
                questions=[_question_view(question, words, target, texts) for question in shown.questions],
            )))
    return files


def _shown_survey(survey: Survey, words: SurveyWords) -> Survey:
    """The survey with its title, intro and question words in the page's language (options stay as stored)."""
    questions = tuple(question.model_copy(update={
        "label": words.questions[question.id].label, "low_label": words.questions[question.id].low_label,
        "high_label": words.questions[question.id].high_label}) for question in survey.questions)
    return survey.model_copy(update={"title": words.title, "intro": words.intro, "questions": questions})


def _in_language(backend: str, target: FormTarget, language: str) -> FormTarget:
    """The collector's form names the page's language, so its thanks and refusal pages answer in it."""
    if backend != "collector" or not language:
        return target
    joiner = "&" if "?" in target.action else "?"
    return dataclasses.replace(target, action=f"{target.action}{joiner}{LANGUAGE_PARAMETER}={language}")


def _question_view(question: Question, words: SurveyWords, target: FormTarget, texts: Texts) -> dict[str, Any]:
    """What the template needs for one question: posted name, choices (stored value, words shown), scale ends."""
    if question.type in SCALES:
        choices = [(str(n), str(n)) for n in SCALES[question.type]]
        ends = (question.low_label or texts.plain(f"survey.{question.type}_low"),
                question.high_label or texts.plain(f"survey.{question.type}_high"))
    else:
        shown = words.questions[question.id].options
        choices = [(option, shown.get(option, option)) for option in (question.options or ())]
        ends = None
    return {
        "q": question, "choices": choices, "ends": ends, "field": target.name_for(question.id),
        "dom_id": f"q-{question.id}",
        # a follow-up is optional without JavaScript, since it is shown whatever the score
        "required": question.required and question.show_if is None,
        "show_if_field": target.name_for(question.show_if.question) if question.show_if else None,
    }
