"""How much one dashboard page holds, so that no page grows with the portfolio (docs/metrics.md).

The overview shows the first `list_size` of each of its lists (most pressing first) and counts
the rest; every list that grows with the portfolio — the client index, the full lists behind
the overview, the inbox, a survey's written answers, the calendar — is cut into pages of
`page_size` entries. Both come from `dashboards.list_size` and `dashboards.page_size` in
`data/site.yaml`.

The inbox and a survey's written answers grow only at their newest end, so they are cut from
the oldest (`archived`): the newest page holds the newest `page_size` answers, and the older
ones lie in archive blocks of `page_size` counted from the oldest answer, so that a new answer
changes the newest page and the newest block, never the members of an older block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from generator.model import Dashboards

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """The overview's list length and the entries on one page of a paged list."""

    list_size: int = Dashboards().list_size
    page_size: int = Dashboards().page_size


DEFAULT_LIMITS = Limits()


def limits(settings: Dashboards) -> Limits:
    """The limits set in `dashboards:` of `data/site.yaml`."""
    return Limits(list_size=settings.list_size, page_size=settings.page_size)


def paged(items: Sequence[T], size: int) -> list[list[T]]:
    """`items` in pages of `size`, in order; an empty list is one empty page (the page still says so)."""
    if not items:
        return [[]]
    return [list(items[start:start + size]) for start in range(0, len(items), size)]


def first(items: Sequence[T], size: int) -> tuple[list[T], int]:
    """The first `size` items and how many are left out."""
    return list(items[:size]), max(0, len(items) - size)


@dataclass(frozen=True)
class Archived(Generic[T]):
    """A list cut for answers that arrive at its newest end: the newest page, then archive blocks from the oldest."""

    newest: list[T]         # the newest `size` entries, newest first
    blocks: list[list[T]]   # blocks[k - 1] is block k: entries (k−1)·size+1 … k·size counted from the oldest, newest first

    @property
    def total(self) -> int:
        """Entries in the whole list."""
        return len(self.newest) + sum(len(block) for block in self.blocks)


def archived(items: Sequence[T], size: int) -> Archived[T]:
    """`items` (newest first) as the newest `size`, and the older ones in blocks of `size` counted from the oldest.

    With N entries numbered 1 (oldest) … N: the newest page holds N−size+1 … N; block k holds
    (k−1)·size+1 … k·size of the entries 1 … N−size, the last block partial. A block's members
    stay put while entries are only added at the newest end; every entry is in exactly one place.
    """
    older = items[size:]
    count = len(older)
    # block k's slice of `older` (which is newest first) ends where the (k−1)·size oldest entries begin
    blocks = [list(older[max(0, count - start - size):count - start]) for start in range(0, count, size)]
    return Archived(list(items[:size]), blocks)
