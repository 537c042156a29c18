"""How much one dashboard page holds, so that no page grows with the portfolio (docs/metrics.md).

The overview shows the first `list_size` of each of its lists (most pressing first) and counts
the rest; every list that grows with the portfolio — the client index, the full lists behind
the overview, the inbox, a survey's written answers, the calendar — is cut into pages of
`page_size` entries. Both come from `dashboards.list_size` and `dashboards.page_size` in
`data/site.yaml`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

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
