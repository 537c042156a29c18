"""The figures of one report date without their breakdowns: the client table and portfolio figures (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from generator.memo import NO_MEMO, Memo
from generator.metrics.contact import contact_part
from generator.metrics.dates import day64
from generator.metrics.fit import fit_issues
from generator.metrics.inputs import Inputs, count_per_client, prepare
from generator.metrics.risk import Signals, assess
from generator.metrics.satisfaction import latest_answer, per_client, pooled, window
from generator.metrics.schedule import schedule
from generator.metrics.table import client_table
from generator.portfolio import Portfolio


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


def compute_headline(portfolio: Portfolio) -> Headline:
    """The client table, portfolio figures and monthly contacts at `portfolio.as_of`; no I/O."""
    inputs, clients, figures, monthly = headline(portfolio)
    return Headline(as_of=inputs.as_of, clients=clients, portfolio=figures, monthly_contacts=monthly)


def headline(portfolio: Portfolio, memo: Memo = NO_MEMO) -> tuple[Inputs, pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """The prepared inputs, the client table, the portfolio figures and the monthly contacts (metrics/contact.py;
    those kept in `memo`)."""
    inputs = prepare(portfolio, memo)
    contact, monthly = contact_part(portfolio, inputs, memo)
    roster, targets, size = inputs.roster, inputs.targets, len(inputs.roster)
    nps, csat = inputs.nps_answers, inputs.csat_answers
    nps_12m, csat_12m = window(nps, inputs.today), window(csat, inputs.today)
    responses_12m = window(inputs.responses, inputs.today)
    latest_nps, latest_nps_day = latest_answer(nps, size)
    latest_csat, latest_csat_day = latest_answer(csat, size)
    plan = schedule(inputs)
    signals = Signals(
        active=roster.active, latest_nps=latest_nps, latest_nps_day=latest_nps_day,
        latest_csat=latest_csat, latest_csat_day=latest_csat_day,
        nps_now=per_client(nps_12m, size, "nps"), nps_before=per_client(window(nps, inputs.today, 1), size, "nps"),
        csat_now=per_client(csat_12m, size, "csat"), csat_before=per_client(window(csat, inputs.today, 1), size, "csat"),
        onsite_min=roster.onsite_min, tracking_since=inputs.tracking_since, contact=contact, schedule=plan,
    )
    levels, reasons, behind = assess(signals, targets, day64(inputs.as_of))
    clients = client_table(inputs, signals, count_per_client(responses_12m["ci"].to_numpy(), size),
                           fit_issues(roster, inputs.ideal), levels, reasons, behind)
    return inputs, clients, _portfolio(inputs, clients, nps_12m, csat_12m, responses_12m), monthly


def _portfolio(inputs: Inputs, clients: pd.DataFrame, nps_12m: pd.DataFrame, csat_12m: pd.DataFrame,
               responses_12m: pd.DataFrame) -> dict[str, Any]:
    """The contract portfolio figures: the pooled data of the clients active on A."""
    active = inputs.roster.active
    ci = responses_12m["ci"].to_numpy()
    nps, csat = pooled(nps_12m, active, "nps"), pooled(csat_12m, active, "csat")
    minimum = inputs.targets.min_responses
    # the three columns of the active clients' rows, not the table's forty
    chosen = {column: clients[column].to_numpy()[active] for column in ("onsite_12m", "survey_overdue", "risk")}
    return {
        "clients_active": int(active.sum()),
        "responses_12m": int(((ci >= 0) & active[np.maximum(ci, 0)]).sum()),
        "nps_12m": _number(nps.nps()[0]), "csat_12m": _number(csat.csat()[0]),
        "onsite_12m": int(chosen["onsite_12m"].sum()),
        "clients_survey_overdue": int(chosen["survey_overdue"].astype(bool).sum()),
        "clients_at_risk": sum(1 for risk in chosen["risk"].tolist() if risk in ("high", "medium")),
        "nps_12m_n": int(nps.answers[0]), "nps_12m_indicative": bool(nps.answers[0] < minimum),
        "csat_12m_n": int(csat.answers[0]), "csat_12m_indicative": bool(csat.answers[0] < minimum),
        "min_responses": minimum,
    }


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
