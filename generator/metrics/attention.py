"""What needs the consultant's attention: the overview's lists and each client's next actions (docs/metrics.md).

Every rule that decides what a dashboard page calls out lives here, beside its threshold, so
that the pages only show what this module decided.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from generator.memo import NO_MEMO, Memo, held_for
from generator.metrics.dates import last_full_months, month_label
from generator.metrics.paging import DEFAULT_LIMITS, Limits
from generator.metrics.table import records
from generator.model import Targets
from generator.plurals import plural

DUE_DAYS = 30        # a survey "due" on the dashboards: due within this many days, or overdue
RENEWAL_DAYS = 120   # the overview's list of coming renewals
RISK_ORDER = {"high": 0, "medium": 1}


@dataclass(frozen=True)
class Action:
    """One thing to do next for a client, most pressing first; `kind` says which (the page words it).

    Kinds: `detractor` and `unhappy` (follow up the latest low answer: `answer` is its
    (date, score, question type)), `call`, `visit`, `survey`, `renewal`.
    """

    kind: str
    detail: str
    answer: tuple[dt.date, int, str] | None = None


@dataclass(frozen=True)
class Attention:
    """The overview's lists (client ids, most pressing first) and every client's next actions.

    The overview shows the first `limits.list_size` of each list and counts the rest; the full
    lists, and the client index, are paged by `limits.page_size` (metrics/paging.py).
    """

    at_risk: list[str]        # active, risk high or medium: high first, then the nearest renewal, the most reasons
    renewals: list[str]       # active, renewing within RENEWAL_DAYS: soonest first
    surveys_due: list[str]    # active, survey due within DUE_DAYS or overdue: soonest first
    actions: dict[str, list[Action]] = field(default_factory=dict)
    renewal_days: int = RENEWAL_DAYS
    due_days: int = DUE_DAYS
    misfits: list[str] = field(default_factory=list)   # active, outside the ideal profile: by name
    onsite: list[str] = field(default_factory=list)    # active: most months below the on-site minimum first
    below_last_month: int = 0  # active clients below their on-site minimum in the last full month
    clients: list[str] = field(default_factory=list)   # every client, active or not: by name (the client index)
    limits: Limits = DEFAULT_LIMITS



def attention(clients: pd.DataFrame, monthly: pd.DataFrame, targets: Targets, as_of: dt.date,
              limits: Limits = DEFAULT_LIMITS, memo: Memo = NO_MEMO) -> Attention:
    """The lists and actions of the client table `clients` (metrics/table.py) at `as_of` (what it reads of the monthly
    contacts held in `memo` while they are the very frame it was read from: metrics/contact.py)."""
    everyone = records(clients)
    rows = [row for row in everyone if row["active"]]
    names = {row["id"]: (row["name"].casefold(), row["id"]) for row in everyone}  # each worked out once for every sort

    def by_name(row: dict[str, Any]) -> tuple[str, str]:
        return names[row["id"]]

    def urgency(row: dict[str, Any]) -> tuple[Any, ...]:
        days = row["days_to_renewal"]
        return (RISK_ORDER[row["risk"]], days is None, days or 0, -len(row["risk_reasons"]), *by_name(row))

    at_risk = sorted((row for row in rows if row["risk"] in RISK_ORDER), key=urgency)
    renewals = sorted((row for row in rows if row["days_to_renewal"] is not None and row["days_to_renewal"] <= RENEWAL_DAYS),
                      key=lambda row: (row["next_renewal"], *by_name(row)))
    due = sorted((row for row in rows if row["survey_next_due"] is not None and (row["survey_next_due"] - as_of).days <= DUE_DAYS),
                 key=lambda row: (row["survey_next_due"], *by_name(row)))
    visits, below = held_for(memo, "attention-months", monthly, functools.partial(_months, monthly, as_of),
                             [as_of.isoformat().encode()])
    ids = {row["id"] for row in rows}
    # the heatmap's order: the most months below the minimum, then the longest since a visit
    onsite = sorted(rows,
                    key=lambda row: (-row["months_below_min_12m"], -row["below_min_last_3"],
                                     row["days_since_onsite"] is not None, -(row["days_since_onsite"] or 0), *by_name(row)))
    return Attention(
        at_risk=[row["id"] for row in at_risk], renewals=[row["id"] for row in renewals], surveys_due=[row["id"] for row in due],
        actions={row["id"]: next_actions(row, int(visits.get(row["id"], 0)), targets, as_of) for row in rows},
        misfits=[row["id"] for row in sorted(rows, key=by_name) if not row["fit"]],
        onsite=[row["id"] for row in onsite],
        below_last_month=sum(1 for client in below if client in ids),
        clients=[row["id"] for row in sorted(everyone, key=by_name)], limits=limits,
    )


def _months(monthly: pd.DataFrame, as_of: dt.date) -> tuple[dict[str, int], list[str]]:
    """Each client's on-site visits this month so far, and the clients below their minimum in the last full month."""
    current = monthly[monthly["month"] == as_of.strftime("%Y-%m")]
    last_month = str(month_label(last_full_months(as_of, 1))[0])
    below = monthly[(monthly["month"] == last_month) & monthly["below_min"]]
    return dict(zip(current["client"].tolist(), current["onsite"].tolist())), below["client"].tolist()


def next_actions(row: dict[str, Any], visits_this_month: int, targets: Targets, as_of: dt.date) -> list[Action]:
    """What to do next for an active client: follow up, call, visit, survey, prepare the renewal."""
    actions = []
    if row["latest_nps"] is not None and row["latest_nps"] <= targets.detractor_max_nps:
        actions.append(Action("detractor", f"latest NPS answer {row['latest_nps']} on {row['latest_nps_date']}",
                              (row["latest_nps_date"], row["latest_nps"], "nps")))
    elif row["latest_csat"] is not None and row["latest_csat"] <= targets.unhappy_max_rating:
        actions.append(Action("unhappy", f"latest CSAT answer {row['latest_csat']} of 5 on {row['latest_csat_date']}",
                              (row["latest_csat_date"], row["latest_csat"], "rating")))
    since = row["days_since_contact"]
    if since is None or since >= targets.no_contact_days:
        actions.append(Action("call", "no contact logged" if since is None else f"no contact for {plural(since, 'day')}"))
    if row["onsite_min"] and visits_this_month < row["onsite_min"]:
        last = (f"; last on-site visit {row['last_onsite']} ({plural(row['days_since_onsite'], 'day')} ago)" if row["last_onsite"]
                else "; no on-site visit logged")
        actions.append(Action("visit", f"{visits_this_month} of the minimum {row['onsite_min']} this month so far{last}"))
    due = row["survey_next_due"]
    if due is not None and (due - as_of).days <= DUE_DAYS:
        when = f"overdue since {due}" if row["survey_overdue"] else f"due on {due} (in {plural((due - as_of).days, 'day')})"
        actions.append(Action("survey", when))
    days = row["days_to_renewal"]
    if days is not None and days <= RENEWAL_DAYS:
        actions.append(Action("renewal", f"renewal on {row['next_renewal']}, in {plural(days, 'day')}; print this page as the client review"))
    return actions
