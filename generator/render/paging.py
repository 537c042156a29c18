"""Paged lists: where each page of a list lives and the links between them.

What goes on which page is decided in generator/metrics/paging.py; here the pages get their
paths (all pages of one list share a folder, so the links between them are file names) and a
pager: page n of m, which entries, and links to the first, previous, next and last pages —
a bounded navigation whatever the number of pages.

The inbox and the survey answers, which grow only at their newest end, are paged as an archive
(`archive_pages`): the newest page, then archive pages named by their block number, counted from
the oldest (generator/metrics/paging.py `archived`). Their pager links to the newest, newer,
older and oldest pages and prints nothing that a new answer would change.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import markupsafe

from generator.metrics.paging import archived, paged

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
        # a last page of one entry says "entry 41", not "entries 41–41"
        entries = (f"entry {self.first_entry}" if self.first_entry == self.last_entry
                   else f"entries {self.first_entry}–{self.last_entry}")
        links = "".join([f'<li><a href="{escape(href)}" rel="{escape(rel)}">{escape(text)}</a></li>' for text, href, rel in self.links])
        return markupsafe.Markup(
            f'<nav class="pager" aria-label="{escape(label)}: pages{escape(where)}">\n'
            f"<p>Page {self.number} of {self.count} · {entries} of {self.total}</p>\n"
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


@dataclass(frozen=True)
class ArchivePager:
    """One page of an archive-paged list: the newest page (block 0) or archive block `block` (1 = the oldest)."""

    path: str           # from the dashboard root, e.g. "inbox-archive-3.html"
    block: int          # 0 on the newest page
    # entries in the whole list and its pages (the newest one included): on the newest page only, the one
    # page that shows them; 0 on an archive page, whose inputs would otherwise change with every answer
    total: int
    count: int
    links: tuple[tuple[str, str, str], ...]  # (label, href relative to this page, rel) of newest/newer/older/oldest

    @property
    def several(self) -> bool:
        """Whether the list has more than one page (an archive page never is its only one)."""
        return bool(self.block) or self.count > 1

    def html(self, label: str, where: str = "") -> markupsafe.Markup:
        """The pager above and below the list (nothing when the list has one page); it names only this page
        and links to pages whose names never change, so an archive page stays as it is while answers arrive."""
        if not self.several:
            return markupsafe.Markup("")
        escape = markupsafe.escape
        links = "".join([f'<li><a href="{escape(href)}" rel="{escape(rel)}">{escape(text)}</a></li>' for text, href, rel in self.links])
        place = f"Archive page {self.block}, counted from the oldest" if self.block else "The newest answers"
        return markupsafe.Markup(
            f'<nav class="pager" aria-label="{escape(label)}: pages{escape(where)}">\n'
            f"<p>{place}</p>\n<ul>{links}</ul>\n</nav>\n")


def archive_path(first: str, block: int) -> str:
    """The path of archive block `block` of the list whose newest page is `first`: `<stem>-archive-<block>.html`."""
    stem, extension = posixpath.splitext(first)
    return f"{stem}-archive-{block}{extension}"


def archive_pages(items: Sequence[T], size: int, first: str) -> list[tuple[ArchivePager, list[T]]]:
    """`items` (newest first) as the newest page at `first` and its archive pages, each with its pager."""
    cut = archived(items, size)
    last = len(cut.blocks)  # the newest archive block
    count = last + 1

    name, newest = posixpath.basename(posixpath.splitext(first)[0]), posixpath.basename(first)
    extension = posixpath.splitext(first)[1]

    def href(block: int) -> str:  # `archive_path`'s name, made from `first`'s parts taken once (thousands of pages)
        return f"{name}-archive-{block}{extension}" if block else newest

    made = []
    for block, chunk in [(0, cut.newest), *enumerate(cut.blocks, start=1)]:
        newer = (block + 1) % count  # the newest archive block's newer page is the newest page
        links = []
        if block:
            links += [("Newest page", href(0), "first"), ("Newer page", href(newer), "prev")]
        if block != 1 and last:
            links += [("Older page", href(block - 1 if block else last), "next"), ("Oldest page", href(1), "last")]
        path = archive_path(first, block) if block else first
        made.append((ArchivePager(path, block, 0 if block else cut.total, 0 if block else count, tuple(links)), chunk))
    return made
