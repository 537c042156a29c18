"""Contact frequency: on-site visits per calendar month against each client's minimum, and recency."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.bounds import CONTACT_KINDS
from generator.memo import Memo
from generator.metrics.dates import last_full_months, month_bounds, month_label, shared_labels
from generator.metrics.inputs import Inputs, Roster, latest_per_client
from generator.portfolio import Portfolio

CONTACTS_ENTRY = "contact-figures"  # the memo entry of contact_part


@dataclass(frozen=True)
class ContactFigures:
    """Per-client arrays in roster order."""

    onsite_12m: np.ndarray            # on-site contacts in the 12 full months before A's month
    months_below_min_12m: np.ndarray  # of those months counted (see `counted_months`), below minimum
    below_min_last_3: np.ndarray      # the same count over the last 3 of those months
    counted_last_3: np.ndarray        # how many of the last 3 months are counted
    last_contact: np.ndarray          # datetime64[D], NaT when none
    last_onsite: np.ndarray


def inside_agreement(roster: Roster, months: np.ndarray) -> np.ndarray:
    """clients × months: the month begins on/after the start and ends on/before `ended`, if any."""
    first, last = month_bounds(months)
    after_start = first[None, :] >= roster.start[:, None]
    before_end = np.isnat(roster.ended)[:, None] | (last[None, :] <= roster.ended[:, None])
    inside: np.ndarray = after_start & before_end
    return inside


def counted_months(inputs: Inputs, months: np.ndarray) -> np.ndarray:
    """clients × months: wholly inside the agreement and beginning on or after `tracking_since`."""
    first, _ = month_bounds(months)
    tracked = first[None, :] >= inputs.tracking_since[:, None]
    return inside_agreement(inputs.roster, months) & tracked


def onsite_grid(inputs: Inputs, months: np.ndarray) -> np.ndarray:
    """clients × months: on-site contacts per client and calendar month."""
    contacts = inputs.contacts
    onsite = contacts[contacts["kind"].to_numpy() == "onsite"]
    month = onsite["day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]")
    offset = (month - months[0]).astype(np.int64)
    keep = (offset >= 0) & (offset < len(months))
    cell = onsite["ci"].to_numpy()[keep] * len(months) + offset[keep]
    counts = np.bincount(cell, minlength=len(inputs.roster) * len(months))
    return counts.reshape(len(inputs.roster), len(months))


def contact_figures(inputs: Inputs) -> ContactFigures:
    """onsite_12m, months_below_min_12m, the last-3-months count and the latest contacts."""
    roster = inputs.roster
    months = last_full_months(inputs.as_of, 12)
    counts = onsite_grid(inputs, months)
    counted = counted_months(inputs, months)
    below = counted & (counts < roster.onsite_min[:, None])
    contacts = inputs.contacts
    is_onsite = contacts["kind"].to_numpy() == "onsite"
    ci, days = contacts["ci"].to_numpy(), contacts["day"].to_numpy()
    return ContactFigures(
        onsite_12m=counts.sum(axis=1), months_below_min_12m=below.sum(axis=1),
        below_min_last_3=below[:, -3:].sum(axis=1), counted_last_3=counted[:, -3:].sum(axis=1),
        last_contact=latest_per_client(ci, days, len(roster)),
        last_onsite=latest_per_client(ci[is_onsite], days[is_onsite], len(roster)),
    )


def monthly_contacts(inputs: Inputs) -> pd.DataFrame:
    """One row per client and month: contacts by kind and on-site count against the targets.

    Months run from the agreement's start month to A's month, or to the `ended` month when
    that is earlier; months with contacts outside that span are kept too. `counted` marks
    full months before A's month wholly inside the agreement that begin on or after the
    client's `tracking_since`, the only months `below_min` can flag.
    """
    roster, contacts = inputs.roster, inputs.contacts
    this_month = np.datetime64(inputs.as_of, "M")
    months = contacts["day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]")
    first = roster.start.astype("datetime64[M]")
    last = np.where(np.isnat(roster.ended), this_month, np.minimum(roster.ended.astype("datetime64[M]"), this_month))
    origin = min([this_month] + [values.min() for values in (first, months) if len(values)])
    span = int((this_month - origin).astype(np.int64)) + 1
    kinds = pd.Index(CONTACT_KINDS).get_indexer(pd.Index(contacts["kind"].to_numpy()))
    # one dense clients × months × kinds grid of counts, then keep the cells that matter
    cell = (contacts["ci"].to_numpy() * span + (months - origin).astype(np.int64)) * len(CONTACT_KINDS) + kinds
    counts = np.bincount(cell, minlength=len(roster) * span * len(CONTACT_KINDS)).reshape(len(roster), span, len(CONTACT_KINDS))
    offsets = np.arange(span)
    in_span = (offsets[None, :] >= (first - origin).astype(np.int64)[:, None]) & (
        offsets[None, :] <= (last - origin).astype(np.int64)[:, None])
    ci, offset = np.nonzero(in_span | (counts.sum(axis=2) > 0))   # row-major: by client, then month
    month = origin + offset.astype("timedelta64[M]")
    month_first, month_last = month_bounds(month)
    inside = (month_first >= roster.start[ci]) & (np.isnat(roster.ended[ci]) | (month_last <= roster.ended[ci]))
    counted = inside & (month < this_month) & (month_first >= inputs.tracking_since[ci])
    chosen = counts[ci, offset]
    frame = pd.DataFrame({"client": roster.ids[ci], "month": shared_labels(month, month_label),
                          **{kind: chosen[:, k] for k, kind in enumerate(CONTACT_KINDS)}})
    frame["total"] = chosen.sum(axis=1)
    frame["onsite_min"] = roster.onsite_min[ci]
    frame["onsite_typical"] = roster.onsite_typical[ci]
    frame["counted"] = counted
    frame["below_min"] = counted & (chosen[:, CONTACT_KINDS.index("onsite")] < roster.onsite_min[ci])
    return frame


def contact_part(portfolio: Portfolio, inputs: Inputs, memo: Memo) -> tuple[ContactFigures, pd.DataFrame]:
    """`contact_figures(inputs)` and `monthly_contacts(inputs)`, kept in `memo` (generator/memo.py) between builds.

    They read only the contacts, the client records, the settings and A: a rebuild after a new
    response (or any change to the surveys or their answers) takes them from the memo.
    """
    return memo.load(CONTACTS_ENTRY, contacts_key(portfolio),
                     lambda: (contact_figures(inputs), monthly_contacts(inputs)), [])


def contacts_key(portfolio: Portfolio) -> list[bytes]:
    """What the contact figures are a function of: the settings (targets, `tracking_since`), every client record
    (agreement, overrides, `tracking_since`), every contact row and the report date."""
    return [portfolio.settings.model_dump_json().encode(), *(text.encode() for text in portfolio.records_json.values()),
            portfolio.hashes("contacts").tobytes(), portfolio.as_of.isoformat().encode()]
