"""What a template writes and calls (generator/templates.py `escape_output`, `escape_text`, `CallingContext`): the
same text as Jinja's own escaping and calling, for every kind of value and callable."""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import markupsafe
import pytest

from generator.templates import CallingContext, escape_output, escape_text, make_environment


class Html:
    """An object that writes its own markup."""

    def __html__(self) -> str:
        return "<b>own</b>"


class Marked(markupsafe.Markup):
    """A Markup of its own kind."""


VALUES: list[Any] = [
    "plain", "<script>alert('x') & \"y\"</script>", "", "é — ‘quoted’ 𝄞", markupsafe.Markup("<em>safe</em>"),
    Marked("<i>marked</i>"), 0, 42, -7, 10**30, True, False, 1.5, float("nan"), None, Html(), ["<a>", 1], ("<t>",), {"k": "<v>"},
]


def jinja_own() -> jinja2.Environment:
    """Jinja's environment with its own escaping, template class and context."""
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_written_as_jinja_writes_it(value: Any) -> None:
    source = "{{ value }}|{% for item in [value] %}{{ item }}{% endfor %}|{% set kept %}{{ value }}{% endset %}{{ kept }}"
    assert make_environment().from_string(source).render(value=value) == jinja_own().from_string(source).render(value=value)
    assert str(escape_output(value)) == str(markupsafe.escape(value))
    assert type(escape_output(value)) is markupsafe.Markup
    assert escape_text(value) == str(markupsafe.escape(value))
    assert type(escape_text(value)) is str


def test_markup_is_written_without_a_copy() -> None:
    text = markupsafe.Markup("<p>a response</p>")
    assert escape_output(text) is text


def test_every_template_writes_through_escape_output() -> None:
    environment = make_environment()
    for template in (environment.from_string("{{ 1 }}"), environment.get_template("dashboard_client.html")):
        assert template.root_render_func.__globals__["escape"] is escape_output


@jinja2.pass_context
def context_name(context: jinja2.runtime.Context, suffix: str = "") -> str:
    return str(context["name"]) + suffix


@jinja2.pass_environment
def environment_kind(environment: jinja2.Environment) -> str:
    return type(environment).__name__


@jinja2.pass_eval_context
def eval_autoescape(context: jinja2.nodes.EvalContext) -> str:
    return str(context.autoescape)


class Caller:
    """A callable object whose `__call__` takes the context."""

    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context) -> str:
        return f"called in {context['name']}"


def stops() -> str:
    raise StopIteration


def test_a_call_is_the_same_as_jinjas() -> None:
    source = ("{{ plain('<a>') }} {{ cached(3) }} {{ name.upper() }} {{ context_name('!') }} {{ environment_kind() }} "
              "{{ eval_autoescape() }} {{ caller() }} {{ builtin([1, 2]) }} {% for n in [1] %}{{ context_name(n|string) }}{% endfor %}"
              " {{ stops() is undefined }}")
    names = {"plain": lambda text: text * 2, "cached": functools.lru_cache(maxsize=8)(lambda n: n + 1), "name": "acme",
             "context_name": context_name, "environment_kind": environment_kind, "eval_autoescape": eval_autoescape,
             "caller": Caller(), "builtin": len, "stops": stops}
    ours = make_environment()
    assert ours.context_class is CallingContext
    written = ours.from_string(source).render(**names)
    assert written == jinja_own().from_string(source).render(**names).replace("Environment", type(ours).__name__)
    assert written.startswith("&lt;a&gt;&lt;a&gt; 4 ACME acme! Environment True called in acme 2 acme1 True")
