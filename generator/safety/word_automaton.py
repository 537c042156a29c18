"""One Aho–Corasick automaton over many word sequences: a scan is linear in the text, whatever the needles.

A text's words are run together (`bay view` → `bayview`) and a needle, its words run together
too, matches where it starts at the start of a word and ends at the end of one. So a name is
found however it is split (`Bay**view**`, `Bay-view`, `Bay<b>view</b>`), a phone however its
digits are grouped, and never inside a longer word (`ebayview`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

import ahocorasick


class Keyed(Protocol):
    """Anything with the words it stands for, run together."""

    @property
    def key(self) -> str: ...


class WordAutomaton:
    """Finds needles (anything with a `key`) in lists of words."""

    def __init__(self, needles: Iterable[Keyed]):
        self._automaton = ahocorasick.Automaton()
        grouped: dict[str, list[Keyed]] = {}
        for needle in needles:
            if needle.key:
                grouped.setdefault(needle.key, []).append(needle)
        for key, group in grouped.items():
            self._automaton.add_word(key, (len(key), group))
        self.empty = not grouped
        if not self.empty:
            self._automaton.make_automaton()

    def find(self, words: Sequence[str]) -> Iterator[tuple[int, int, Keyed]]:
        """(first word, word after the last, needle) for every needle found, word-aligned."""
        if self.empty or not words:
            return
        starts: dict[int, int] = {}
        ends: dict[int, int] = {}
        offset = 0
        for index, word in enumerate(words):
            starts[offset] = index
            offset += len(word)
            ends[offset] = index + 1
        for last, (length, group) in self._automaton.iter("".join(words)):
            first = starts.get(last + 1 - length)
            after = ends.get(last + 1)
            if first is not None and after is not None:
                for needle in group:
                    yield first, after, needle
