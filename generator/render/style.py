"""Inline stylesheets: read once from the templates, hashed for the page's CSP."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from generator.render.common import csp_hash
from generator.templates import template_source


@dataclass(frozen=True)
class InlineStyle:
    """A stylesheet's text and the CSP hash that allows it inline."""

    css: str
    hash: str


def inline_style(environment: jinja2.Environment, name: str) -> InlineStyle:
    """Load a stylesheet through the template loaders (so users can override it)."""
    # one line: it is inlined in every public page, and a ten-question survey page has a 10 KB budget
    css = "".join(line.strip() for line in template_source(environment, name).splitlines())
    return InlineStyle(css, csp_hash(css))
