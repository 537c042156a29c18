"""Renewal risk: the rules of docs/metrics.md, each with a reason a person can act on.

Risk is assessed for active clients only; a client that is not active on A gets risk null
and no reasons. For an active client each rule below that holds adds one reason (in this
order); thresholds live in `targets` in site.yaml (defaults in brackets):

1. Detractor: the client's latest NPS answer (on or before A, any survey) is
   ≤ `detractor_max_nps` [6] — "latest NPS answer 3 (detractor) on 2026-09-14".
2. Unhappy: the latest CSAT answer is ≤ `unhappy_max_rating` [3] —
   "latest CSAT answer 2 of 5 on 2026-09-14".
   For 1 and 2, several answers on the latest day are a tie and the lowest one counts.
3. Falling satisfaction: NPS (and, separately, CSAT) of the last 12 months (A−364 … A) is
   lower, as shown to 1 decimal, than in the 365 days before (A−729 … A−365), by at least
   `falling_min_drop` [10] points. Only compared when both periods have at least 2
   responses with such answers —
   "NPS fell from 50.0 (n=4) in the previous 12 months to 20.0 (n=5) in the last 12 months".
4. On-site minimum: at least `below_min_months_of_3` [2] of the last 3 full calendar months
   before A's month (those wholly inside the agreement) had fewer on-site contacts than the
   client's minimum (`onsite_min_per_month`) — "2 of the last 3 months below the on-site
   minimum of 1 per month".
5. No contact: the latest contact of any kind is `no_contact_days` [30] or more days before
   A, or there is none — "no contact for 45 days (last on 2026-10-16)", "no contact logged".
6. Survey overdue: survey_next_due < A — "survey overdue since 2026-10-01".

Level: `high` when any reason holds and the next renewal is within `renewal_window_days`
[90] of A (then "renewal on 2027-01-01 in 36 days" is added as the last reason); `medium`
when any reason holds otherwise (including clients with no next renewal, i.e. an `ended`
date); `low` when none does, with no reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from generator.metrics.contact import ContactFigures
from generator.metrics.dates import to_date
from generator.metrics.satisfaction import Tally
from generator.metrics.schedule import Schedule
from generator.model import Targets

TREND_MIN_RESPONSES = 2  # never call a trend "falling" from fewer responses in either period


@dataclass(frozen=True)
class Signals:
    """What the rules look at, per client in roster order."""

    active: np.ndarray
    latest_nps: np.ndarray        # score, −1 when none
    latest_nps_day: np.ndarray    # datetime64[D]
    latest_csat: np.ndarray
    latest_csat_day: np.ndarray
    nps_now: Tally
    nps_before: Tally
    csat_now: Tally
    csat_before: Tally
    onsite_min: np.ndarray        # the client's on-site minimum per month
    contact: ContactFigures
    schedule: Schedule


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _falling(name: str, now: Tally, before: Tally, values: Callable[[Tally], np.ndarray],
             min_drop: float) -> tuple[np.ndarray, Callable[[int], str]]:
    current, previous = values(now), values(before)
    # compare the figures as shown (1 decimal) so the reason never contradicts its own numbers
    drop = np.round((previous - current) * 10) / 10
    holds = ((now.responses >= TREND_MIN_RESPONSES) & (before.responses >= TREND_MIN_RESPONSES)
             & (current < previous) & (drop >= min_drop))
    return holds, lambda i: (f"{name} fell from {previous[i]:.1f} (n={before.answers[i]}) in the previous "
                             f"12 months to {current[i]:.1f} (n={now.answers[i]}) in the last 12 months")


def assess(signals: Signals, targets: Targets, today: np.datetime64) -> tuple[list[str | None], list[list[str]]]:
    """Risk level and reasons per client (None and [] for clients that are not active)."""
    s, contact, plan = signals, signals.contact, signals.schedule
    since_contact = (today - contact.last_contact).astype(np.int64)
    rules: list[tuple[np.ndarray, Callable[[int], str]]] = [
        ((s.latest_nps >= 0) & (s.latest_nps <= targets.detractor_max_nps),
         lambda i: f"latest NPS answer {s.latest_nps[i]} (detractor) on {to_date(s.latest_nps_day[i])}"),
        ((s.latest_csat >= 0) & (s.latest_csat <= targets.unhappy_max_rating),
         lambda i: f"latest CSAT answer {s.latest_csat[i]} of 5 on {to_date(s.latest_csat_day[i])}"),
        _falling("NPS", s.nps_now, s.nps_before, Tally.nps, targets.falling_min_drop),
        _falling("CSAT", s.csat_now, s.csat_before, Tally.csat, targets.falling_min_drop),
        (contact.below_min_last_3 >= targets.below_min_months_of_3,
         lambda i: f"{contact.below_min_last_3[i]} of the last 3 months below the on-site minimum"
                   f" of {s.onsite_min[i]} per month"),
        (np.isnat(contact.last_contact) | (since_contact >= targets.no_contact_days),
         lambda i: "no contact logged" if np.isnat(contact.last_contact[i])
         else f"no contact for {_days(int(since_contact[i]))} (last on {to_date(contact.last_contact[i])})"),
        (plan.survey_overdue, lambda i: f"survey overdue since {to_date(plan.survey_next_due[i])}"),
    ]
    size = len(s.active)
    reasons: list[list[str]] = [[] for _ in range(size)]
    for holds, sentence in rules:
        for index in np.flatnonzero(holds & s.active):
            reasons[index].append(sentence(index))
    to_renewal = (plan.next_renewal - today).astype(np.int64)
    soon = ~np.isnat(plan.next_renewal) & (to_renewal <= targets.renewal_window_days)
    levels: list[str | None] = []
    for index in range(size):
        if not s.active[index]:
            levels.append(None)
        elif not reasons[index]:
            levels.append("low")
        elif soon[index]:
            days = int(to_renewal[index])
            when = "today" if days == 0 else f"in {_days(days)}"
            reasons[index].append(f"renewal on {to_date(plan.next_renewal[index])} {when}")
            levels.append("high")
        else:
            levels.append("medium")
    return levels, reasons
