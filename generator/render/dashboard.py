"""Private dashboards under `dashboard/`: every page, export and asset, as jobs of the plan.

Pages: the overview (`index.html`), the client index (`clients/index.html`, paged) and the
overview's full lists (`lists/`, paged), one per client (`clients/<id>.html`), one per survey
(`surveys/<id>.html`), the feedback inbox, the calendar (also `calendar.ics`), the invitation
kit, `links.csv` and CSV exports. Links are relative and assets live in `dashboard/assets/`, so the folder
opens from disk and survives encryption for publishing (generator/safety/encrypt.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jinja2

from generator.charts import Charts
from generator.charts.bundle import dashboard_bundle
from generator.files import OutputFile
from generator.memo import NO_MEMO, Memo
from generator.metrics import Reports
from generator.portfolio import Portfolio
from generator.render.calendar_page import event_rows, render_calendar
from generator.render.client_lists import ListPage, client_index_pages, list_pages, onsite_pages
from generator.render.dashboard_client import client_path, render_client
from generator.render.dashboard_common import DashboardSite
from generator.render.dashboard_overview import render_overview
from generator.render.dashboard_survey import render_archive, render_surveys, survey_archives
from generator.render.exports import export_makers
from generator.render.followups import render_followup_list
from generator.render.inbox import ArchivePage, render_inbox
from generator.render.invitations import render_invitations
from generator.render.links import client_tokens, render_links
from generator.render.plan import ClientData, ClientInputs, FrameInputs, PageJob, ValueInputs
from generator.templates import template_source

ASSETS = ("dashboard.css", "dashboard.js", "inbox.js")
PLOTLY_ASSET = "dashboard/assets/plotly.min.js"
TOKENS = "survey-tokens"  # the memo's entry of the tokens made (render/invitations.py `cached_token`)


def dashboard_jobs(
    portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment, charts: Charts,
    memo: Memo = NO_MEMO,
) -> list[PageJob]:
    """The dashboards, the largest first: exports, calendar, overview, surveys and the newest answers, invitations,
    assets, then one job per list page, per archive page of the answers and per client page (generator/render/plan.py)."""
    site = DashboardSite(portfolio, charts, environment, secret=secret)
    # each token is an HMAC of the secret, the survey and the client (cached_token's key): two thousand at 1,000 clients,
    # the same in every build, so held for the next build of this process (`rapport serve`)
    tokens = memo.held(TOKENS, [])
    if not isinstance(tokens, dict):
        tokens = {}
        memo.hold(TOKENS, [], tokens)
    site.cache["survey_tokens"] = tokens
    jobs = [
        PageJob(functools.partial(_export, path, make), (f"dashboard/{path}",),
                None if frames is None else FrameInputs(frames))
        for path, make, frames in export_makers(portfolio, reports, charts.data)
    ]
    calendar = event_rows(site)
    jobs += [
        # the calendar's pages and .ics are a function of what it shows of each client (and of what every page shares)
        PageJob(lambda: render_calendar(site, calendar), inputs=ValueInputs((calendar, reports.attention.limits.page_size)),
                name="dashboard/calendar"),
        PageJob(lambda: [render_overview(site)]),
        PageJob(lambda: render_followup_list(site)),
        PageJob(lambda: [*render_surveys(site), render_inbox(site)]),  # the newest answers: they change with each
        PageJob(lambda: [*render_invitations(site, reports, secret), render_links(site, secret)]),
        PageJob(lambda: assets(environment)),
    ]
    clients = {row["id"]: ClientInputs(row["id"], {**row, "links": client_tokens(site, row),
                                                   "followups": reports.followups.by_client.get(row["id"], [])})
               for row in charts.data.clients}
    # the paged lists: each page made from its own rows, so a rebuild remakes only the pages whose rows changed
    jobs += [PageJob(functools.partial(_list_page, site, page), (f"dashboard/{page.path}",), _list_inputs(page, clients),
                     batch="lists")
             for page in [*client_index_pages(site), *list_pages(site), *onsite_pages(site)]]
    # the inbox's and the written answers' archive pages: a new answer changes one of them, the rest are reused
    jobs += [PageJob(functools.partial(_archive, site, page), (f"dashboard/{page.pager.path}",), ValueInputs(page), batch="archive")
             for page in survey_archives(site)]
    jobs += [PageJob(functools.partial(_client, site, row), (f"dashboard/{client_path(row)}",), clients[row["id"]],
                     batch="clients")
             for row in charts.data.clients]
    return jobs


def _list_inputs(page: ListPage, clients: dict[str, ClientInputs]) -> ValueInputs | None:
    """A list page's inputs: its context and, of each client it lists, the client page's inputs (its row is such a
    page's row) or the client's data the page names; None (made by every build) for a client without a page."""
    if page.frames:
        return ValueInputs((page.context, page.shown), tuple(ClientData(client, page.frames) for client in page.ids))
    if any(client not in clients for client in page.ids):
        return None
    return ValueInputs(page.context, tuple(clients[client] for client in page.ids))


def _client(site: DashboardSite, row: dict[str, object]) -> list[OutputFile]:
    return [render_client(site, row)]


def _archive(site: DashboardSite, page: ArchivePage) -> list[OutputFile]:
    return [render_archive(site, page)]


def _list_page(site: DashboardSite, page: ListPage) -> list[OutputFile]:
    return [page.render(site)]


def _export(path: str, make: Callable[[], bytes]) -> list[OutputFile]:
    return [OutputFile(f"dashboard/{path}", make())]


def assets(environment: jinja2.Environment) -> list[OutputFile]:
    """The dashboards' stylesheet and scripts, and plotly.js."""
    files = []
    for name in ASSETS:
        files.append(OutputFile(f"dashboard/assets/{name}", template_source(environment, name).encode("utf-8")))
    # loaded once per page by dashboard.js, only when a chart comes into view
    files.append(OutputFile(PLOTLY_ASSET, dashboard_bundle().script))
    return files
