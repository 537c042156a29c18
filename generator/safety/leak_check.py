"""What `rapport validate` says before the leak gate would stop a build, at the file and line to fix.

The leak gate (generator/safety/leak_gate.py) stops a build when a client's name, id or
contact is readable in a published file. Two causes lie in the consultant's own data, and
`validate` names them: a name, id or contact made only of words that the site itself always
publishes (its templates, scripts and styles: a client called "Survey", an id `question`), and
a business page that names a client. Answers and notes never stop a build, so never show here.
"""

from __future__ import annotations

import functools
from pathlib import Path

from generator.errors import Problem
from generator.load.yaml_files import _read
from generator.portfolio import Portfolio
from generator.safety.leak_gate import found_in
from generator.safety.leak_needles import allowed_needles, make_needles
from generator.safety.word_automaton import WordAutomaton
from generator.templates import BUILTIN_TEMPLATES
from generator.yamlio import YamlDocument

NULL_WORDS = ("null", "Null", "NULL", "None", "~")
# kind of needle → where it is written in a client's record
FIELDS = {
    "client name": ("name",), "client name word": ("name",), "client id": ("id",),
    "contact name": ("contact", "name"), "contact e-mail": ("contact", "email"), "contact phone": ("contact", "phone"),
}


def leak_problems(portfolio: Portfolio) -> list[Problem]:
    """Located problems that would make the leak gate stop the build (empty when none)."""
    needles = [needle for needle in make_needles(portfolio, b"") if needle.kind in FIELDS]
    allowed = allowed_needles(entry.text for entry in portfolio.settings.leak_gate.allow)
    automaton = WordAutomaton([*needles, *allowed])
    shown = str(portfolio.data_dir).rstrip("/")
    problems: list[Problem] = []
    site_own = {(needle.owner, needle.kind) for text in _site_texts() for needle in found_in(automaton, text)[0]}
    if site_own:
        problems += _client_problems(portfolio, shown, site_own)
    problems += _text_problems(portfolio, shown, automaton)
    for page in portfolio.pages:
        for number, line in enumerate(page.markdown.splitlines(), start=1):
            for needle in sorted(found_in(automaton, line)[0], key=lambda item: item.kind):
                problems.append(Problem(
                    f"{shown}/pages/{page.slug}.md", number, "",
                    f"names a client ({needle.kind} of '{needle.owner}'): the leak gate would stop the build; "
                    "remove it, or list the text under leak_gate.allow in site.yaml with a reason"))
    return problems


def _text_problems(portfolio: Portfolio, shown: str, automaton: WordAutomaton) -> list[Problem]:
    """A problem at each setting or survey text that names a client: it is published on every page."""
    texts: list[tuple[str, tuple[str | int, ...], str]] = []
    business = portfolio.settings.business
    for key, value in (("name", business.name), ("email", business.email), ("phone", business.phone)):
        texts.append(("site.yaml", ("business", key), value or ""))
    for survey in portfolio.surveys:
        name = f"surveys/{survey.id}.yaml"
        texts += [(name, ("title",), survey.title), (name, ("intro",), survey.intro or "")]
        for index, question in enumerate(survey.questions):
            texts.append((name, ("questions", index, "label"), question.label))
            texts += [(name, ("questions", index, "options", k), option) for k, option in enumerate(question.options or ())]
    problems: list[Problem] = []
    docs: dict[str, YamlDocument | None] = {}
    for name, location, text in texts:
        found = sorted({needle.kind for needle in found_in(automaton, text)[0]})
        if not found:
            continue
        if name not in docs:
            docs[name] = _read(Path(portfolio.data_dir) / name, f"{shown}/{name}", [])
        doc = docs[name]
        line = doc.line_of(location) if doc is not None else 0
        problems.append(Problem(f"{shown}/{name}", line, ".".join(str(part) for part in location),
                                f"names a client ({', '.join(found)}), and is published: the leak gate would stop "
                                "the build; write your own text here"))
    return problems


def _client_problems(portfolio: Portfolio, shown: str, found: set[tuple[str, str]]) -> list[Problem]:
    """A problem at the line of each client field that is only the site's own words."""
    path = Path(portfolio.data_dir) / "clients.yaml"
    doc = _read(path, f"{shown}/clients.yaml", [])
    entries = doc.data if doc is not None and isinstance(doc.data, list) else []
    index_of = {entry.get("id"): index for index, entry in enumerate(entries) if isinstance(entry, dict)}
    problems = []
    for owner, kind in sorted(found):
        index = index_of.get(owner)
        location: tuple[str | int, ...] = (index, *FIELDS[kind]) if index is not None else ()
        line = doc.line_of(location) if doc is not None and location else 0
        value = _value(entries[index], FIELDS[kind]) if index is not None else None
        why = (f"'{value}' reads as no {kind} (YAML's null), and as a word the site itself publishes"
               if isinstance(value, str) and value.strip() in NULL_WORDS else
               f"the {kind} is made only of words the site itself publishes (its templates and scripts)")
        problems.append(Problem(
            f"{shown}/clients.yaml", line, f"clients[{index}].{'.'.join(FIELDS[kind])}",
            f"{why}, so the leak gate would stop every build: write it out in full "
            "(e.g. 'Survey Partners Ltd', id survey-partners), or leave a contact's out"))
    return problems


def _value(entry: object, path: tuple[str, ...]) -> object:
    """The raw value at a path of a YAML record, None when absent."""
    for key in path:
        entry = entry.get(key) if isinstance(entry, dict) else None
    return entry


@functools.cache
def _site_texts() -> tuple[str, ...]:
    """Every built-in template, script and style, as written: what every build publishes whatever the data."""
    return tuple(path.read_text(encoding="utf-8") for path in sorted(BUILTIN_TEMPLATES.iterdir())
                 if path.suffix in (".html", ".js", ".css") and not path.name.startswith("dashboard_"))
