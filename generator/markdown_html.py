"""Markdown to HTML that is safe to show: the HTML goes through an allow-list sanitiser."""

from __future__ import annotations

import functools
import html
import re
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

# Inline patterns of Markdown's syntax that cannot match a text without this character: code spans,
# backslash escapes, links and images, raw HTML and autolinks, entities. Tried on every text node of
# every note, they are half of a conversion; a text without the character is converted by a parser
# that does not try them, to the same bytes (tests/test_markdown_html.py).
INLINE_NEEDS = {
    "backtick": "`", "escape": "\\", "reference": "[", "link": "[", "image_link": "[", "image_reference": "[",
    "short_reference": "[", "short_image_ref": "[", "autolink": "<", "automail": "<", "html": "<", "entity": "&",
}
# Likewise the block processors that cannot match a text without this character (a quote's `>`, a heading's
# `#`, a table's `|`, a link reference's `[`), tried on every block; and the raw-HTML preprocessor, which reads a
# text without `<` or `&` as plain data and gives it back as it was.
BLOCK_NEEDS = {"quote": ">", "hashheader": "#", "table": "|", "reference": "["}
HTML_BLOCK_NEEDS = frozenset("<&")
_TRIGGERS = frozenset(INLINE_NEEDS.values()) | frozenset(BLOCK_NEEDS.values()) | HTML_BLOCK_NEEDS

# Building a parser with its extensions costs more than converting a client's notes: each
# thread keeps one per set of those characters and resets it between texts (a parser is not
# safe to share between threads).
_parsers = threading.local()


def _parser(text: str) -> markdown.Markdown:
    present = frozenset(char for char in _TRIGGERS if char in text)
    found: dict[frozenset[str], markdown.Markdown] = _parsers.__dict__.setdefault("by_characters", {})
    if present not in found:
        parser = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        for name, char in INLINE_NEEDS.items():
            if char not in present:
                parser.inlinePatterns.deregister(name)
        for name, char in BLOCK_NEEDS.items():
            if char not in present:
                parser.parser.blockprocessors.deregister(name)
        if not present & HTML_BLOCK_NEEDS:
            parser.preprocessors.deregister("html_block")
        found[present] = parser
    return found[present]


@functools.lru_cache(maxsize=4096)  # a survey's intro is shown on every one of its pages
def markdown_to_html(text: str) -> str:
    """Render Markdown, then keep only allowed tags, attributes and link schemes."""
    blocks = _plain_blocks(text)
    return _convert(text) if blocks is None else "\n".join(_plain_html(lines) for lines in blocks)


# What nearly every note is: paragraphs and "- " lists of plain words, separated by one blank line. No block
# processor but the paragraph's and the list's and no inline pattern can match such a text (none of these
# characters, no line that starts with a space, a number and a dot, "+" or a lone "-", none ending in a space),
# so its HTML is written here, to the bytes Python-Markdown and the sanitiser give, in a twentieth of the time
# (tests/test_markdown_html.py checks random texts of this shape against them).
# Two searches rather than one of every alternative at every character: a set of characters, then the line starts,
# searched in the text after a newline (a literal first is found fast), and a line's ending space found as a string.
_NOT_PLAIN_CHARACTER = re.compile(r"[`\\\[\]!<>&*_#|=]")
_NOT_PLAIN_LINE = re.compile(r"\n(?:[ +]|-(?! [^ \-+])|(?:- )?\d+[.)])")


def _plain_blocks(text: str) -> list[list[str]] | None:
    """The blocks of a text of plain paragraphs and lists, each a list of lines; None for any other text."""
    body = text.rstrip("\n")
    if (not body or not body.replace("\n", " ").isprintable() or body.endswith(" ") or " \n" in body
            or _NOT_PLAIN_CHARACTER.search(body) or _NOT_PLAIN_LINE.search("\n" + body)):
        return None  # isprintable: no tab, control character, other space than " " (the sanitiser writes &nbsp;)
    blocks = [block.split("\n") for block in body.split("\n\n")]
    after_list = False
    for lines in blocks:
        listed = [line.startswith("- ") for line in lines]
        if "" in lines or (any(listed) and not all(listed)) or (listed[0] and after_list):
            return None  # more than one blank line; a list item's lazy line or a paragraph's "- " line; a loose list
        after_list = listed[0]
    return blocks


def _plain_html(lines: list[str]) -> str:
    """One block of `_plain_blocks` as Python-Markdown writes it: a paragraph or a list."""
    if lines[0].startswith("- "):
        return "<ul>\n" + "".join(f"<li>{html.escape(line[2:], quote=False)}</li>\n" for line in lines) + "</ul>"
    return f"<p>{html.escape(chr(10).join(lines), quote=False)}</p>"


def _convert(text: str) -> str:
    return _SANITISER.clean(_parser(text).reset().convert(text))
