"""Private dashboards under `dashboard/`: the charts stage, then every page, export and asset.

Pages: the overview (`index.html`), one per client (`clients/<id>.html`), one per survey
(`surveys/<id>.html`), the feedback inbox, the calendar (also `calendar.ics`), the invitation
kit and CSV exports. Links are relative and assets live in `dashboard/assets/`, so the folder
opens from disk and survives encryption for publishing (generator/publish/encrypt.py).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

import jinja2

from generator.charts import build_charts
from generator.charts.bundle import dashboard_bundle
from generator.metrics import Reports
from generator.portfolio import Portfolio
from generator.render.calendar_page import render_calendar
from generator.render.dashboard_client import render_clients
from generator.render.dashboard_common import DashboardSite
from generator.render.dashboard_overview import render_overview
from generator.render.dashboard_survey import render_surveys
from generator.render.exports import render_exports
from generator.render.inbox import render_inbox
from generator.render.invitations import render_invitations
from generator.write import OutputFile

ASSETS = ("dashboard.css", "dashboard.js", "inbox.js")
PLOTLY_ASSET = "dashboard/assets/plotly.min.js"


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of short-lived strings and rows are made.

    Each collection walks every live object, the loaded portfolio's included; at 1,000 clients
    that was a quarter of the dashboards' time. Nothing here builds reference cycles that matter,
    and the collector runs again as soon as the pages are made.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_dashboard(portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment) -> list[OutputFile]:
    """Every file under `dashboard/`."""
    with collector_paused():
        site = DashboardSite(portfolio, build_charts(portfolio, reports), environment)
        files = [render_overview(site), *render_clients(site), *render_surveys(site), render_inbox(site),
                 *render_calendar(site), render_invitations(site, reports, secret),
                 *render_exports(portfolio, reports, site.charts.data)]
    for name in ASSETS:
        source, _, _ = environment.loader.get_source(environment, name)
        files.append(OutputFile(f"dashboard/assets/{name}", source.encode("utf-8")))
    # loaded once per page by dashboard.js, only when a chart comes into view
    files.append(OutputFile(PLOTLY_ASSET, dashboard_bundle().script))
    return files
