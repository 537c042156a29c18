"""Checks of the languages clients read: each client's `language`, and the survey translations it needs.

A client's language needs the texts of the survey pages (a shipped catalog, or the data
folder's `texts/<language>.yaml`), and every survey in that language: a `translations:` entry
with its title, intro, each question's label and each option (generator/texts/surveys.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from babel import Locale, UnknownLocaleError

from generator.errors import Problem, shorten
from generator.model import Client, Settings, Survey
from generator.texts import shipped_languages, supported
from generator.texts.surveys import missing_words
from generator.yamlio import YamlDocument, YamlSyntaxError, read_yaml


def language_name(language: str) -> str:
    """`German` for `de`; the tag itself when Babel does not know it."""
    try:
        return f"{Locale.parse(language, sep='-').get_display_name('en')}"
    except (ValueError, UnknownLocaleError):
        return language


def check_survey_translations(survey: Survey, doc: YamlDocument, shown: str) -> list[Problem]:
    """A translation names only the survey's questions, their options, and the words each type has."""
    found: list[Problem] = []
    for language, block in survey.translations.items():
        for question_id, words in block.questions.items():
            where = ("translations", language, "questions", question_id)
            name = f"translations.{language}.questions.{question_id}"
            question = survey.question(question_id)
            if question is None:
                ids = ", ".join(q.id for q in survey.questions)
                found.append(Problem(shown, doc.line_of(where), name, f"'{question_id}' is not a question of this survey "
                                                                       f"(expected one of {ids})"))
                continue
            for option in words.options or {}:
                if option not in (question.options or ()):
                    expected = ", ".join(question.options) if question.options else f"none: a {question.type} question has no options"
                    found.append(Problem(shown, doc.line_of((*where, "options", option)), f"{name}.options",
                                         f"'{option}' is not an option of the question (expected {expected})"))
            for end in ("low_label", "high_label"):
                if getattr(words, end) is not None and question.type not in ("rating", "nps"):
                    found.append(Problem(shown, doc.line_of((*where, end)), f"{name}.{end}",
                                         f"a {question.type} question has no scale ends (expected label or options)"))
    return found


def check_client_languages(data_dir: Path, shown: str, settings: Settings, clients: Sequence[Client],
                           surveys: Sequence[Survey]) -> list[Problem]:
    """Every client's language is supported, and every survey speaks it; each problem at its file and line."""
    site_language = settings.site.language
    readers: dict[str, Client] = {}  # language → the first client (by id) who reads it
    unsupported: list[Client] = []
    for client in clients:
        if client.language is None:
            continue
        if not supported(data_dir, client.language):
            unsupported.append(client)
        else:
            readers.setdefault(client.language, client)
    problems: list[Problem] = []
    if not readers and not unsupported:
        return problems
    clients_shown = f"{shown}/clients.yaml"
    lines = _client_lines(data_dir / "clients.yaml")
    for client in unsupported:
        line, index = lines.get(client.id, (0, 0))
        problems.append(Problem(clients_shown, line, f"clients[{index}].language",
                                f"'{client.language}' is not a language with texts (expected one of "
                                f"{', '.join(shipped_languages())}, or the file {shown}/texts/{client.language}.yaml "
                                "with every text)"))
    for language, client in sorted(readers.items()):
        for survey in surveys:
            missing = missing_words(survey, language, site_language)
            if not missing:
                continue
            survey_shown, doc = _survey_doc(data_dir, shown, survey.id)
            line = lines.get(client.id, (0, 0))[0]
            reader = f"client '{client.id}' reads {language_name(language)} ({clients_shown}:{line})"
            for location, name, source in missing:
                what = (f"no '{language}' translation (expected translations: {{{language}: {{title: …, questions: …}}}}, "
                        "see docs/data-formats.md)") if name == "translations" else \
                    f"no {language_name(language)} words for '{shorten(source.strip())}'"
                problems.append(Problem(survey_shown, doc.line_of(location) if doc else 0, name, f"{what}; {reader}"))
    return problems


def _client_lines(path: Path) -> dict[str, tuple[int, int]]:
    """Client id → (line of its `language:` or its entry, index in the list)."""
    try:
        doc = read_yaml(path)
    except (OSError, YamlSyntaxError, UnicodeDecodeError):
        return {}
    found: dict[str, tuple[int, int]] = {}
    for index, entry in enumerate(doc.data if isinstance(doc.data, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            found.setdefault(entry["id"], (doc.line_of((index, "language")), index))
    return found


def _survey_doc(data_dir: Path, shown: str, survey_id: str) -> tuple[str, YamlDocument | None]:
    """The survey's file as shown in messages, and its parsed document (for lines)."""
    for suffix in (".yaml", ".yml"):
        path = data_dir / "surveys" / f"{survey_id}{suffix}"
        if path.is_file():
            try:
                return f"{shown}/surveys/{path.name}", read_yaml(path)
            except (OSError, YamlSyntaxError, UnicodeDecodeError):
                return f"{shown}/surveys/{path.name}", None
    return f"{shown}/surveys/{survey_id}.yaml", None
