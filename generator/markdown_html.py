"""Markdown to HTML that is safe to show: the HTML goes through an allow-list sanitiser."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}

# Building a parser with its extensions costs more than converting a client's notes: each
# thread keeps one and resets it between texts (a parser is not safe to share between threads).
_parsers = threading.local()


def _parser() -> markdown.Markdown:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return parser


_converted: dict[str, str] = {}  # text → its HTML, in this process


def markdown_to_html(text: str) -> str:
    """Render Markdown, then keep only allowed tags, attributes and link schemes (each text once)."""
    html = _converted.get(text)
    if html is None:
        html = _converted[text] = _convert(text)
    return html


def convert_ahead(texts: Iterable[str], enough: Callable[[], bool] = lambda: False) -> dict[str, str]:
    """The HTML of the texts, made now by a process with time to spare, until `enough()` says stop
    (the rest is made where it is shown); `adopt` it there."""
    converted: dict[str, str] = {}
    for text in texts:
        if enough():
            break
        converted[text] = markdown_to_html(text)
    return converted


def adopt(converted: dict[str, str]) -> None:
    """Take HTML that `convert_ahead` made in another process (the same function: the same bytes)."""
    _converted.update(converted)


def _convert(text: str) -> str:
    html = _parser().reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
