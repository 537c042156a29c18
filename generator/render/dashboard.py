"""Private dashboards under `dashboard/`: the charts stage, then every page, export and asset.

Pages: the overview (`index.html`), one per client (`clients/<id>.html`), one per survey
(`surveys/<id>.html`), the feedback inbox, the calendar (also `calendar.ics`), the invitation
kit and CSV exports. Links are relative and assets live in `dashboard/assets/`, so the folder
opens from disk and survives encryption for publishing (generator/publish/encrypt.py).
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator

import jinja2

from generator.charts import Charts, build_charts
from generator.charts.bundle import dashboard_bundle
from generator.metrics import Reports
from generator.portfolio import Portfolio
from generator.render.calendar_page import render_calendar
from generator.render.dashboard_client import client_path, render_clients
from generator.render.dashboard_common import DashboardSite
from generator.render.dashboard_overview import render_overview
from generator.render.dashboard_survey import render_surveys
from generator.render.exports import export_makers
from generator.render.fingerprints import PageInputs
from generator.render.inbox import render_inbox
from generator.render.invitations import render_invitations
from generator.parallel import Task
from generator.write import OutputFile, Previous

ASSETS = ("dashboard.css", "dashboard.js", "inbox.js")
CLIENTS_PER_TASK = 25
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


def render_dashboard(
    portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment, charts: Charts | None = None,
) -> list[OutputFile]:
    """Every file under `dashboard/`."""
    with collector_paused():
        tasks, reused = dashboard_tasks(portfolio, reports, secret, environment, charts)
        return reused + [item for task in tasks for item in task()]


def dashboard_tasks(
    portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment, charts: Charts | None = None,
    previous: Previous | None = None, inputs: PageInputs | None = None,
) -> tuple[list[Task], list[OutputFile]]:
    """The dashboards as independent tasks, the largest first, client pages in batches (see generator/parallel.py),
    and the files taken as they are from the last build.

    Client pages and exports carry their `inputs` digests (render/fingerprints.py); those made
    from the same inputs as in `previous` (the last build's output) are read from it here, so
    they never travel between processes.
    """
    site = DashboardSite(portfolio, charts or build_charts(portfolio, reports), environment, previous, inputs)
    reused: list[OutputFile] = []
    tasks: list[Task] = []
    for path, make, frames in export_makers(portfolio, reports, site.charts.data):
        key = inputs.from_frames(path, frames) if inputs is not None and frames is not None else ""
        found = site.reused(path, key)
        if found is not None:
            reused.append(found)
        else:
            tasks.append(functools.partial(_export, path, make, key))
    tasks += [
        lambda: render_calendar(site),
        lambda: [render_overview(site)],
        lambda: [*render_surveys(site), render_inbox(site)],  # one task: they share the inbox's items
        lambda: [render_invitations(site, reports, secret)],
        lambda: assets(environment),
    ]
    rows = []
    for row in site.charts.data.clients:
        found = site.reused(client_path(row), site.client_inputs(row))
        if found is not None:
            reused.append(found)
        else:
            rows.append(row)
    for start in range(0, len(rows), CLIENTS_PER_TASK):
        tasks.append(functools.partial(render_clients, site, rows[start:start + CLIENTS_PER_TASK]))
    return tasks, reused


def _export(path: str, make: Callable[[], bytes], inputs: str) -> list[OutputFile]:
    return [OutputFile(f"dashboard/{path}", make(), inputs)]


def assets(environment: jinja2.Environment) -> list[OutputFile]:
    """The dashboards' stylesheet and scripts, and plotly.js."""
    files = []
    for name in ASSETS:
        source, _, _ = environment.loader.get_source(environment, name)
        files.append(OutputFile(f"dashboard/assets/{name}", source.encode("utf-8")))
    # loaded once per page by dashboard.js, only when a chart comes into view
    files.append(OutputFile(PLOTLY_ASSET, dashboard_bundle().script))
    return files
