"""The plan stage: every page of the site, listed with how to make it and what it is made from.

`plan_pages` decides nothing and makes nothing: the metrics stage has decided what each page
shows (generator/metrics/), the charts stage drawn it (generator/charts/); the speed layer runs
the plan (generator/speed/__init__.py).
"""

from __future__ import annotations

import jinja2

from generator.charts import Charts
from generator.memo import NO_MEMO, Memo
from generator.metrics import Reports
from generator.portfolio import Portfolio
from generator.render.dashboard import dashboard_jobs
from generator.render.plan import ClientInputs, FrameInputs, Inputs, PageJob, Plan
from generator.render.public import public_jobs

__all__ = ["ClientInputs", "FrameInputs", "Inputs", "PageJob", "Plan", "plan_pages"]


def plan_pages(
    portfolio: Portfolio, reports: Reports, charts: Charts, environment: jinja2.Environment, secret: bytes,
    memo: Memo = NO_MEMO,
) -> Plan:
    """The private dashboards under `dashboard/`, then the public site under `public/` (`memo`: where the survey
    tokens are held for the next build of this process)."""
    jobs = (dashboard_jobs(portfolio, reports, secret, environment, charts, memo)
            + public_jobs(portfolio, reports, secret, environment))
    return Plan(portfolio, environment, tuple(jobs))
