"""Paged lists: where each page of a list lives and the links between them.

What goes on which page is decided in generator/metrics/paging.py; here the pages get their
paths (all pages of one list share a folder, so the links between them are file names) and a
pager: page n of m, which entries, and links to the first, previous, next and last pages —
a bounded navigation whatever the number of pages.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import markupsafe

from generator.metrics.paging import paged

T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """One page of a paged list: its place in the list and the links to its neighbours."""

    path: str          # from the dashboard root, e.g. "clients/page-2.html"
    number: int        # 1-based
    count: int         # pages in the list
    first_entry: int   # 1-based number of the page's first entry (0 when the list is empty)
    last_entry: int
    total: int         # entries in the whole list
    links: tuple[tuple[str, str, str], ...]  # (label, href relative to this page, rel) of first/previous/next/last

    def html(self, label: str, where: str = "") -> markupsafe.Markup:
        """The pager a page shows above and below its list (nothing when the list has one page):
        built here, not by a template macro, since the long lists have hundreds of pages."""
        if self.count <= 1:
            return markupsafe.Markup("")
        escape = markupsafe.escape
        links = "".join([f'<li><a href="{escape(href)}" rel="{escape(rel)}">{escape(text)}</a></li>' for text, href, rel in self.links])
        return markupsafe.Markup(
            f'<nav class="pager" aria-label="{escape(label)}: pages{escape(where)}">\n'
            f"<p>Page {self.number} of {self.count} · entries {self.first_entry}–{self.last_entry} of {self.total}</p>\n"
            f"<ul>{links}</ul>\n</nav>\n")


def page_path(first: str, number: int, later: str = "") -> str:
    """The path of page `number`: `first` for page 1, else `later` with `{n}` (default: `<stem>-<n>.html`)."""
    if number == 1:
        return first
    if later:
        return later.format(n=number)
    stem, extension = posixpath.splitext(first)
    return f"{stem}-{number}{extension}"


def pages(items: Sequence[T], size: int, first: str, later: str = "") -> list[tuple[Pager, list[T]]]:
    """`items` cut into pages of `size`, each with its pager (always at least one page)."""
    chunks = paged(items, size)
    count, total = len(chunks), len(items)
    paths = [page_path(first, number, later) for number in range(1, count + 1)]
    made = []
    start = 0
    for index, chunk in enumerate(chunks):
        def href(number: int) -> str:
            return posixpath.basename(paths[number - 1])

        number = index + 1
        links = []
        if number > 1:
            links += [("First page", href(1), "first"), ("Previous page", href(number - 1), "prev")]
        if number < count:
            links += [("Next page", href(number + 1), "next"), ("Last page", href(count), "last")]
        made.append((Pager(paths[index], number, count, start + 1 if chunk else 0, start + len(chunk), total, tuple(links)),
                     chunk))
        start += len(chunk)
    return made
