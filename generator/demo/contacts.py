"""The sample's contacts.csv rows: visits, remote sessions, calls and e-mails month by month."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence

from generator.demo.clients import Plan
from generator.demo.dates import month_index, weekdays
from generator.demo.wording import KINDS, MINUTES, NOTES, SCHEDULED, STAFF

#: The columns of contacts.csv, in order (docs/data-formats.md).
CONTACT_COLUMNS = ("date", "client", "kind", "staff", "minutes", "note")

#: One contacts.csv row: date, client, kind, staff, minutes, note.
ContactRow = tuple[str, str, str, str, int, str]


def contact_rows(rng: random.Random, plans: Sequence[Plan], as_of: dt.date) -> list[ContactRow]:
    """Every contact row up to as_of, sorted.

    Records each plan's on-site count per month in `plan.monthly`, which the responses read.
    """
    history_start = dt.date(as_of.year - 3, 1, 1)
    rows: list[ContactRow] = []
    for plan in plans:
        first = max(plan.start, history_start)
        last = min(plan.last_day or as_of, as_of)
        size = plan.record["pcs"] / 20
        systems = KINDS[plan.kind][2]
        person = plan.record["contact"]["name"].split()[0]
        for index in range(month_index(first), month_index(last) + 1):
            all_days = weekdays(index)
            days = [d for d in all_days if first <= d <= last]
            if not days:
                continue
            share = len(days) / len(all_days)
            if index in plan.onsite:
                visits = plan.onsite[index]
            else:
                visits = max(0, int(plan.rate * share + rng.gauss(0, 0.55) + 0.5))
            plan.monthly[index] = visits
            counts = (("onsite", min(visits, len(days))), ("remote", _poisson(rng, 0.9 * size * share)),
                      ("phone", _poisson(rng, 0.45 * share)), ("email", _poisson(rng, 0.55 * share)))
            for kind, count in counts:
                for day in (rng.sample(days, count) if kind == "onsite" else rng.choices(days, k=count)):
                    rows.append(_contact_row(rng, plan, day, kind, person, systems))
    active = [p for p in plans if p.last_day is None and p.role != "drop" and p.start <= as_of]
    # Planned visits belong in the calendar, not the log: none is written after as_of. The random
    # draws that once made them are still made, so every other row of the sample stays the same.
    for _plan in rng.sample(active, min(4, len(active))):
        rng.randint(1, 12)
        rng.choice(SCHEDULED)
    rows.sort()
    return rows


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: the means here are small, so the loop is short
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _contact_row(rng: random.Random, plan: Plan, day: dt.date, kind: str, person: str,
                 systems: Sequence[str]) -> ContactRow:
    staff = plan.tech if rng.random() < (0.8 if kind == "onsite" else 0.5) else rng.choice(STAFF)
    low, high, step = MINUTES[kind]
    minutes = rng.randrange(low, high + 1, step)
    note = rng.choice(NOTES[kind])
    if "{" in note:
        note = note.format(first=person, system=rng.choice(systems), n=rng.randint(2, 19))
    return (day.isoformat(), plan.id, kind, staff, minutes, note)
