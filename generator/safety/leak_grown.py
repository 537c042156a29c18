"""The leak gate's needles held between the builds of `rapport serve`, and grown by those of new texts.

A new response brings new free-text answers: its needles are the answers and their sentences, while
every other needle stays as it was. So while the free texts only grow (each source's texts of the
last build are among its texts now) and every other input is the very value the memo gave the last
build, the held needles are extended by the needles of the new texts only. Anything else (a text
taken away, a new source, a fragment that would now be a needle of another kind) makes them again
(generator/safety/leak_needles.py `make_needles`), so the needles are always those a clean build makes.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # leak_needles imports this module
    from generator.safety.leak_needles import Needle, Words

FreeTexts = tuple[tuple[str, frozenset[str]], ...]  # (kind, the texts of one source), kinds in the order they rank


@dataclass(frozen=True)
class HeldNeedles:
    """The needles of a build, with what they were made from; held (`Memo.hold`) for the next build of the process."""

    made_from: tuple[object, ...]  # the memo's values (the very objects), then the free texts (`FreeTexts`)
    needles: list[Needle]
    # each free-text fragment's needle, of the kind ranked last, the business's own words not left out yet
    fragments: dict[Words, Needle]
    # when grown: the last build's very list, and the needles added to it (at its end)
    grown_from: tuple[list[Needle], list[Needle]] | None = None


def grow(held: HeldNeedles, made_from: tuple[object, ...], fragments_of: Callable[[str, str], list[Needle]],
         own_keys: Callable[[list[Needle]], Set[str]]) -> HeldNeedles | None:
    """The held needles and those of the texts added since, when the free texts only grew and nothing else changed
    (`fragments_of(text, kind)`: a text's needles; `own_keys`: the keys of needles found in the business's own
    words); None when the needles must be made again."""
    *values, texts = made_from
    *held_values, held_texts = held.made_from
    if not all(value is before for value, before in zip(values, held_values, strict=True)):
        return None
    if not isinstance(texts, tuple) or not isinstance(held_texts, tuple) or len(texts) != len(held_texts):
        return None
    rank: dict[str, int] = {}  # a fragment of several kinds is a needle of the kind ranked last (`_needles_of`)
    new: list[tuple[str, str]] = []
    for (kind, found), (held_kind, held_found) in zip(texts, held_texts):
        rank.setdefault(kind, len(rank))
        if kind != held_kind or not held_found <= found:
            return None
        if found is not held_found and len(found) != len(held_found):
            new += [(kind, text) for text in sorted(text for text in found - held_found if isinstance(text, str))]
    added: dict[Words, Needle] = {}
    for kind, text in sorted(new, key=lambda item: rank[item[0]]):  # in rank order: the kind ranked last is kept
        for needle in fragments_of(text, kind):
            before = held.fragments.get(needle.words)
            if before is None:
                added[needle.words] = needle
            elif rank[needle.kind] > rank[before.kind]:
                return None  # the held needle would change its kind: its hash with it
    if not added:
        return HeldNeedles(made_from, held.needles, held.fragments)
    own = own_keys(list(added.values()))
    needles = [needle for needle in added.values() if needle.key not in own]
    held.fragments.update(added)  # no longer held (`make_needles`): the new value takes it over
    if not needles:
        return HeldNeedles(made_from, held.needles, held.fragments)
    return HeldNeedles(made_from, held.needles + needles, held.fragments, (held.needles, needles))
