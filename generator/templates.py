"""The Jinja2 environment: user templates first, then the built-in ones, always escaped."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import markupsafe
import orjson

from generator.markdown_html import markdown_to_html
from generator.plurals import plural, plural_noun

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"


def template_folders(user_dir: Path | None) -> list[Path]:
    """Search order: --templates DIR, else ./site_templates of the user's project, then built-ins."""
    folders: list[Path] = []
    candidate = user_dir if user_dir is not None else Path("site_templates")
    if candidate.is_dir() and candidate.resolve() != BUILTIN_TEMPLATES:
        folders.append(candidate)
    folders.append(BUILTIN_TEMPLATES)
    return folders


def make_environment(user_dir: Path | None = None) -> jinja2.Environment:
    """An environment with autoescape on for every template, file or string."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)) for folder in template_folders(user_dir)])
    environment = jinja2.Environment(
        loader=loader,
        autoescape=True,  # on for every template, including from_string ones
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # a build makes its own environment (generator/build.py), so a template edited while
        # `rapport serve` runs is read by the next build: no need to stat every file at every include
        auto_reload=False,
    )
    environment.filters["markdown"] = lambda text: markupsafe.Markup(markdown_to_html(text or ""))
    environment.filters["script_json"] = script_json
    environment.filters["thousands"] = lambda number: f"{number:,}"
    # `{{ n | plural("day") }}` → "1 day" / "2 days"; `plural_noun` when markup sits between the two
    environment.filters["plural"] = plural
    environment.filters["plural_noun"] = plural_noun
    return environment


def template_source(environment: jinja2.Environment, name: str) -> str:
    """A file's text as the environment's loaders find it (a user's folder first): a stylesheet, a script."""
    if environment.loader is None:
        raise jinja2.TemplateNotFound(name)
    source, _, _ = environment.loader.get_source(environment, name)
    return source


def compiled_templates() -> jinja2.BytecodeCache | None:
    """Where compiled templates are kept between builds: per user, like Python's own bytecode.

    Compiling the templates costs a build a tenth of a second; Jinja keys each compiled one by
    the template's path and a digest of its source (and the Python version), so an edited or
    user template is compiled afresh. The folder is private to the user (compiled code is run).
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "rapport" / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
            return None  # someone else's, or open to others: not a place to load code from
    except (OSError, RuntimeError):  # no home, a read-only one
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def script_json(value: object) -> markupsafe.Markup:
    """JSON safe inside `<script>`: `<`, `>`, `&` and line separators are escaped."""
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return markupsafe.Markup(text)
