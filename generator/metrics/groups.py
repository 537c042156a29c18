"""Grouping rows by several keys with numpy: what `DataFrame.groupby(keys)` finds, at a fraction of its cost.

A pandas groupby with named aggregations costs ~20 ms whatever the size of the frame; the
metrics make a dozen of them per build. Here the keys are numbered once (`groups`), and each
count or sum is one `np.bincount` over those numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

ROOM = 1 << 62  # the combined numbers of the keys stay below it, in int64
DENSE_SPAN = 1 << 16  # up to this many combined numbers (and 8 a row), the groups are found in a table of them all


def groups(keys: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each row's group by the values of `keys` (arrays of one length, no missing values), and each key's value per group.

    Groups are numbered in the sorted order of their keys, the first key first, as `groupby(keys, sort=True)`
    orders them; only the groups that have rows exist.
    """
    rows = len(keys[0])
    combined, span = np.zeros(rows, dtype=np.int64), 1  # span: how many combined numbers there may be so far
    for key in keys:
        codes, size = _codes(np.asarray(key), ROOM // span)
        combined, span = combined * size + codes, max(span * size, 1)  # no rows: no values
    if span <= DENSE_SPAN + 8 * rows:  # few possible numbers: those present marked in a table, without a sort
        present = np.zeros(span, dtype=bool)
        present[combined] = True
        found, group = np.flatnonzero(present), (np.cumsum(present) - 1)[combined]
    else:
        found, group = np.unique(combined, return_inverse=True)
        group = group.reshape(-1)
    some_row = np.zeros(len(found), dtype=np.int64)
    some_row[group] = np.arange(rows)  # a row of each group: all its rows share the keys
    return group, [np.asarray(key)[some_row] for key in keys]


def _codes(key: np.ndarray, room: int) -> tuple[np.ndarray, int]:
    """Numbers of the key's values in their sorted order, and how many numbers there may be.

    Whole numbers of a range smaller than `room` (client positions, quarters) are numbered by their distance
    from the smallest, without the hash table of `pd.factorize`: the numbers may skip values none has, which
    the groups' `np.unique` leaves out as it would.
    """
    if key.dtype.kind in "iu" and len(key):
        low, high = int(key.min()), int(key.max())
        if high - low < room:
            return key.astype(np.int64) - low, high - low + 1
    codes, uniques = pd.factorize(key, sort=True)  # codes in the sorted order of the values
    return codes, len(uniques)


def count(group: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Rows (or the sum of whole-number `weights`) per group 0 … size−1, as int64."""
    chosen = None if weights is None else np.asarray(weights, dtype=np.float64)
    return np.bincount(group, weights=chosen, minlength=size).round().astype(np.int64)
