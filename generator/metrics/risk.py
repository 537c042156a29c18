"""Renewal risk: the rules of docs/metrics.md, each with a reason a person can act on and the figures behind it.

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
   `falling_min_drop` [10] points, and by more than the sample sizes explain: the fall is at
   least `Z_90` standard errors (metrics/significance.py). Only compared when both periods
   have at least `min_responses` [5] such answers, from at least 2 responses —
   "CSAT fell from 90.0 (n=10) in the previous 12 months to 40.0 (n=10) in the last 12 months".
4. On-site minimum: at least `below_min_months_of_3` [2] of the last 3 full calendar months
   before A's month (those wholly inside the agreement) had fewer on-site contacts than the
   client's minimum (`onsite_min_per_month`) — "2 of the last 3 months below the on-site
   minimum of 1 per month".
5. No contact: the latest contact of any kind is `no_contact_days` [30] or more days before
   A, or there is none — "no contact for 45 days (last on 2026-10-16)", "no contact logged".
   The days count from the client's `tracking_since` when that is later (tracking.py): a
   client is never flagged for silence before its records began.
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
from generator.metrics.significance import Z_90, fall_z
from generator.model import Targets
from generator.plurals import plural

Figures = dict[str, object]  # what a reason was decided from, for `report --json`
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
    tracking_since: np.ndarray    # datetime64[D]: no schedule counts before it
    contact: ContactFigures
    schedule: Schedule


def _falling(name: str, now: Tally, before: Tally, values: Callable[[Tally], np.ndarray], min_drop: float,
             min_answers: int) -> tuple[np.ndarray, Callable[[int], str], Callable[[int], Figures]]:
    current, previous = values(now), values(before)
    # compare the figures as shown (1 decimal) so the reason never contradicts its own numbers
    drop = np.round((previous - current) * 10) / 10
    z = fall_z(before, now, name.lower())
    holds = ((now.responses >= TREND_MIN_RESPONSES) & (before.responses >= TREND_MIN_RESPONSES)
             & (now.answers >= min_answers) & (before.answers >= min_answers) & (current < previous) & (drop >= min_drop) & (z >= Z_90))
    return holds, lambda i: (f"{name} fell from {previous[i]:.1f} (n={before.answers[i]}) in the previous "
                             f"12 months to {current[i]:.1f} (n={now.answers[i]}) in the last 12 months"), \
        lambda i: {"rule": f"{name.lower()}_falling", "before": float(previous[i]), "before_n": int(before.answers[i]),
                   "now": float(current[i]), "now_n": int(now.answers[i]), "drop": float(drop[i]),
                   "z": round(float(z[i]), 2), "z_needed": round(Z_90, 3),
                   "min_n": min_answers, "min_drop": min_drop}


def assess(
    signals: Signals, targets: Targets, today: np.datetime64,
) -> tuple[list[str | None], list[list[str]], list[list[Figures]]]:
    """Risk level, reasons and the figures behind each reason, per client (None, [], [] when not active)."""
    s, contact, plan = signals, signals.contact, signals.schedule
    since_contact = (today - contact.last_contact).astype(np.int64)
    # silence counts from the later of the last contact and tracking_since (tracking.py)
    silent = (today - np.fmax(contact.last_contact, s.tracking_since)).astype(np.int64)

    def latest(rule: str, scores: np.ndarray, days: np.ndarray, limit: int) -> Callable[[int], Figures]:
        return lambda i: {"rule": rule, "score": int(scores[i]), "date": to_date(days[i]), "at_most": limit}

    rules: list[tuple[np.ndarray, Callable[[int], str], Callable[[int], Figures]]] = [
        ((s.latest_nps >= 0) & (s.latest_nps <= targets.detractor_max_nps),
         lambda i: f"latest NPS answer {s.latest_nps[i]} (detractor) on {to_date(s.latest_nps_day[i])}",
         latest("detractor", s.latest_nps, s.latest_nps_day, targets.detractor_max_nps)),
        ((s.latest_csat >= 0) & (s.latest_csat <= targets.unhappy_max_rating),
         lambda i: f"latest CSAT answer {s.latest_csat[i]} of 5 on {to_date(s.latest_csat_day[i])}",
         latest("unhappy", s.latest_csat, s.latest_csat_day, targets.unhappy_max_rating)),
        _falling("NPS", s.nps_now, s.nps_before, Tally.nps, targets.falling_min_drop, targets.min_responses),
        _falling("CSAT", s.csat_now, s.csat_before, Tally.csat, targets.falling_min_drop, targets.min_responses),
        (contact.below_min_last_3 >= targets.below_min_months_of_3,
         lambda i: f"{contact.below_min_last_3[i]} of the last 3 months below the on-site minimum"
                   f" of {s.onsite_min[i]} per month",
         lambda i: {"rule": "below_onsite_minimum", "months_below": int(contact.below_min_last_3[i]), "of_months": 3,
                    "at_least": targets.below_min_months_of_3, "onsite_min": int(s.onsite_min[i])}),
        (silent >= targets.no_contact_days,
         lambda i: "no contact logged" if np.isnat(contact.last_contact[i])
         else f"no contact for {plural(int(since_contact[i]), 'day')} (last on {to_date(contact.last_contact[i])})",
         lambda i: {"rule": "no_contact", "days": None if np.isnat(contact.last_contact[i]) else int(since_contact[i]),
                    "last_contact": to_date(contact.last_contact[i]), "at_least": targets.no_contact_days,
                    "tracking_since": to_date(s.tracking_since[i])}),
        (plan.survey_overdue, lambda i: f"survey overdue since {to_date(plan.survey_next_due[i])}",
         lambda i: {"rule": "survey_overdue", "due": to_date(plan.survey_next_due[i])}),
    ]
    size = len(s.active)
    reasons: list[list[str]] = [[] for _ in range(size)]
    figures: list[list[Figures]] = [[] for _ in range(size)]
    for holds, sentence, behind in rules:
        for index in np.flatnonzero(holds & s.active).tolist():
            reasons[index].append(sentence(index))
            figures[index].append(behind(index))
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
            when = "today" if days == 0 else f"in {plural(days, 'day')}"
            reasons[index].append(f"renewal on {to_date(plan.next_renewal[index])} {when}")
            figures[index].append({"rule": "renewal_soon", "renewal": to_date(plan.next_renewal[index]), "days": days,
                                   "within": targets.renewal_window_days})
            levels.append("high")
        else:
            levels.append("medium")
    return levels, reasons, figures
