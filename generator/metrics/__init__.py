"""The metrics stage: pure functions of a loaded Portfolio and its `as_of` (DESIGN.md §3).

`compute_reports(portfolio)` returns every figure the reports, dashboards and
`rapport report` show; `to_contract_json(reports)` gives exactly the §3 JSON object.
Each rule is documented in the module that computes it; docs/metrics.md is the user's page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from generator.metrics.answers import comments, distributions
from generator.metrics.contact import contact_figures, monthly_contacts
from generator.metrics.contract import to_contract_json
from generator.metrics.dates import day64
from generator.metrics.fit import fit_issues
from generator.metrics.inputs import Inputs, count_per_client, prepare
from generator.metrics.risk import Signals, assess
from generator.metrics.satisfaction import csat_rows, latest_answer, nps_rows, per_client, pooled, window
from generator.metrics.schedule import schedule
from generator.metrics.table import client_table
from generator.metrics.trends import quarterly, question_means
from generator.portfolio import Portfolio

__all__ = ["Headline", "Reports", "compute_headline", "compute_reports", "to_contract_json"]


@dataclass(frozen=True)
class Reports:
    """Everything the metrics stage computes at `as_of`.

    - `clients`: one row per client, sorted by id: every §3 field (python values, None for
      null, dates as `datetime.date`) plus their n, `indicative` flags and the inputs of
      the risk rules (see table.py for the columns).
    - `portfolio`: the §3 portfolio figures plus `nps_12m_n`, `csat_12m_n` and their
      `…_indicative` flags, and the `min_responses` threshold behind those flags.
    - `quarterly` / `portfolio_quarterly`: responses, NPS, CSAT per (client and) quarter.
    - `question_means` / `portfolio_question_means`: mean of every rating question per
      (client,) quarter, survey and question.
    - `distributions`: per survey, question and possible answer, the count of answers.
    - `monthly_contacts`: per client and month, contacts by kind and on-site count against
      the minimum and typical targets.
    - `comments`: the free-text answers with client, date and the respondent's scores.
    - `superseded`: the answers replaced by a later one through the same link in the same
      round (survey, response_id, client, date, replaced_by); every other figure leaves them out.
    """

    as_of: dt.date
    clients: pd.DataFrame
    portfolio: Mapping[str, Any]
    quarterly: pd.DataFrame
    portfolio_quarterly: pd.DataFrame
    question_means: pd.DataFrame
    portfolio_question_means: pd.DataFrame
    distributions: pd.DataFrame
    monthly_contacts: pd.DataFrame
    comments: pd.DataFrame
    superseded: pd.DataFrame


@dataclass(frozen=True)
class Headline:
    """The figures of a report date without their breakdowns: what a KPI tile compares over time.

    The same `as_of`, `clients`, `portfolio` and `monthly_contacts` as `Reports`, from the same
    code, at about half the cost (no quarterly series, question means, distributions or comments).
    """

    as_of: dt.date
    clients: pd.DataFrame
    portfolio: Mapping[str, Any]
    monthly_contacts: pd.DataFrame


def compute_reports(portfolio: Portfolio) -> Reports:
    """Compute every metric of `portfolio` at `portfolio.as_of`; no I/O."""
    inputs, clients, figures = _headline(portfolio)
    return Reports(
        as_of=inputs.as_of, clients=clients, portfolio=figures,
        quarterly=quarterly(inputs, by_client=True), portfolio_quarterly=quarterly(inputs, by_client=False),
        question_means=question_means(inputs, by_client=True),
        portfolio_question_means=question_means(inputs, by_client=False),
        distributions=distributions(inputs), monthly_contacts=monthly_contacts(inputs), comments=comments(inputs),
        superseded=_superseded(inputs),
    )


def compute_headline(portfolio: Portfolio) -> Headline:
    """The client table, portfolio figures and monthly contacts at `portfolio.as_of`; no I/O."""
    inputs, clients, figures = _headline(portfolio)
    return Headline(as_of=inputs.as_of, clients=clients, portfolio=figures, monthly_contacts=monthly_contacts(inputs))


def _headline(portfolio: Portfolio) -> tuple[Inputs, pd.DataFrame, dict[str, Any]]:
    """The prepared inputs, the client table and the portfolio figures."""
    inputs = prepare(portfolio)
    roster, targets, size = inputs.roster, inputs.targets, len(inputs.roster)
    nps, csat = nps_rows(inputs.scores), csat_rows(inputs.scores)
    nps_12m, csat_12m = window(nps, inputs.today), window(csat, inputs.today)
    responses_12m = window(inputs.responses, inputs.today)
    latest_nps, latest_nps_day = latest_answer(nps, size)
    latest_csat, latest_csat_day = latest_answer(csat, size)
    contact = contact_figures(inputs)
    plan = schedule(inputs)
    signals = Signals(
        active=roster.active, latest_nps=latest_nps, latest_nps_day=latest_nps_day,
        latest_csat=latest_csat, latest_csat_day=latest_csat_day,
        nps_now=per_client(nps_12m, size, "nps"), nps_before=per_client(window(nps, inputs.today, 1), size, "nps"),
        csat_now=per_client(csat_12m, size, "csat"), csat_before=per_client(window(csat, inputs.today, 1), size, "csat"),
        onsite_min=roster.onsite_min, contact=contact, schedule=plan,
    )
    levels, reasons = assess(signals, targets, day64(inputs.as_of))
    clients = client_table(inputs, signals, count_per_client(responses_12m["ci"].to_numpy(), size),
                           fit_issues(roster, inputs.ideal), levels, reasons)
    return inputs, clients, _portfolio(inputs, clients, nps_12m, csat_12m, responses_12m)


def _portfolio(inputs: Inputs, clients: pd.DataFrame, nps_12m: pd.DataFrame, csat_12m: pd.DataFrame,
               responses_12m: pd.DataFrame) -> dict[str, Any]:
    """The §3 portfolio figures: the pooled data of the clients active on A."""
    active = inputs.roster.active
    ci = responses_12m["ci"].to_numpy()
    nps, csat = pooled(nps_12m, active, "nps"), pooled(csat_12m, active, "csat")
    minimum = inputs.targets.min_responses
    chosen = clients[clients["active"].to_numpy(dtype=bool)]
    return {
        "clients_active": int(active.sum()),
        "responses_12m": int(((ci >= 0) & active[np.maximum(ci, 0)]).sum()),
        "nps_12m": _number(nps.nps()[0]), "csat_12m": _number(csat.csat()[0]),
        "onsite_12m": int(chosen["onsite_12m"].sum()),
        "clients_survey_overdue": int(chosen["survey_overdue"].astype(bool).sum()),
        "clients_at_risk": int(chosen["risk"].isin(["high", "medium"]).sum()),
        "nps_12m_n": int(nps.answers[0]), "nps_12m_indicative": bool(nps.answers[0] < minimum),
        "csat_12m_n": int(csat.answers[0]), "csat_12m_indicative": bool(csat.answers[0] < minimum),
        "min_responses": minimum,
    }


def _superseded(inputs: Inputs) -> pd.DataFrame:
    """The replaced answers, with a `date` instead of a day number."""
    frame = inputs.superseded
    dates = frame["day"].to_numpy().astype(np.int64).astype("datetime64[D]").astype(object)
    return frame.drop(columns="day").assign(date=pd.Series(dates, dtype=object))


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
