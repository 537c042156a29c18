"""A survey's own texts (title, intro, questions, options) in the language a client reads.

The survey file's texts are in `language:` (default `site.language`); its `translations:`
block gives the others (generator/translations.py). A language is looked up by its tag, then by
its primary language (`de-CH` → `de`). What a translation leaves out is shown in the survey's
own words, and `missing_words` names it so that `validate` can report it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.model import Question, Survey
from generator.translations import QuestionTranslation, SurveyTranslation

Location = tuple[str | int, ...]


def primary(language: str) -> str:
    """`de` for `de-CH`, in lower case."""
    return language.split("-")[0].lower()


def same_language(one: str, other: str) -> bool:
    """Two tags that read the same texts: equal, or one is the other's primary language."""
    one, other = one.lower(), other.lower()
    return one == other or one == primary(other) or other == primary(one)


def base_language(survey: Survey, site_language: str) -> str:
    """The language the survey file's own texts are written in."""
    return survey.language or site_language


def translation_key(survey: Survey, language: str) -> str | None:
    """The key of `translations:` that serves `language` (its tag, else its primary language)."""
    keys = {key.lower(): key for key in survey.translations}
    return keys.get(language.lower()) or keys.get(primary(language))


@dataclass(frozen=True)
class QuestionWords:
    """One question's words in a language; `options` maps each stored option to the words shown."""

    label: str
    low_label: str | None
    high_label: str | None
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SurveyWords:
    """A survey's title, intro and question words in one language."""

    language: str
    title: str
    intro: str | None
    questions: dict[str, QuestionWords]


def _question_words(question: Question, translation: QuestionTranslation | None) -> QuestionWords:
    """One question's words: the translation's where it gives them, else the survey's own."""
    shown = (translation.options or {}) if translation else {}
    return QuestionWords(
        label=(translation.label if translation else None) or question.label,
        low_label=(translation.low_label if translation else None) or question.low_label,
        high_label=(translation.high_label if translation else None) or question.high_label,
        options={option: shown.get(option) or option for option in question.options or ()},
    )


def survey_words(survey: Survey, language: str, site_language: str) -> SurveyWords:
    """The survey's texts as a reader of `language` sees them."""
    key = None if same_language(language, base_language(survey, site_language)) else translation_key(survey, language)
    block: SurveyTranslation | None = survey.translations[key] if key else None
    return SurveyWords(
        language=language,
        title=(block.title if block else None) or survey.title,
        intro=(block.intro if block and block.intro is not None else survey.intro),
        questions={question.id: _question_words(question, block.questions.get(question.id) if block else None)
                   for question in survey.questions},
    )


def missing_words(survey: Survey, language: str, site_language: str) -> list[tuple[Location, str, str]]:
    """(where in the survey file, the key that is missing, the survey's own words for it) for each text
    `language` lacks; the key is `translations` alone when the language has no translation at all."""
    if same_language(language, base_language(survey, site_language)):
        return []
    key = translation_key(survey, language)
    if key is None:
        return [(("translations",), "translations", survey.title)]
    block, where = survey.translations[key], ("translations", key)
    missing: list[tuple[Location, str, str]] = []
    if block.title is None:
        missing.append((where, f"translations.{key}.title", survey.title))
    if survey.intro and block.intro is None:
        missing.append((where, f"translations.{key}.intro", survey.intro))
    for question in survey.questions:
        words = block.questions.get(question.id)
        at = (*where, "questions", question.id) if words else (*where, "questions")
        name = f"translations.{key}.questions.{question.id}"
        if words is None or words.label is None:
            missing.append((at, f"{name}.label", question.label))
        for end in ("low_label", "high_label"):
            if getattr(question, end) and (words is None or getattr(words, end) is None):
                missing.append((at, f"{name}.{end}", getattr(question, end)))
        shown = (words.options if words else None) or {}
        for option in question.options or ():
            if option not in shown:
                missing.append(((*at, "options") if shown else at, f"{name}.options", option))
    return missing


def language_folder(language: str | None, site_language: str) -> str:
    """The folder of a language's public pages below a page's own: '' for the site's language, else `<tag>/`."""
    if language is None or language.lower() == site_language.lower():
        return ""
    return f"{language}/"


def page_languages(languages: list[str | None], site_language: str) -> list[str]:
    """The languages that get pages: the site's, then each other one a client reads, in order."""
    others = sorted({language for language in languages if language is not None and language_folder(language, site_language)})
    return [site_language, *others]
