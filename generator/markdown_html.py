"""Markdown to HTML that is safe to show: the HTML goes through an allow-list sanitiser."""

from __future__ import annotations

import functools
import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
# one sanitiser for every text: `nh3.clean` would build the same rules again for each of a thousand notes
_SANITISER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto", "tel"},
                         link_rel="noopener noreferrer")

# Building a parser with its extensions costs more than converting a client's notes: each
# thread keeps one and resets it between texts (a parser is not safe to share between threads).
_parsers = threading.local()


def _parser() -> markdown.Markdown:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return parser


@functools.lru_cache(maxsize=4096)  # a survey's intro is shown on every one of its pages
def markdown_to_html(text: str) -> str:
    """Render Markdown, then keep only allowed tags, attributes and link schemes."""
    return _convert(text)


def _convert(text: str) -> str:
    return _SANITISER.clean(_parser().reset().convert(text))
