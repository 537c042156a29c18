"""The documents in docs/ stay true: cited files exist, and every data-file key the model accepts is documented.

Like Datasette's test_docs.py: a setting added to the model without a line in
docs/data-formats.md fails here, and so does a docstring that cites a document the
repository does not have.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from generator.load import load_portfolio
from generator.load.contacts import CONTACT_COLUMNS
from generator.load.followups import FOLLOWUP_COLUMNS
from generator.model import RESERVED_COLUMNS, Client, Settings, Survey

REPO = Path(__file__).resolve().parent.parent
DATA_FORMATS = REPO / "docs" / "data-formats.md"

# a path ending in .md; `<slug>.md`, `*.md` and `{page.slug}.md` are patterns, not documents
MD_PATH = re.compile(r"(?<![\w./<>*{}-])([\w][\w./-]*\.md)\b(?![<>*{}])")
# files of a data folder (data/pages/index.md): the consultant's, not the repository's
DATA_PREFIXES = ("data/", "pages/")


def cited_md_paths(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, 'docstring' or 'comment', path) for every .md path a docstring or comment names."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                for match in MD_PATH.finditer(first.value.value):
                    line = first.lineno + first.value.value.count("\n", 0, match.start())
                    yield line, "docstring", match.group(1)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            for match in MD_PATH.finditer(token.string):
                yield token.start[0], "comment", match.group(1)


def test_the_citation_finder_sees_what_it_must() -> None:
    source = ('"""See DESIGN.md §3 and docs/metrics.md; data/pages/<slug>.md is a pattern."""\n'
              "def f() -> None:\n"
              '    """Reads `pages/*.md` and docs/privacy.md."""\n'
              "x = 1  # as NOTES.md says\n")
    assert list(cited_md_paths(source)) == [
        (1, "docstring", "DESIGN.md"), (1, "docstring", "docs/metrics.md"),
        (3, "docstring", "docs/privacy.md"), (4, "comment", "NOTES.md"),
    ]


def test_docstrings_and_comments_cite_only_files_in_the_repository() -> None:
    missing = []
    for module in sorted((REPO / "generator").rglob("*.py")):
        for line, kind, cited in cited_md_paths(module.read_text(encoding="utf-8")):
            if cited.startswith(DATA_PREFIXES) or (REPO / cited).is_file():
                continue
            missing.append(f"{module.relative_to(REPO)}:{line}: {kind} cites {cited}, which is not in the repository")
    assert missing == []


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    """The record types inside a field's type (`X | None`, `tuple[X, ...]`, `Annotated[X, …]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _models_in(typing.get_args(annotation)[0])
    elif origin in (typing.Union, types.UnionType, tuple, list):
        for argument in typing.get_args(annotation):
            yield from _models_in(argument)


def keys_of(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every key a data file may hold for this model, dotted: `targets.survey_cadence`, `questions[].label`."""
    for name, info in model.model_fields.items():
        nested = list(_models_in(info.annotation))
        if not nested:
            yield f"{prefix}{name}"
        is_list = typing.get_origin(info.annotation) in (tuple, list)
        for inner in nested:
            yield from keys_of(inner, f"{prefix}{name}{'[]' if is_list else ''}.")


def _section(title: str) -> str:
    """The text of docs/data-formats.md under the `## ` heading that starts with `title`."""
    text = DATA_FORMATS.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    found = [part for part in parts if part.startswith(title)]
    assert found, f"docs/data-formats.md has no section '## {title}'"
    return found[0]


def _documented(key: str, section: str) -> bool:
    return f"`{key}`" in section


def test_the_key_walk_finds_nested_settings() -> None:
    keys = set(keys_of(Settings))
    assert {"business.name", "as_of", "targets.no_contact_days", "ideal_client.pcs", "forms.backend"} <= keys
    assert "targets" not in keys
    assert {"questions[].show_if.at_most", "google_form.token_entry", "import_map"} <= set(keys_of(Survey))


@pytest.mark.parametrize("key", sorted(keys_of(Settings)))
def test_every_site_setting_is_documented(key: str) -> None:
    assert _documented(key, _section("`site.yaml`")), f"site.yaml key `{key}` is not in docs/data-formats.md"


@pytest.mark.parametrize("key", sorted(keys_of(Client)))
def test_every_client_key_is_documented(key: str) -> None:
    assert _documented(key, _section("`clients.yaml`")), f"clients.yaml key `{key}` is not in docs/data-formats.md"


@pytest.mark.parametrize("key", sorted(keys_of(Survey)))
def test_every_survey_key_is_documented(key: str) -> None:
    # a question's keys are documented in the question table, without the `questions[].` prefix
    shown = key.removeprefix("questions[].")
    assert _documented(shown, _section("`surveys/")), f"survey key `{shown}` is not in docs/data-formats.md"


@pytest.mark.parametrize(("section", "column"), [("`contacts.csv`", c) for c in CONTACT_COLUMNS]
                         + [("`followups.csv`", c) for c in FOLLOWUP_COLUMNS]
                         + [("`responses/", c) for c in RESERVED_COLUMNS])
def test_every_csv_column_is_documented(section: str, column: str) -> None:
    assert _documented(column, _section(section)), f"column `{column}` is not in the {section} section of docs/data-formats.md"


def test_the_examples_in_data_formats_load(tmp_path: Path) -> None:
    # the site.yaml, clients.yaml, survey and texts examples, in that order, are real files the loader accepts
    site, clients, survey, texts = re.findall(r"```yaml\n(.*?)```", DATA_FORMATS.read_text(encoding="utf-8"), re.DOTALL)
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "de.yaml").write_text(texts, encoding="utf-8")
    (tmp_path / "surveys").mkdir()
    (tmp_path / "site.yaml").write_text(site, encoding="utf-8")
    (tmp_path / "clients.yaml").write_text(clients, encoding="utf-8")
    (tmp_path / "surveys" / "spring-check.yaml").write_text(survey, encoding="utf-8")
    portfolio = load_portfolio(tmp_path)  # raises DataError naming every problem
    assert [client.id for client in portfolio.clients] == ["lakeside-eye-care", "old-mill-bakery"]
    assert [question.type for question in portfolio.surveys[0].questions] == ["rating", "nps", "choice", "multi", "text"]
    assert portfolio.settings.forms.backend == "formspree"
