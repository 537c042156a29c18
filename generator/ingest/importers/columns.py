"""Which question each column of an export answers, and answers in each tool's shape.

A column is matched by `import_map` (the survey's own word wins), then by the tool's own
columns (id, time, token), then by question id, then by the question's title ignoring case,
spacing and a trailing `:`/`*` (in the survey's own words or any of its `translations:`, so
an export of a form shown in German maps back too). Two questions with the same title take the columns with that
title in order. A tool that writes one column per option of a multi question (SurveyMonkey,
Typeform) names it by the option, or `Title (Option)`. An option written in a translation's words
is stored as the option itself (`translated_option`). Columns that match nothing are
reported once and ignored: a tool's own extras (IP, browser, score) never cost a response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.model import Question, Survey

ROLES = ("token", "survey", "shown_at", "honeypot", "submitted_at", "response_id", "client", "ignore")
TOKEN_NAMES = ("token", "t")
# cells a "one column per option" export writes for an option that was not chosen
NOT_CHOSEN = frozenset({"", "0", "false", "no", "n", "unchecked", "not selected"})
# the 1–5 labels tools write instead of numbers, lowest first
RATING_SCALES = (
    ("very dissatisfied", "dissatisfied", "neutral", "satisfied", "very satisfied"),
    ("very dissatisfied", "dissatisfied", "neither satisfied nor dissatisfied", "satisfied", "very satisfied"),
    ("very unsatisfied", "unsatisfied", "neutral", "satisfied", "very satisfied"),
    ("extremely dissatisfied", "somewhat dissatisfied", "neither satisfied nor dissatisfied", "somewhat satisfied",
     "extremely satisfied"),
    ("very poor", "poor", "fair", "good", "excellent"),
    ("very poor", "poor", "average", "good", "excellent"),
    ("poor", "fair", "good", "very good", "excellent"),
    ("strongly disagree", "disagree", "neither agree nor disagree", "agree", "strongly agree"),
    ("strongly disagree", "disagree", "neutral", "agree", "strongly agree"),
)
# "5 - Excellent", "5: Excellent", "5. Excellent", "5.0"; not "3.5"
NUMBER_FIRST = re.compile(r"^(?P<number>\d{1,2})(?:\.0+)?(?:(?:\s*[-–—:=)]\s*|\.\s+|\s+)\D.*)?$", re.DOTALL)
NUMBER_LAST = re.compile(r"^\S.*?[\s(\-–—:]\s*(?P<number>\d{1,2})\s*\)?$", re.DOTALL)
STARS = re.compile(r"^[★☆\s]+$")
NPS_ENDS = {"not at all likely": "0", "extremely likely": "10"}


def normalise(name: str) -> str:
    """Compare column names and labels ignoring case, spacing, `_`/`-` and a trailing `:`/`*`."""
    text = re.sub(r"[\s_-]+", " ", name.replace("\ufeff", "")).strip().casefold()
    return text.rstrip(":* ").strip()


@dataclass(frozen=True)
class ColumnSpec:
    """The tool's own columns, by normalised name."""

    id_columns: tuple[str, ...]
    time_columns: tuple[str, ...]
    honeypot_columns: tuple[str, ...]
    ignore_columns: tuple[str, ...]
    client_column: bool


def plan_columns(names: dict[str, int], spec: ColumnSpec, survey: Survey | None) -> dict[str, list[str]]:
    """For each column name (and how often it occurs), the role of each occurrence, in order."""
    plan: dict[str, list[str]] = {}
    for name, count in names.items():
        role = _fixed_role(name, spec, survey)
        if role is not None:
            plan[name] = [role] * count
            continue
        matches = [q for q in survey.questions if normalise(name) in {normalise(q.id), *map(normalise, labels(survey, q))}] \
            if survey else []
        if len(matches) > 1:
            # repeated titles: the first such column answers the first such question, and so on
            roles = [f"answer:{q.id}" for q in matches[:count]]
            last = matches[-1]
            roles += [f"answer:{last.id}" if last.type == "multi" else "unknown"] * (count - len(roles))
            plan[name] = roles
        elif matches:
            plan[name] = [f"answer:{matches[0].id}"] * count
        else:
            option = _option_role(name, survey)
            ignored = normalise(name) in spec.ignore_columns or name.startswith("_")
            plan[name] = [option or ("ignore" if ignored else "unknown")] * count
    return plan


def _fixed_role(name: str, spec: ColumnSpec, survey: Survey | None) -> str | None:
    """import_map's word, else a role of the tool's own columns; None for answers."""
    import_map = (survey.import_map or {}) if survey else {}
    mapped = import_map.get(name)
    if mapped is None:
        mapped = next((value for key, value in import_map.items() if normalise(key) == normalise(name)), None)
    if mapped:
        return mapped if mapped in ROLES else f"answer:{mapped}"
    key = normalise(name)
    if key in TOKEN_NAMES:
        return "token"
    if key in ("survey", "shown at"):
        return key.replace(" ", "_")
    if key in spec.honeypot_columns:
        return "honeypot"
    if key in spec.time_columns:
        return "submitted_at"
    if key in spec.id_columns:
        return "response_id"
    if spec.client_column and key == "client":
        return "client"
    return None


def _option_role(name: str, survey: Survey | None) -> str | None:
    """`option:<question id>:<option index>` for a column that stands for one option of a multi question."""
    if survey is None:
        return None
    key = normalise(name)
    found: list[str] = []
    for question in survey.questions:
        if question.type != "multi":
            continue
        words = option_words(survey, question)
        for index, option in enumerate(question.options or ()):
            for label, text in ((normalise(label), normalise(word)) for label in labels(survey, question)
                                for word, stored in words.items() if stored == option):
                if key in (text, f"{label} ({text})", f"{label} {text}", f"{label} [{text}]", f"{normalise(question.id)} ({text})"):
                    found.append(f"option:{question.id}:{index}")
    found = list(dict.fromkeys(found))
    return found[0] if len(found) == 1 else None


def labels(survey: Survey, question: Question) -> list[str]:
    """The question's title in the survey's own words, then in each translation's."""
    translated = (block.questions.get(question.id) for block in survey.translations.values())
    return [question.label, *(words.label for words in translated if words and words.label)]


def option_words(survey: Survey, question: Question) -> dict[str, str]:
    """Every word an option of the question is shown as (its own, each translation's) → the option as stored."""
    words = {option: option for option in question.options or ()}
    for block in survey.translations.values():
        translated = block.questions.get(question.id)
        for option, shown in ((translated.options or {}) if translated else {}).items():
            words.setdefault(shown, option)
    return words


def translated_option(survey: Survey, question: Question, cell: str) -> str:
    """The option as stored for an answer written in a translation's words; the cell itself otherwise."""
    return option_words(survey, question).get(cell.strip(), cell)


def option_answer(question: Question, index: int, cell: str) -> str:
    """The option's text when a one-column-per-option cell says it was chosen, else ''."""
    if cell.strip().casefold() in NOT_CHOSEN:
        return ""
    return (question.options or ())[index]


def scale_answer(question: Question, cell: str) -> str:
    """A rating or NPS answer written as a label ("5 - Excellent", "Very satisfied") as its number."""
    text = cell.strip()
    if text == "" or text.isdigit():
        return text
    match = NUMBER_FIRST.match(text) or NUMBER_LAST.match(text)
    if match:
        return str(int(match["number"]))
    if STARS.match(text) and "★" in text:
        return str(text.count("★"))
    key = normalise(text)
    low, high = (0, 10) if question.type == "nps" else (1, 5)
    if question.low_label and key == normalise(question.low_label):
        return str(low)
    if question.high_label and key == normalise(question.high_label):
        return str(high)
    if question.type == "nps" and key in NPS_ENDS:
        return NPS_ENDS[key]
    if question.type == "rating":
        for scale in RATING_SCALES:
            if key in scale:
                return str(scale.index(key) + 1)
    return cell  # left as written: the answer check names it


def split_multi(cell: str, options: tuple[str, ...], separators: tuple[str, ...]) -> list[str]:
    """A multi answer's options, in the tool's shape (`a;b;`, `a, b`, one per line)."""
    text = cell.strip()
    if text == "":
        return []
    if text in options:
        return [text]
    allowed = set(options)
    for separator in separators:
        parts = [part.strip() for part in text.split(separator.strip() or separator)]
        while parts and parts[-1] == "":
            parts.pop()  # Microsoft Forms ends every multi answer with ';'
        found = _partition(list(parts), allowed, separator)
        if found is not None:
            return found
    # no reading makes every part an option: keep the parts so the check names the bad one
    return [part for part in text.split(separators[0].strip() or separators[0]) if part.strip()] if separators else [text]


def _partition(parts: list[str], allowed: set[str], separator: str) -> list[str] | None:
    """Group consecutive parts so each group is an option; None when impossible."""
    if not parts:
        return []
    for end in range(len(parts), 0, -1):
        head = separator.join(parts[:end])
        if head in allowed:
            rest = _partition(parts[end:], allowed, separator)
            if rest is not None:
                return [head, *rest]
    return None
