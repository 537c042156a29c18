"""Counts in words: "1 day", "2 days": the one place pages and commands put a noun after a number."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None, *, grouped: bool = False) -> str:
    """`count` and `noun`, singular for exactly one ("1 day", "0 days"); `many` for an irregular plural."""
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {plural_noun(count, noun, many)}"


def plural_noun(count: int, noun: str, many: str | None = None) -> str:
    """The noun alone, for a count shown apart from it ("<strong>2</strong> days")."""
    if count == 1:
        return noun
    return many if many is not None else f"{noun}s"
