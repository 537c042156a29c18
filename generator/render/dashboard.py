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
from generator.parallel import Task
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
from generator.render.links import render_links
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
        tasks, reuse = dashboard_tasks(portfolio, reports, secret, environment, charts)
        return reuse() + [item for task in tasks for item in task()]


def dashboard_tasks(
    portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment, charts: Charts | None = None,
    previous: Previous | None = None, inputs: PageInputs | None = None,
) -> tuple[list[Task], Task]:
    """The dashboards as independent tasks, the largest first, client pages in batches (see generator/parallel.py),
    and one more that takes the files that stay as they are from the last build.

    Client pages and exports carry their `inputs` digests (render/fingerprints.py); those made
    from the same inputs as in `previous` (the last build's output) are reused from it. That last
    task reads them (and makes any whose file was changed since); it is meant for this process,
    so that their bytes never travel between processes.
    """
    site = DashboardSite(portfolio, charts or build_charts(portfolio, reports), environment, previous, inputs, secret)
    kept: list[tuple[str, str, Task]] = []  # (path, inputs, how to make it after all)
    tasks: list[Task] = []
    for path, make, frames in export_makers(portfolio, reports, site.charts.data):
        key = inputs.from_frames(path, frames) if inputs is not None and frames is not None else ""
        task = functools.partial(_export, path, make, key)
        if site.reusable(path, key):
            kept.append((path, key, task))
        else:
            tasks.append(task)
    tasks += [
        lambda: render_calendar(site),
        lambda: [render_overview(site)],
        lambda: [*render_surveys(site), render_inbox(site)],  # one task: they share the inbox's items
        lambda: [render_invitations(site, reports, secret), render_links(site, secret)],
        lambda: assets(environment),
    ]
    rows = []
    for row in site.charts.data.clients:
        key = site.client_inputs(row)
        if site.reusable(client_path(row), key):
            kept.append((client_path(row), key, functools.partial(render_clients, site, [row])))
        else:
            rows.append(row)
    for start in range(0, len(rows), CLIENTS_PER_TASK):
        tasks.append(functools.partial(render_clients, site, rows[start:start + CLIENTS_PER_TASK]))

    def reuse() -> list[OutputFile]:
        files: list[OutputFile] = []
        for path, key, make in kept:
            found = site.reused(path, key)
            files += make() if found is None else [found]
        return files

    return tasks, reuse


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
