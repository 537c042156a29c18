"""The metrics stage: pure functions of a loaded Portfolio and its `as_of` (docs/metrics.md).

`compute_reports(portfolio)` returns every figure the reports, dashboards and
`rapport report` show; `to_contract_json(reports)` gives exactly the JSON object of `rapport report --json`.
Each rule is documented in the module that computes it; docs/metrics.md is the user's page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from generator.memo import NO_MEMO, Memo
from generator.metrics.answers import comments, distributions
from generator.metrics.attention import Attention, attention
from generator.metrics.contract import to_contract_json
from generator.metrics.followups import FollowupFigures, followup_figures
from generator.metrics.headline import Headline, compute_headline, headline
from generator.metrics.inputs import Inputs, prepare
from generator.metrics.kpi import Point, earlier_snapshots
from generator.metrics.paging import limits
from generator.metrics.response_rate import ResponseRates, response_rates
from generator.metrics.survey_figures import SurveyFigures, survey_figures
from generator.metrics.trends import quarterly, question_means
from generator.portfolio import Portfolio

__all__ = ["Headline", "Reports", "ResponseTables", "compute_headline", "compute_reports", "response_tables",
           "to_contract_json"]


@dataclass(frozen=True)
class Reports:
    """Everything the metrics stage computes at `as_of`.

    - `clients`: one row per client, sorted by id: every contract field (python values, None for
      null, dates as `datetime.date`) plus their n, `indicative` flags and the inputs of
      the risk rules (see table.py for the columns).
    - `portfolio`: the contract portfolio figures plus `nps_12m_n`, `csat_12m_n` and their
      `…_indicative` flags, and the `min_responses` threshold behind those flags.
    - `quarterly` / `portfolio_quarterly`: responses, NPS, CSAT per (client and) quarter.
    - `question_means` / `portfolio_question_means`: mean of every rating question per
      (client,) quarter, survey and question.
    - `distributions`: per survey, question and possible answer, the count of answers.
    - `monthly_contacts`: per client and month, contacts by kind and on-site count against
      the minimum and typical targets.
    - `comments`: the free-text answers with client, date, the respondent's scores and their
      bands (`detractor unhappy`, `promoter satisfied`, `unscored`, …).
    - `superseded`: the answers replaced by a later one through the same link in the same
      round (survey, response_id, client, date, replaced_by); every other figure leaves them out.
    - `response_rates`: from `data/invitations.csv`, invited, answered and rate per survey round,
      per client and survey over 12 months, who has not answered and whose reminder is due.
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
    earlier: list[dict[str, Point]]  # every KPI at the last quarter ends (metrics/kpi.py)
    attention: Attention  # the overview's lists and each client's next actions (metrics/attention.py)
    survey_figures: SurveyFigures  # per survey question: trend by quarter, NPS split (metrics/survey_figures.py)
    superseded: pd.DataFrame  # answers replaced through the same link in the same round (metrics/rounds.py)
    response_rates: ResponseRates  # invited, answered, rate; who to remind (metrics/response_rate.py)
    followups: FollowupFigures = field(default_factory=FollowupFigures)  # open, overdue, "you said — we did" (metrics/followups.py)


@dataclass(frozen=True)
class ResponseTables:
    """The figures made from the responses alone, by quarter, question and answer (a part of `Reports`)."""

    quarterly: pd.DataFrame
    portfolio_quarterly: pd.DataFrame
    question_means: pd.DataFrame
    portfolio_question_means: pd.DataFrame
    distributions: pd.DataFrame
    comments: pd.DataFrame


def response_tables(portfolio: Portfolio, inputs: Inputs | None = None, memo: Memo = NO_MEMO) -> ResponseTables:
    """The response tables of `portfolio` at `portfolio.as_of` (from its prepared `inputs`, when given; the parts
    made per survey held in `memo` for the next build of this process)."""
    inputs = inputs or prepare(portfolio, memo)
    return ResponseTables(
        quarterly=quarterly(inputs, by_client=True), portfolio_quarterly=quarterly(inputs, by_client=False),
        question_means=question_means(inputs, by_client=True),
        portfolio_question_means=question_means(inputs, by_client=False),
        distributions=distributions(inputs, memo), comments=comments(inputs, memo),
    )


def compute_reports(
    portfolio: Portfolio, memo: Memo = NO_MEMO, earlier: Callable[[], list[dict[str, Point]]] | None = None,
    tables: Callable[[], ResponseTables] | None = None,
) -> Reports:
    """Compute every metric of `portfolio` at `portfolio.as_of`; no I/O but the memo's (generator/memo.py).

    `earlier` and `tables`, when given, return what `earlier_snapshots(portfolio, memo)` and
    `response_tables(portfolio)` would (the speed layer makes them on another core meanwhile);
    they are called once the rest is computed.
    """
    inputs, clients, figures, monthly = headline(portfolio, memo)
    needs = attention(clients, monthly, portfolio.settings.targets, inputs.as_of, limits(portfolio.settings.dashboards), memo)
    rates = response_rates(portfolio.invitations, portfolio.responses, portfolio.settings, inputs.as_of,
                           set(clients.loc[clients["active"], "id"].tolist()))
    followups = followup_figures(portfolio.followups, portfolio.surveys, portfolio.responses, inputs.as_of)
    made = tables() if tables is not None else response_tables(portfolio, inputs, memo)
    figures_of_surveys = survey_figures(portfolio, made.distributions, inputs.targets.min_responses, memo)
    replaced = _superseded(inputs)
    # last: on a first build another core is making them, and takes longer than the rest
    snapshots = earlier() if earlier is not None else earlier_snapshots(portfolio, memo)
    return Reports(
        as_of=inputs.as_of, clients=clients, portfolio=figures,
        quarterly=made.quarterly, portfolio_quarterly=made.portfolio_quarterly,
        question_means=made.question_means, portfolio_question_means=made.portfolio_question_means,
        distributions=made.distributions, monthly_contacts=monthly, comments=made.comments,
        earlier=snapshots, attention=needs, survey_figures=figures_of_surveys,
        superseded=replaced, response_rates=rates, followups=followups,
    )


def _superseded(inputs: Inputs) -> pd.DataFrame:
    """The replaced answers, with a `date` instead of a day number."""
    frame = inputs.superseded
    dates = frame["day"].to_numpy().astype(np.int64).astype("datetime64[D]").astype(object)
    return frame.drop(columns="day").assign(date=pd.Series(dates, dtype=object))


