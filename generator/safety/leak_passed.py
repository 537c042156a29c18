"""What the leak gate remembers between builds: the public files that passed it, and the needles they passed.

A rebuild after a new response leaves the public site as it was, byte for byte, while the
gate's needles gain at most the new answer's sentences. A file that passed the gate's needles
in the last build needs reading again only for the needles added since; a needle taken away
cannot make it fail. The gate itself (generator/safety/leak_gate.py) does the reading; this
module says which files passed which needles, kept in the memo (generator/memo.py).

The needles are remembered as 64-bit hashes (pandas' own, stable across runs): a new needle
is missed only if its hash equals an old one's, about one chance in 10^10 at a hundred thousand needles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from generator.files import BuiltFile
from generator.memo import Memo
from generator.safety.leak_grown import HeldNeedles
from generator.safety.leak_needles import NEEDLES, Needle

NAME = "leak-passed"
HASHES = "needle-hashes"  # held (`Memo.hold`): the hashes of the needles of `recall` (`HeldHashes`)

Seen = tuple[str, str]  # a public file's path and sha256
Hidden = tuple[str, ...]  # the allowed texts that hid a needle in that file (leak_gate.allow), sorted


@dataclass
class Passed:
    """The files that passed the last build's needles, and the needles added since."""

    hashes: np.ndarray  # every needle of this build, hashed, sorted
    key: list[bytes]  # the allowed texts: a file passed them as they were
    earlier: dict[Seen, Hidden] = field(default_factory=dict)
    added: list[Needle] = field(default_factory=list)  # needles the earlier files were not read for
    passing: dict[Seen, Hidden] = field(default_factory=dict)  # the files passing this build's needles
    # the memo's entry is to be written again though nothing changed, so that the next build of this process finds
    # there the very hashes it holds (`recall`) rather than an equal array made by another build
    renew: bool = False

    @classmethod
    def recall(cls, memo: Memo, private: Sequence[Needle], allowed: Sequence[Needle]) -> Passed:
        """What the memo says passed; nothing when a needle was taken away (an allowed text's count may change)."""
        held = _held_hashes(memo, private)
        own, hashes = held.own, held.hashes
        key = ["\x1f".join(" ".join(needle.words) for needle in allowed).encode()]
        kept = memo.get(NAME, key)
        if not (isinstance(kept, tuple) and len(kept) == 2):
            return cls(hashes, key)
        before, earlier = kept
        if before is hashes:  # what this process kept last: the very needles the files passed
            return cls(hashes, key, earlier)
        if held.grown is not None and before is held.grown[0]:  # the last build's needles, and those added to them
            _, needles, added = held.grown
            new = ~_among(added, before)
            return cls(hashes, key, earlier, [needle for needle, fresh in zip(needles, new.tolist()) if fresh], renew=True)
        if not isinstance(before, np.ndarray) or np.setdiff1d(before, hashes, assume_unique=True).size:
            return cls(hashes, key)
        new = ~np.isin(own, before)
        return cls(hashes, key, earlier, [needle for needle, added in zip(private, new.tolist()) if added],
                   renew=memo.held(HASHES, []) is not None)

    def before(self, item: BuiltFile) -> Hidden | None:
        """The allowed texts that hid a needle in this very file when it passed the last build; None if it did not."""
        return self.earlier.get((item.path, item.sha256))

    def keep(self, memo: Memo) -> None:
        """Remember the files passing this build's needles (when they are not what the memo holds)."""
        if self.added or self.passing != self.earlier or self.renew:
            memo.put(NAME, self.key, (self.hashes, self.passing))


class HeldHashes(NamedTuple):
    """The hashes of a build's needles, as `recall` takes them."""

    own: np.ndarray  # one per needle, in their order
    hashes: np.ndarray  # sorted, distinct
    # when the needles grew from the last build's: its distinct hashes, the needles added and their hashes
    grown: tuple[np.ndarray, list[Needle], np.ndarray] | None = None


def _held_hashes(memo: Memo, private: Sequence[Needle]) -> HeldHashes:
    """The needles' hashes: held from the last build of this process while the needles are its very list (held by
    `make_needles`), or grown from them while they are that list with needles added (generator/safety/leak_grown.py)."""
    held, needles = memo.held(HASHES, []), memo.held(NEEDLES, [])
    if isinstance(held, tuple) and held[0] is private:
        return held[1]  # type: ignore[no-any-return]  # held below
    if isinstance(held, tuple) and isinstance(needles, HeldNeedles) and needles.needles is private \
            and needles.grown_from is not None and needles.grown_from[0] is held[0]:
        before: HeldHashes = held[1]
        added = needles.grown_from[1]
        hashes = _hashes(added)
        fresh = np.unique(hashes)
        fresh = fresh[~_among(fresh, before.hashes)]
        made = HeldHashes(np.concatenate([before.own, hashes]),
                          np.insert(before.hashes, np.searchsorted(before.hashes, fresh), fresh),
                          (before.hashes, added, hashes))
    else:
        own = _hashes(private)
        made = HeldHashes(own, np.unique(own))
    memo.hold(HASHES, [], (private, made))
    return made


def _among(values: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Whether each value is one of the sorted, distinct `hashes` (`np.isin` would sort them again: a few values
    among fourteen thousand hashes)."""
    at = np.minimum(np.searchsorted(hashes, values), max(hashes.size - 1, 0))
    return hashes[at] == values if hashes.size else np.zeros(values.shape, dtype=bool)


def _hashes(needles: Sequence[Needle]) -> np.ndarray:
    """One 64-bit hash per needle, of its kind and words (what a finding depends on; its owner is never shown)."""
    if not needles:
        return np.zeros(0, dtype=np.uint64)
    texts = np.array([f"{needle.kind}\x1e{' '.join(needle.words)}" for needle in needles], dtype=object)
    # the same hashes as with pandas' default, a third of the time: the texts are nearly all distinct, so finding
    # the distinct ones first (`categorize`) only adds a pass
    return pd.util.hash_array(texts, categorize=False)
