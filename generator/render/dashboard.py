"""Private dashboards under `dashboard/`: every page, export and asset, as jobs of the plan.

Pages: the overview (`index.html`), the client index (`clients/index.html`, paged) and the
overview's full lists (`lists/`, paged), one per client (`clients/<id>.html`), one per survey
(`surveys/<id>.html`), the feedback inbox, the calendar (also `calendar.ics`), the invitation
kit, `links.csv` and CSV exports. Links are relative and assets live in `dashboard/assets/`, so the folder
opens from disk and survives encryption for publishing (generator/safety/encrypt.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import jinja2

from generator.charts import Charts
from generator.charts.bundle import dashboard_bundle
from generator.file_keys import file_key
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
from generator.render.links import LATEST_ANSWERS, MAIL_LINKS, client_tokens, render_links
from generator.render.plan import ClientData, ClientInputs, FrameInputs, PageJob, ValueInputs
from generator.templates import template_source
from generator.texts import FALLBACK, override_path
from generator.texts import PACKAGE as TEXTS
from generator.texts.catalogs import DOMAIN, LOCALE

ASSETS = ("dashboard.css", "dashboard.js", "inbox.js")
PLOTLY_ASSET = "dashboard/assets/plotly.min.js"
TOKENS = "survey-tokens"  # the memo's entry of the tokens made (render/invitations.py `cached_token`)
CLIENT_LINES = "client-table-lines"  # the memo's held lines of the client table (render/exports.py `clients_csv`)
LINK_LINES = "link-lines"  # and of links.csv (render/links.py `render_links`)


def dashboard_jobs(
    portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment, charts: Charts,
    memo: Memo = NO_MEMO,
) -> list[PageJob]:
    """The dashboards, the largest first: exports, calendar, overview, surveys and the newest answers, invitations,
    assets, then one job per list page, per archive page of the answers and per client page (generator/render/plan.py)."""
    site = DashboardSite(portfolio, charts, environment, secret=secret)
    # each token is an HMAC of the secret, the survey and the client (cached_token's key): two thousand at 1,000 clients,
    # the same in every build, so held for the next build of this process (`rapport serve`)
    # so are each survey's latest answers while its responses are the same list, and each token's link (render/links.py)
    for name, entry in ((TOKENS, "survey_tokens"), (LATEST_ANSWERS, LATEST_ANSWERS), (MAIL_LINKS, MAIL_LINKS)):
        held = _held_dict(memo, name)
        site.cache[entry] = {} if held is None else held
    clients = {row["id"]: ClientInputs(row["id"], {**row, "links": client_tokens(site, row),
                                                   "followups": reports.followups.by_client.get(row["id"], [])})
               for row in charts.data.clients}
    def client_key(row: dict[str, Any]) -> Hashable:
        """What a client's lines of the client table and of links.csv are made from: its row (as its page's inputs hold
        it: its tokens too) and its record."""
        return clients[row["id"]].row_values, portfolio.records_json.get(row["id"])

    jobs = [
        PageJob(functools.partial(_export, path, make), (f"dashboard/{path}",),
                None if frames is None else FrameInputs(frames))
        for path, make, frames in export_makers(portfolio, reports, charts.data, _held_dict(memo, CLIENT_LINES), client_key)
    ]
    calendar, link_lines = event_rows(site), _held_dict(memo, LINK_LINES)
    jobs += [
        # the calendar's pages and .ics are a function of what it shows of each client (and of what every page shares)
        PageJob(lambda: render_calendar(site, calendar), inputs=ValueInputs((calendar, reports.attention.limits.page_size)),
                name="dashboard/calendar"),
        PageJob(lambda: [render_overview(site)]),
        PageJob(lambda: render_followup_list(site)),
        PageJob(lambda: [*render_surveys(site), render_inbox(site)]),  # the newest answers: they change with each
        PageJob(lambda: render_invitations(site, reports, secret), inputs=_invitation_inputs(site, reports, clients),
                name="dashboard/invitations"),
        # every active client's links: a new answer changes its client's
        PageJob(lambda: [render_links(site, secret, link_lines, client_key)]),
        PageJob(lambda: assets(environment)),
    ]
    # the paged lists: each page made from its own rows, so a rebuild remakes only the pages whose rows changed
    jobs += [PageJob(functools.partial(_list_page, site, page), (f"dashboard/{page.path}",), _list_inputs(page, clients),
                     batch="lists")
             for page in [*client_index_pages(site), *list_pages(site), *onsite_pages(site)]]
    # the inbox's and the written answers' archive pages: a new answer changes one of them, the rest are reused
    # (an archive page holds texts and whole scores: generator/charts/data.py `Comment`, render/paging.py `ArchivePager`)
    jobs += [PageJob(functools.partial(_archive, site, page), (f"dashboard/{page.pager.path}",),
                     ValueInputs(page, exact=True), batch="archive")
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


def _held_dict(memo: Memo, name: str) -> dict[Any, Any] | None:
    """The dict the memo holds as `name` for the next build of this process, made empty when there is none (for values
    keyed in it by everything they are made from); None when the memo holds nothing (every build but `rapport serve`'s)."""
    found = memo.held(name, [])
    if isinstance(found, dict):
        return found
    found = {}
    memo.hold(name, [], found)
    return found if memo.held(name, []) is found else None


def _invitation_inputs(site: DashboardSite, reports: Reports, clients: dict[str, ClientInputs]) -> ValueInputs | None:
    """The invitation kit's inputs: the clients due (each one's page inputs), how many days ahead count and how many
    fit a page, and the texts of the e-mails in each language they are written in; None (made by every build) for a
    client without a page."""
    due = reports.attention.surveys_due
    if any(client not in clients for client in due):
        return None
    settings, shown = site.portfolio.settings, set(due)
    languages = sorted({settings.site.language, *(client.language for client in site.portfolio.clients
                                                  if client.id in shown and client.language)})
    return ValueInputs((tuple(due), reports.attention.due_days, reports.attention.limits.list_size,
                        _texts_sources(site.portfolio.data_dir, languages)), tuple(clients[client] for client in due))


def _texts_sources(data_dir: Path, languages: list[str]) -> list[tuple[str, bytes]]:
    """What the texts of `languages` are read from (generator/texts/): the shipped texts and catalogs, and the data
    folder's own texts of each language; as their files' digests, kept per file version, rather than the texts (a
    catalog is compiled when first read: a fiftieth of a second a language, on a first build's one core)."""
    shipped = [TEXTS / f"{FALLBACK}.yaml", *sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))]
    own = [override_path(data_dir, language) for language in languages]
    # named from their folders: a copy of the project gives the same digests
    return [(path.relative_to(folder).as_posix(), file_key(path))
            for folder, paths in ((TEXTS.parent, shipped), (data_dir, own)) for path in paths]


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
