"""Is a fall in NPS or CSAT more than the luck of a small sample? (docs/metrics.md, "Falling satisfaction")

Both figures are shares of answers, so the standard error of the difference between two
periods follows from the counts alone. Both tests ask how often two samples of an unchanged
client — answers drawn from the two periods pooled — would differ this much:

- CSAT (the share of 4s and 5s): the two-proportion z-test with the pooled share `p`,
  `z = (p_before − p_now) / √(p(1−p)(1/n_before + 1/n_now))`.
- NPS (each answer counts +1, 0 or −1): the same test for a difference of means, with the
  variance of one answer in the pooled sample, `v = (p + d) − (p − d)²` for the pooled shares of
  promoters `p` and detractors `d`: `z = (NPS_before − NPS_now) / 100 / √(v(1/n_before + 1/n_now))`.

A fall counts when `z ≥ Z_90`: a fall that large would come from two samples of one
unchanged client less than one time in twenty (90 % two-sided).
"""

from __future__ import annotations

import numpy as np

from generator.metrics.satisfaction import Tally

Z_90 = 1.6448536269514722  # the 95th percentile of the standard normal: 90 % two-sided


def fall_z(before: Tally, now: Tally, kind: str) -> np.ndarray:
    """Per group, how many standard errors the figure fell by (0 where a period has no answers)."""
    n_before, n_now = before.answers.astype(float), now.answers.astype(float)
    both = (n_before > 0) & (n_now > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = n_before + n_now
        promoters = (before.positive + now.positive) / total
        if kind == "csat":
            spread = promoters * (1 - promoters)
            fall = before.positive / n_before - now.positive / n_now
        else:
            detractors = (before.negative + now.negative) / total
            spread = promoters + detractors - (promoters - detractors) ** 2
            fall = (before.positive - before.negative) / n_before - (now.positive - now.negative) / n_now
        error = np.sqrt(np.maximum(spread, 0.0) * (1 / n_before + 1 / n_now))
        # no spread in the pooled answers: every answer was the same, so nothing fell
        z = np.where(error > 0, fall / error, 0.0)
    result: np.ndarray = np.where(both, z, 0.0)
    return result
