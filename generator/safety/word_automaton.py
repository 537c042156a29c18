"""One Aho–Corasick automaton over many word sequences: a scan is linear in the text, whatever the needles.

A text's words are run together (`bay view` → `bayview`) and a needle, its words run together
too, matches where it starts at the start of a word and ends at the end of one. So a name is
found however it is split (`Bay**view**`, `Bay-view`, `Bay<b>view</b>`), a phone however its
digits are grouped, and never inside a longer word (`ebayview`).

Making the automaton costs some 9 µs a needle (0.7 s for the 76,000 needles of 10,000 clients),
while a public site of a few pages has only some ten thousand words. So the first texts are read
by looking up, at each word start, the runs of words that could be a needle in a dictionary of
the needles; once the words read so would have cost about what making the automaton does, it is
made and reads the rest (at most about twice the better of the two). Both find the same.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

import ahocorasick

# a needle's first characters: most word starts of a text begin no needle, which these few tell at once
HEAD = 8
# words read by looking up (in all texts) per needle before the automaton is made: making it costs some 9 µs a
# needle, and reading a word some 1.6 µs by looking up, 0.2 µs with it (10,000 clients' needles, their public pages)
WORDS_PER_NEEDLE = 6


class Keyed(Protocol):
    """Anything with the words it stands for, run together."""

    @property
    def key(self) -> str: ...


class WordAutomaton:
    """Finds needles (anything with a `key`) in lists of words."""

    def __init__(self, needles: Iterable[Keyed]):
        self._grouped: dict[str, tuple[int, list[Keyed]]] = {}
        for needle in needles:
            key = needle.key
            found = self._grouped.get(key)
            if found is not None:
                found[1].append(needle)
            elif key:
                self._grouped[key] = (len(key), [needle])
        self.empty = not self._grouped
        self._automaton: ahocorasick.Automaton | None = None
        self._budget = len(self._grouped) * WORDS_PER_NEEDLE  # words still to be read by looking up
        self._heads: frozenset[str] | None = None
        self._longest = max((length for length, _ in self._grouped.values()), default=0)

    def make(self) -> None:
        """Make the automaton now (when it will surely read many words), not once the lookups have read enough."""
        if self._automaton is None and not self.empty:
            automaton = ahocorasick.Automaton()
            for key, value in self._grouped.items():
                automaton.add_word(key, value)
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, words: Sequence[str] | WordRun) -> Iterator[tuple[int, int, Keyed]]:
        """(first word, word after the last, needle) for every needle found, word-aligned."""
        run = words if isinstance(words, WordRun) else WordRun(words)
        if self.empty or not run.count:
            return
        if self._automaton is None and self._budget >= run.count:
            self._budget -= run.count
            yield from self._looked_up(run)
            return
        self.make()
        assert self._automaton is not None
        for last, (length, group) in self._automaton.iter(run.text):
            first = run.starting(last + 1 - length)
            after = run.ending(last + 1)
            if first is not None and after is not None:
                for needle in group:
                    yield first, after, needle

    def _looked_up(self, run: WordRun) -> Iterator[tuple[int, int, Keyed]]:
        """`find`'s hits, by looking up each run of words from a word start that is no longer than the longest needle."""
        text, starts, ends = run.text, run.starts(), run.ends()
        if self._heads is None:
            self._heads = frozenset(key[:HEAD] for key in self._grouped if len(key) >= HEAD)
        heads, grouped, longest = self._heads, self._grouped, self._longest
        stops = list(ends)  # the offsets where a word ends, in order (the words' offsets only grow)
        hits: list[tuple[int, int, int, Keyed]] = []
        for start, first in starts.items():
            head = text[start:start + HEAD]
            for position in range(bisect.bisect_right(stops, start), len(stops)):
                stop = stops[position]
                if stop - start > longest or (stop - start >= HEAD and head not in heads):
                    break  # no needle is that long, or none of those long enough starts here
                found = grouped.get(text[start:stop])
                if found is not None:
                    hits += [(stop, start, first, needle) for needle in found[1]]
        # in the automaton's order: by where each ends, the longest first
        for stop, _, first, needle in sorted(hits, key=lambda hit: hit[:2]):
            yield first, ends[stop], needle


class WordRun:
    """A text's words run together, with the offset at which each starts: made once, read by any automaton (the leak
    gate holds the public files' in `rapport serve`, to read an unchanged file again for new needles only)."""

    __slots__ = ("bounds", "count", "text")

    def __init__(self, words: Sequence[str], compact: bool = False):
        self.text = "".join(words)
        self.count = len(words)
        # where each word starts, then where the last ends; `compact` (a run kept for later reads): 8 bytes a word,
        # not a list's 36, a little slower to read
        offsets = itertools.accumulate(map(len, words), initial=0)
        self.bounds: Sequence[int] = array("q", offsets) if compact else list(offsets)

    def starting(self, offset: int) -> int | None:
        """The word that starts at this offset (the last, after empty words), else None."""
        index = bisect.bisect_right(self.bounds, offset, 0, self.count) - 1
        return index if index >= 0 and self.bounds[index] == offset else None

    def ending(self, offset: int) -> int | None:
        """The word after the one that ends at this offset (the last, after empty words), else None."""
        index = bisect.bisect_right(self.bounds, offset, 1) - 1
        return index if index >= 1 and self.bounds[index] == offset else None

    def starts(self) -> dict[int, int]:
        """Each word's offset: the word that starts there."""
        return dict(zip(self.bounds, range(self.count)))

    def ends(self) -> dict[int, int]:
        """Each word's end: the word after it."""
        return dict(zip(itertools.islice(self.bounds, 1, None), range(1, self.count + 1)))
