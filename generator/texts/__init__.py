"""The words clients see, in a client's language: shipped translations, overridden from the data folder.

`generator/texts/en.yaml` names every text and gives its English; the gettext catalogs
`generator/locale/<lang>/LC_MESSAGES/rapport.po` translate it (en, de, fr, es, nl; see
`generator/texts/catalogs.py`); `data/texts/<lang>.yaml` may override any key and wins over the
catalog. `de-CH` uses `de` when there is no `de_CH` catalog; a language with no catalog starts
from the English texts, so its override should give every key. README ("Your words") explains
the keys; `check_texts` reports an unknown key or placeholder at its file and line.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import markupsafe

from generator.errors import Problem
from generator.texts.catalogs import catalog_code, catalog_languages, translated
from generator.yamlio import YamlDocument, YamlSyntaxError, read_yaml

PACKAGE = Path(__file__).resolve().parent
FALLBACK = "en"
# the words each section's texts may contain in {braces}
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "survey": frozenset({"name", "business"}),
    "thanks": frozenset({"business", "email"}),
    "not_sent": frozenset({"business"}),
    "not_found": frozenset({"business"}),
    "invitation": frozenset({"name", "survey", "survey_lower", "business"}),
    "reminder": frozenset({"name", "survey", "survey_lower", "business"}),
}


@dataclass(frozen=True)
class Texts:
    """One language's texts by dotted key (`survey.submit`); call it in a template for escaped HTML."""

    language: str
    values: Mapping[str, str]
    fixed: Mapping[str, Any] = field(default_factory=dict)  # placeholders every text may use

    def bound(self, **fixed: Any) -> Texts:
        """These texts with placeholders that every call fills (the business's name, say)."""
        return Texts(self.language, self.values, {**self.fixed, **fixed})

    def plain(self, key: str, **values: str) -> str:
        """The text with its {placeholders} filled, as plain text (for e-mails)."""
        return self.values[key].format_map(_Filled({**self.fixed, **values}))

    def __call__(self, key: str, **values: Any) -> markupsafe.Markup:
        """The text as HTML: escaped, with {placeholders} filled (escaped unless already Markup)."""
        text = markupsafe.Markup(markupsafe.escape(self.values[key]))
        return text.format_map(_Filled({**self.fixed, **values}))


class _Filled(dict[str, Any]):
    """Placeholder values; one with no value stays as written rather than failing the build."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def shipped_languages() -> list[str]:
    """The languages with default texts in the package (a gettext catalog each)."""
    return catalog_languages()


def supported(data_dir: Path, language: str) -> bool:
    """A language clients may be written to: a shipped catalog, or the data folder's own texts for it."""
    return catalog_code(language) is not None or override_path(Path(data_dir), language).is_file()


def _flatten(data: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(data, dict):
        flat: dict[tuple[str, ...], Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, (*prefix, str(key))))
        return flat
    return {prefix: data}


def _placeholders(text: str) -> list[str]:
    """The {names} in a text; ValueError for a lone brace."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def _read(path: Path, shown: str, known: Mapping[str, str] | None, problems: list[Problem]) -> dict[str, str]:
    """The texts of one file; every problem (unknown key, bad placeholder, not text) with its line."""
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(Problem(shown, exc.line, "", exc.message))
        return {}
    except UnicodeDecodeError:
        problems.append(Problem(shown, 0, "", "is not UTF-8 text (save it as UTF-8)"))
        return {}
    if doc.data is None:
        return {}
    if not isinstance(doc.data, dict):
        problems.append(Problem(shown, 1, "", "expected a mapping of texts (survey:, thanks:, invitation:, …)"))
        return {}
    return _checked(doc, shown, known, problems)


def _checked(doc: YamlDocument, shown: str, known: Mapping[str, str] | None,
             problems: list[Problem]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for location, value in _flatten(doc.data).items():
        key, line = ".".join(location), doc.line_of(location)
        if known is not None and key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(shown, line, key, f"unknown text key ({hint}the keys are those of "
                                                      f"generator/texts/{FALLBACK}.yaml)"))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(shown, line, key, "expected a text (write it in quotes)"))
            continue
        allowed = PLACEHOLDERS.get(location[0], frozenset())
        try:
            unknown = sorted(set(_placeholders(value)) - allowed)
        except ValueError:
            problems.append(Problem(shown, line, key, "has a lone '{' or '}' (write {{ or }} for a brace)"))
            continue
        if unknown:
            names = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
            problems.append(Problem(shown, line, key, f"'{{{unknown[0]}}}' is not filled in here (expected: {names})"))
            continue
        texts[key] = value
    return texts


@lru_cache(maxsize=8)
def default_texts(language: str) -> Mapping[str, str]:
    """The shipped texts of a language: its catalog's (or its primary subtag's) translation of the English ones."""
    problems: list[Problem] = []
    english = _read(PACKAGE / f"{FALLBACK}.yaml", f"generator/texts/{FALLBACK}.yaml", None, problems)
    if problems:  # a broken package, not a user's mistake
        raise RuntimeError("; ".join(map(str, problems)))
    return translated(language, english)


def override_path(data_dir: Path, language: str) -> Path:
    """Where a data folder overrides the texts of its language."""
    return data_dir / "texts" / f"{language}.yaml"


def check_texts(data_dir: Path, shown: str) -> list[Problem]:
    """Every problem in the data folder's `texts/*.yaml` files, with file and line."""
    problems: list[Problem] = []
    folder = data_dir / "texts"
    if folder.is_dir():
        for path in sorted(folder.glob("*.y*ml")):
            _read(path, f"{shown}/texts/{path.name}", default_texts(path.stem), problems)
    return problems


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=8)
def _load(data_dir: Path, language: str, key: tuple[int, int] | None) -> Texts:
    texts = dict(default_texts(language))
    path = override_path(data_dir, language)
    if key is not None:
        texts.update(_read(path, str(path), texts, []))  # checked when the data was loaded
    return Texts(language, texts)


def site_texts(data_dir: Path, language: str) -> Texts:
    """The texts of a site: the defaults of `language`, then the data folder's overrides."""
    return _load(Path(data_dir), language, _file_key(override_path(Path(data_dir), language)))
