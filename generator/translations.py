"""A survey's texts in other languages: the `translations:` block of `data/surveys/<id>.yaml`.

docs/data-formats.md shows the shape. Answers are stored in the survey's own words whatever
language was shown: a translation maps each option (as written in `options`) to the words
shown for it, and never changes what is stored.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# a language tag (en, de, de-CH): it names the texts of data/texts/<language>.yaml and a catalog
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
LanguageTag = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]
Words = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionTranslation(_Strict):
    """One question in another language; what is left out is missing (validate names it)."""

    label: Words | None = None
    low_label: Words | None = None
    high_label: Words | None = None
    options: dict[str, Words] | None = None  # the option as written in `options` → the words shown for it


class SurveyTranslation(_Strict):
    """A survey's title, intro and questions (by question id) in one language."""

    title: Words | None = None
    intro: str | None = None
    questions: dict[str, QuestionTranslation] = {}
