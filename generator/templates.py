"""The Jinja2 environment: user templates first, then the built-in ones, always escaped."""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import orjson

from generator.markdown_html import markdown_to_html
from generator.plurals import plural, plural_noun
from generator.user_cache import private_cache_folder

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
    loader = InliningLoader([jinja2.FileSystemLoader(str(folder)) for folder in template_folders(user_dir)])
    environment = jinja2.Environment(
        loader=loader,
        autoescape=True,  # on for every template, including from_string ones
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # a build makes its own environment (generator/build.py; or takes the last one's when every template file is
        # as it was: generator/speed/__init__.py), so a template edited while `rapport serve` runs is read by the
        # next build: no need to stat every file at every include
        auto_reload=False,
    )
    environment.template_class = EscapingTemplate
    environment.context_class = CallingContext
    environment.filters["markdown"] = lambda text: markupsafe.Markup(markdown_to_html(text or ""))
    environment.filters["script_json"] = script_json
    environment.filters["thousands"] = lambda number: f"{number:,}"
    # `{{ n | plural("day") }}` → "1 day" / "2 days"; `plural_noun` when markup sits between the two
    environment.filters["plural"] = plural
    environment.filters["plural_noun"] = plural_noun
    return environment


# markupsafe ≥ 3 escapes a str in C and makes a Markup of it in Python; 2.x did both in C (`escape` alone then)
_escape_text: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)
# Markup of a str known to be safe: what `Markup(text)` makes, in a third of the time (no look for an `__html__`)
markup: Callable[[str], markupsafe.Markup] = functools.partial(str.__new__, markupsafe.Markup)


def escape_output(value: object, /) -> markupsafe.Markup:
    """What a template writes for `{{ value }}`: markupsafe's `escape`, with its most common cases made cheaper.

    Markup is written as it is: `escape` copies it, though it is the same text. A str's escape, or an int's
    digits, are made Markup directly, without `Markup.__new__`'s look for `__html__`, which neither has. A
    client page writes some ninety values, most of them Markup (dates, the responses, the charts).
    """
    if type(value) is markupsafe.Markup:
        return value
    if type(value) is str and _escape_text is not None:
        return markup(_escape_text(value))
    if type(value) is int:  # digits and a minus sign: nothing to escape
        return markup(str(value))
    return markupsafe.escape(value)


def escape_text(value: object, /) -> str:
    """`escape_output` as a plain str, for markup written in Python as a template writes it: a Markup
    formatted into an f-string is copied through its `__format__`."""
    if type(value) is str and _escape_text is not None:
        return _escape_text(value)
    return str(markupsafe.escape(value))


class EscapingTemplate(jinja2.Template):
    """A template whose output goes through `escape_output`."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: types.CodeType, globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        """The template made from its compiled code, as Jinja does, then given `escape_output`."""
        template = super().from_code(environment, code, globals, uptodate)
        # a compiled template writes each `{{ … }}` through its module's `escape` (markupsafe's, imported there);
        # its blocks and macros share that module's globals
        template.root_render_func.__globals__["escape"] = escape_output
        return template


# what a template calls most (`date(…)`, `risk(…)`, `as_of.isoformat()`): plain functions and methods, and
# functools' caches of them; a class or an object with `__call__` may take the context through that method
_PLAIN_CALLABLES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.BuiltinMethodType,
                    type(functools.lru_cache(len)))


class CallingContext(jinja2.runtime.Context):
    """A template's context, whose `call` calls a plain function at once."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`__obj(*args)`: as Jinja's `Context.call` does for a callable that asks for nothing of the template's."""
        if type(__obj) in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg"):  # no @pass_context and kin
            kwargs.pop("_block_vars", None)  # the variables of the block or loop, for a function that takes the context
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja answers it
                return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


# `{% include "name" %}` alone on its line, and the tags whose meaning changes when a partial's text stands in
# the including template instead of being rendered as a template of its own (a `set` would leak out, …)
_INCLUDE = re.compile(r'^{% include "([A-Za-z0-9_.-]+\.html)" %}\n', re.MULTILINE)
_SCOPED = re.compile(r"{%[-+]?\s*(?:set|extends|block|macro|import|from|include|call|filter)\b")


class InliningLoader(jinja2.ChoiceLoader):
    """The folders in search order; a built-in page's built-in partials are written into it where it includes them.

    An include costs a template lookup and a new context each time it is rendered: a quarter of
    the time of a client page, which includes nine sections. A built-in page template (from
    site_templates/) gets the text of each built-in partial it includes in place of the
    `{% include %}` line — the same bytes, since the environment keeps trailing newlines and
    trims the one after a tag — unless the partial sets, defines or includes anything of its own.
    A partial found in the user's folder stays an include, so an error in it names its own file
    and line; a page template of the user's is left as written.
    """

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        """The template's source, with its built-in partials written in when it is a built-in page."""
        source, filename, uptodate = super().get_source(environment, template)
        if not template.endswith(".html") or not _builtin(filename):
            return source, filename, uptodate

        def inline(match: re.Match[str]) -> str:
            try:
                part, part_file, _ = super(InliningLoader, self).get_source(environment, match.group(1))
            except jinja2.TemplateNotFound:
                return match.group(0)  # fails where it is rendered, as before
            return part if _builtin(part_file) and not _SCOPED.search(part) else match.group(0)

        return _INCLUDE.sub(inline, source), filename, uptodate

    def load(self, environment: jinja2.Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        """The template compiled from `get_source` (a ChoiceLoader would ask its folders' loaders directly)."""
        return jinja2.BaseLoader.load(self, environment, name, globals)


def _builtin(filename: str | None) -> bool:
    """The file is one of site_templates/ (not of the user's folder)."""
    return filename is not None and Path(filename).parent == BUILTIN_TEMPLATES


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
    folder = private_cache_folder("templates")  # compiled code is run: only from a folder of this user's
    return jinja2.FileSystemBytecodeCache(str(folder)) if folder is not None else None


# what `script_json` escapes, as UTF-8 bytes and their escape: those of ASCII, then the line separators
_SCRIPT_ESCAPES = tuple((raw.encode(), f"\\u{ord(raw):04x}".encode()) for raw in "<>&")
_SEPARATOR_ESCAPES = tuple((raw.encode(), f"\\u{ord(raw):04x}".encode()) for raw in "\u2028\u2029")


def script_json(value: object) -> markupsafe.Markup:
    """JSON safe inside `<script>`: `<`, `>`, `&` and line separators are escaped."""
    data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    # replaced in the UTF-8 bytes: a search of bytes is a memchr, one of a text with a non-Latin-1 character is not
    for raw, escaped in _SCRIPT_ESCAPES:
        data = data.replace(raw, escaped)
    if not data.isascii():  # a look for a line separator's three bytes is slow, and three chart specs in four are ASCII
        for raw, escaped in _SEPARATOR_ESCAPES:
            data = data.replace(raw, escaped)
    return markupsafe.Markup(data.decode())

