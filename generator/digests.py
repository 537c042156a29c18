"""Digests of bytes and of frame rows: what kept values and reused pages are keyed by."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def digest(*parts: bytes) -> bytes:
    """A digest of several byte strings, each length-prefixed so that their boundaries count."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.digest()


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row (pandas' own, stable across runs), in file order."""
    if frame.empty:
        return np.zeros(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()
