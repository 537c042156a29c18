"""Agreement schedule: next renewal, last response, and when the next survey is due (docs/metrics.md)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.metrics.dates import DAY, add_months_array
from generator.metrics.inputs import Inputs, Roster, latest_per_client

NAT = np.datetime64("NaT", "D")
# The renewal survey counts as done when the last response is on or after
# `renewal_survey − 60 days` (a fixed 60 days in the contract, not survey_lead_days).
RENEWAL_SURVEY_DONE_DAYS = 60


@dataclass(frozen=True)
class Schedule:
    """Per-client schedule arrays (`datetime64[D]`, NaT for null), in roster order."""

    last_response: np.ndarray
    next_renewal: np.ndarray
    cadence_due: np.ndarray
    renewal_survey: np.ndarray
    renewal_survey_done: np.ndarray  # bool
    survey_next_due: np.ndarray      # NaT for clients that are not active
    survey_overdue: np.ndarray       # bool; meaningful only where survey_next_due is set


def next_renewal(roster: Roster, today: np.datetime64) -> np.ndarray:
    """The first `start + k × term_months` (k ≥ 1) on or after A; NaT for clients with an `ended` date.

    k starts at the number of whole terms between the start month and A's month, so at most
    one step forward is needed; each candidate is computed from the start date itself.
    """
    elapsed = (today.astype("datetime64[M]") - roster.start.astype("datetime64[M]")).astype(np.int64)
    k = np.maximum(1, elapsed // roster.term)
    k = np.where(add_months_array(roster.start, k * roster.term) < today, k + 1, k)
    renewal = add_months_array(roster.start, k * roster.term)
    return np.where(np.isnat(roster.ended), renewal, NAT)


def schedule(inputs: Inputs) -> Schedule:
    """Renewals and the survey schedule of every client at A.

    - cadence_due = (last response, else `tracking_since`) + 12/6/3 months (the client's
      `survey_cadence`, else `targets.survey_cadence`); `tracking_since` is the agreement
      start for a client with full history (tracking.py).
    - renewal_survey = next_renewal − `targets.survey_lead_days`; done when the last response
      is on or after renewal_survey − 60 days. A renewal survey dated before `tracking_since`
      belongs to a round with no record here, so it is null and not due.
    - survey_next_due = the earlier of cadence_due and, if not done, renewal_survey; null for
      clients that are not active. survey_overdue = survey_next_due < A.
    """
    roster = inputs.roster
    today = np.datetime64(inputs.as_of, "D")
    responses = inputs.responses
    last_response = latest_per_client(responses["ci"].to_numpy(), responses["day"].to_numpy(), len(roster))
    renewal = next_renewal(roster, today)
    base = np.where(np.isnat(last_response), inputs.tracking_since, last_response)
    cadence_due = add_months_array(base, roster.cadence_months)
    renewal_survey = renewal - inputs.targets.survey_lead_days * DAY
    renewal_survey = np.where(renewal_survey < inputs.tracking_since, NAT, renewal_survey)
    done = ~np.isnat(renewal_survey) & ~np.isnat(last_response) & (
        last_response >= renewal_survey - RENEWAL_SURVEY_DONE_DAYS * DAY)
    pending = ~np.isnat(renewal_survey) & ~done
    due = np.where(pending & (renewal_survey < cadence_due), renewal_survey, cadence_due)
    due = np.where(roster.active, due, NAT)
    return Schedule(last_response=last_response, next_renewal=renewal, cadence_due=cadence_due,
                    renewal_survey=renewal_survey, renewal_survey_done=done, survey_next_due=due,
                    survey_overdue=roster.active & (due < today))
