"""Exact rounding of percentages and means, free of binary floating-point error.

Rule: a figure is the exact rational value, rounded half away from zero at the last shown
digit (6.25 → 6.3, −6.25 → −6.3, 0.15 → 0.2). It is computed on integers, so 1/16 or 3/2000
round the way a person with pencil and paper would, not the way `round(float)` does.
"""

from __future__ import annotations

import numpy as np


def round_ratio(numerator: np.ndarray, denominator: np.ndarray, scale: int) -> np.ndarray:
    """`round(scale × numerator / denominator)` half away from zero, as floats; NaN where denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.int64) * scale
    denominator = np.asarray(denominator, dtype=np.int64)
    safe = np.where(denominator > 0, denominator, 1)
    quotient, remainder = np.divmod(np.abs(numerator), safe)
    quotient = quotient + (2 * remainder >= safe)
    return np.where(denominator > 0, np.sign(numerator) * quotient, np.nan).astype(float)


def percent_1dp(part: np.ndarray, total: np.ndarray) -> np.ndarray:
    """`100 × part / total` rounded to 1 decimal (half away from zero); NaN when total is 0."""
    return round_ratio(part, total, 1000) / 10


def mean_2dp(score_sum: np.ndarray, count: np.ndarray) -> np.ndarray:
    """`score_sum / count` of whole-number scores, rounded to 2 decimals; NaN when count is 0."""
    return round_ratio(score_sum, count, 100) / 100
