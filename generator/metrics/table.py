"""The per-client table: every array of the stage turned into python values once, at the end."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from generator.metrics.dates import day64
from generator.metrics.inputs import Inputs
from generator.metrics.risk import Figures, Signals
from generator.metrics.tracking import is_new

CONTRACT_CLIENT_FIELDS = (
    "id", "active", "responses_12m", "nps_12m", "csat_12m", "last_response", "onsite_12m",
    "months_below_min_12m", "days_since_contact", "days_since_onsite", "next_renewal",
    "survey_next_due", "survey_overdue", "fit", "fit_issues", "risk", "risk_reasons", "risk_figures",
    "tracking_since",  # issue #14: since when this client's schedules count (docs/metrics.md)
)


def dates(values: np.ndarray) -> pd.Series:
    """`datetime64[D]` values as python dates, NaT as None."""
    return pd.Series(np.asarray(values, dtype="datetime64[D]").astype(object), dtype=object)


def numbers(values: np.ndarray, missing: np.ndarray) -> pd.Series:
    """Numbers as python ints/floats, None where `missing`."""
    return pd.Series([None if gone else value for value, gone in zip(values.tolist(), missing.tolist())], dtype=object)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts of python values: what `to_dict("records")` gives, five times faster (a
    column's `tolist()` makes the same python values, without a call per cell)."""
    columns = [str(column) for column in frame.columns]
    return [dict(zip(columns, values)) for values in zip(*(frame[column].tolist() for column in frame.columns))]


def client_table(inputs: Inputs, signals: Signals, responses_12m: np.ndarray, issues: list[list[str]],
                 levels: list[str | None], reasons: list[list[str]], behind: list[list[Figures]]) -> pd.DataFrame:
    """One row per client in id order: the contract fields first, then their n, flags and rule inputs."""
    roster, plan, contact = inputs.roster, signals.schedule, signals.contact
    today = day64(inputs.as_of)
    minimum = inputs.targets.min_responses
    nps_n, csat_n = signals.nps_now.answers, signals.csat_now.answers
    since_contact = (today - contact.last_contact).astype(np.int64)
    since_onsite = (today - contact.last_onsite).astype(np.int64)
    to_renewal = (plan.next_renewal - today).astype(np.int64)
    active = roster.active
    frame = pd.DataFrame({
        "id": pd.Series(roster.ids, dtype=object),
        "active": active,
        "responses_12m": responses_12m.astype(np.int64),
        "nps_12m": numbers(signals.nps_now.nps(), nps_n == 0),
        "csat_12m": numbers(signals.csat_now.csat(), csat_n == 0),
        "last_response": dates(plan.last_response),
        "onsite_12m": contact.onsite_12m.astype(np.int64),
        "months_below_min_12m": contact.months_below_min_12m.astype(np.int64),
        "days_since_contact": numbers(since_contact, np.isnat(contact.last_contact)),
        "days_since_onsite": numbers(since_onsite, np.isnat(contact.last_onsite)),
        "next_renewal": dates(plan.next_renewal),
        "survey_next_due": dates(plan.survey_next_due),
        "survey_overdue": numbers(plan.survey_overdue, ~active),
        "fit": pd.Series([not found for found in issues], dtype=bool),
        "fit_issues": pd.Series(issues, dtype=object),
        "risk": pd.Series(levels, dtype=object),
        "risk_reasons": pd.Series(reasons, dtype=object),
        "risk_figures": pd.Series(behind, dtype=object),  # per reason, what it was decided from
        "tracking_since": dates(inputs.tracking_since),
        # beyond the contract: the n behind each figure and what the rules looked at
        "name": pd.Series(roster.names, dtype=object),
        # less history than one full period: shown as new, with what is due next
        "new": is_new(inputs.tracking_since, inputs.targets.no_contact_days, today, active),
        "nps_12m_n": nps_n.astype(np.int64),
        "nps_12m_indicative": nps_n < minimum,
        "csat_12m_n": csat_n.astype(np.int64),
        "csat_12m_indicative": csat_n < minimum,
        "latest_nps": numbers(signals.latest_nps, signals.latest_nps < 0),
        "latest_nps_date": dates(signals.latest_nps_day),
        "latest_csat": numbers(signals.latest_csat, signals.latest_csat < 0),
        "latest_csat_date": dates(signals.latest_csat_day),
        "last_contact": dates(contact.last_contact),
        "last_onsite": dates(contact.last_onsite),
        "below_min_last_3": contact.below_min_last_3.astype(np.int64),
        "onsite_min": roster.onsite_min, "onsite_typical": roster.onsite_typical,
        "survey_interval_months": roster.cadence_months,
        "start": dates(roster.start), "ended": dates(roster.ended),
        "days_to_renewal": numbers(to_renewal, np.isnat(plan.next_renewal)),
        "cadence_due": dates(np.where(active, plan.cadence_due, np.datetime64("NaT", "D"))),
        "renewal_survey": dates(np.where(active, plan.renewal_survey, np.datetime64("NaT", "D"))),
        "renewal_survey_done": numbers(plan.renewal_survey_done, ~active | np.isnat(plan.renewal_survey)),
    })
    return frame
