"""The client index and the full lists behind the overview, each paged (generator/metrics/paging.py).

`clients/index.html`, `clients/page-2.html`, …: every client by name. `lists/<list>.html`,
`lists/<list>-2.html`, …: every client at risk, renewing, with a survey due, outside the
ideal profile, and the on-site heatmap — in the order the metrics stage decided.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import markupsafe

from generator.charts.overview import HeatRow, onsite_heatmap
from generator.files import OutputFile
from generator.plurals import plural
from generator.render.common import root_prefix
from generator.render.dashboard_common import DashboardSite, days_between, status
from generator.render.dashboard_html import NONE, date_html, figure_html, risk_html
from generator.render.paging import pages
from generator.templates import escape_text

CLIENT_INDEX = "clients/index.html"
CLIENT_INDEX_LATER = "clients/page-{n}.html"  # ids of this form are reserved (generator/model.py)


@dataclass(frozen=True)
class ClientList:
    """One full list: where it lives, its title, and the "why" column its rows carry, if any."""

    key: str
    title: str
    empty: str
    why: str = ""  # "risk" (the risk reasons) or "fit" (the deviations from the ideal profile)
    # a work list (each entry a survey to send) comes in pages of `list_size`, like the invitation kit
    # it leads to: it holds a few dozen entries at a thousand clients, so a page of `page_size` would
    # not be full there and would grow with the portfolio
    work_list: bool = False

    @property
    def path(self) -> str:
        """Its first page, from the dashboard root."""
        return f"lists/{self.key}.html"


LISTS = {
    "at-risk": ClientList("at-risk", "Every client at risk, most urgent first", "No active client is at risk.", "risk"),
    "renewals": ClientList("renewals", "Every renewal coming up, soonest first", "No renewal is coming up."),
    "surveys-due": ClientList("surveys-due", "Every survey due or overdue, soonest first", "No survey is due.", work_list=True),
    "misfits": ClientList("misfits", "Every active client outside the ideal profile", "Every active client fits.", "fit"),
}
ONSITE_LIST = "lists/onsite.html"
WHY_COLUMNS = {"risk": "risk_reasons", "fit": "fit_issues"}  # a list's "why" column: the row's entry it shows
OVERDUE = ' <span class="bad">overdue</span>'


def list_ids(site: DashboardSite) -> dict[str, list[str]]:
    """The client ids of each full list, in the order the metrics stage gave them."""
    attention = site.charts.reports.attention
    return {"at-risk": attention.at_risk, "renewals": attention.renewals, "surveys-due": attention.surveys_due,
            "misfits": attention.misfits}


def client_rows(site: DashboardSite, ids: list[str]) -> list[dict[str, Any]]:
    """The table rows of some clients."""
    by_id = site.charts.data.by_id
    return [{**by_id[client], "status": status(by_id[client])} for client in ids]


def client_table(rows: list[dict[str, Any]], why: str, root: str) -> markupsafe.Markup:
    """The `<tr>` of each client of a list page, escaped as a template escapes (markupsafe)."""
    escape = escape_text
    root = escape(root)
    parts = []
    for row in rows:
        reasons = ""
        if why in WHY_COLUMNS:
            reasons = f"<td>{escape('; '.join(map(str, row[WHY_COLUMNS[why]])))}</td>"
        overdue = OVERDUE if row["survey_overdue"] else ""
        parts.append(
            f'<tr><th scope="row"><a href="{root}clients/{escape(row["id"])}.html">{escape(row["name"])}</a></th>'
            f'<td>{escape(row["status"])}</td><td>{risk_html(row["risk"])}</td>{reasons}'
            f'<td>{figure_html(row["nps_12m"], row["nps_12m_n"], row["nps_12m_indicative"])}</td>'
            f'<td>{figure_html(row["csat_12m"], row["csat_12m_n"], row["csat_12m_indicative"], " %")}</td>'
            f'<td class="num">{escape(row["onsite_12m"])}</td><td>{date_html(row["last_contact"])}</td>'
            f'<td>{date_html(row["next_renewal"])}</td><td>{date_html(row["survey_next_due"])}{overdue}</td></tr>\n')
    return markupsafe.Markup("".join(parts))


def due_rows(site: DashboardSite, ids: list[str]) -> list[dict[str, Any]]:
    """A work list's rows: what a survey to send needs (when, how late, the last answer and contact, the renewal)."""
    by_id, as_of = site.charts.data.by_id, site.as_of
    return [{"id": row["id"], "name": row["name"], "due": row["survey_next_due"], "overdue": row["survey_overdue"],
             "due_in": days_between(row["survey_next_due"], as_of), "last_response": row["last_response"],
             "last_contact": row["last_contact"], "next_renewal": row["next_renewal"]}
            for row in map(by_id.__getitem__, ids)]


def due_table(rows: list[dict[str, Any]], root: str) -> markupsafe.Markup:
    """The `<tr>` of each survey due (site_templates/dashboard_clients.html, `work`), escaped as a template escapes.

    Every row has the same six cells whatever it shows and carries nothing else, so a page of
    `list_size` rows stays the same size at any portfolio size (issue #17).
    """
    escape = escape_text
    root = escape(root)
    parts = []
    for row in rows:
        when = (f'<td class="bad">overdue {plural(-row["due_in"], "day")}</td>' if row["overdue"]
                else f'<td class="due">due in {plural(row["due_in"], "day")}</td>')  # a class either way: the same length
        parts.append(
            f'<tr><th scope="row"><a href="{root}clients/{escape(row["id"])}.html">{escape(row["name"])}</a></th>'
            f'<td>{_day(row["due"])}</td>{when}<td>{_day(row["last_response"])}</td>'
            f'<td>{_day(row["last_contact"])}</td><td>{_day(row["next_renewal"])}</td></tr>\n')
    return markupsafe.Markup("".join(parts))


def _day(value: dt.date | None) -> str:
    """A date in a work list: `<time>` without its (equal) `datetime`, or a dash; about the same length either way."""
    return NONE if value is None else f"<time>{value.isoformat()}</time>"


def heatmap_rows(rows: list[HeatRow], root: str) -> markupsafe.Markup:
    """The on-site heatmap's `<tr>`s (site_templates/_heatmap.html), escaped as a template escapes."""
    escape = escape_text
    root = escape(root)
    cells: dict[tuple[str, str, str], str] = {}  # a few dozen kinds of cell, thousands of times
    parts = []
    for row in rows:
        shown = []
        for cell in row.cells:
            key = (cell.text, cell.state, cell.label)
            if key not in cells:
                cells[key] = (f'<td class="num {escape(cell.state)}">{escape(cell.text)}'
                              f'<span class="visually-hidden"> {escape(cell.label)}</span></td>')
            shown.append(cells[key])
        parts.append(f'<tr><th scope="row"><a href="{root}clients/{escape(row.client_id)}.html">{escape(row.name)}</a> '
                     f'<span class="n">({escape(row.minimum)} / {escape(row.typical)})</span></th>{"".join(shown)}</tr>\n')
    return markupsafe.Markup("".join(parts))


@dataclass(frozen=True)
class ListPage:
    """One page of a paged list, not yet made: its template, path, and what it shows.

    `context` is plain data: the pager, the title and the rest of the page but its clients' rows,
    which `rows` makes from the page's `ids` when the page is made. Its inputs (the plan's
    `ValueInputs`, generator/render/plan.py) are that context and, of each client it lists,
    the client's page inputs (its rows are a client page's row), or (`frames` given) the
    client's record and rows of those frames, with `shown`: all else of each client it shows.
    """

    template: str
    path: str  # from the dashboard root
    current: str
    context: dict[str, Any]
    ids: tuple[str, ...]
    rows: Callable[[list[str]], dict[str, Any]]
    frames: tuple[str, ...] = ()
    shown: tuple[object, ...] = ()

    def render(self, site: DashboardSite) -> OutputFile:
        """The page; its long tables' rows are built here (client_table, heatmap_rows) rather than in template loops."""
        context, root = {**self.context, **self.rows(list(self.ids))}, root_prefix(self.path)
        extra: dict[str, Any] = {}
        if "rows" in context:
            rows = context["rows"]
            extra["rows_html"] = due_table(rows, root) if context.get("work") else client_table(rows, context["why"], root)
        if "heat_rows" in context:
            extra["heat_html"] = heatmap_rows(context["heat_rows"], root)
        return site.page(self.template, self.path, self.current, **context, **extra)


def _pages(site: DashboardSite, template: str, current: str, ids: list[str], first: str, later: str,
           context: Callable[[list[str]], dict[str, Any]], rows: Callable[[list[str]], dict[str, Any]],
           work_list: bool = False, frames: tuple[str, ...] = (),
           shown: Callable[[str], object] | None = None) -> list[ListPage]:
    """Every page of one paged list of client ids: `context` gives a page's plain context but its rows, `rows` those,
    `shown` (with `frames`) what the rows show of a client besides its record and its rows of `frames`."""
    limits = site.charts.reports.attention.limits
    size = limits.list_size if work_list else limits.page_size
    return [ListPage(template, pager.path, current, {"pager": pager, **context(chunk)}, tuple(chunk), rows, frames,
                     tuple(map(shown, chunk)) if shown else ())
            for pager, chunk in pages(ids, size, first, later)]


def client_index_pages(site: DashboardSite) -> list[ListPage]:
    """`clients/index.html` and its further pages."""
    ids = site.charts.reports.attention.clients

    def context(chunk: list[str]) -> dict[str, Any]:
        return {"title": "All clients", "lead": f"{plural(len(ids), 'client')}, active or not, by name.",
                "why": "", "empty": "There are no clients yet."}

    def rows(chunk: list[str]) -> dict[str, Any]:
        return {"rows": client_rows(site, chunk)}
    return _pages(site, "dashboard_clients.html", "clients", ids, CLIENT_INDEX, CLIENT_INDEX_LATER, context, rows)


def list_pages(site: DashboardSite) -> list[ListPage]:
    """`lists/<list>.html` and their further pages, for every list of the overview."""
    made = []
    for key, ids in list_ids(site).items():
        found = LISTS[key]

        def context(chunk: list[str], found: ClientList = found, total: int = len(ids)) -> dict[str, Any]:
            return {"title": found.title, "lead": f"{plural(total, 'client')}.", "why": found.why, "empty": found.empty,
                    "work": found.work_list}

        def rows(chunk: list[str], found: ClientList = found) -> dict[str, Any]:
            return {"rows": due_rows(site, chunk) if found.work_list else client_rows(site, chunk)}
        made += _pages(site, "dashboard_clients.html", "lists", ids, found.path, "", context, rows, work_list=found.work_list)
    return made


# what the on-site heatmap reads of a client's metrics row (generator/charts/overview.py `onsite_heatmap`), besides
# its months, which are made from its record and its contacts (and the settings and the report date, which every page
# shares); a row of only these is what the heatmap is made from here, so that reading another entry fails loudly
HEAT_FIELDS = ("id", "active", "name", "onsite_min", "onsite_typical", "tracking_since")
HEAT_FRAMES = ("contacts",)


def onsite_pages(site: DashboardSite) -> list[ListPage]:
    """`lists/onsite.html` and its further pages: the on-site heatmap of every active client (a row each)."""
    by_id = site.charts.data.by_id
    ids = [client for client in site.charts.reports.attention.onsite if by_id[client]["active"]]

    def context(chunk: list[str]) -> dict[str, Any]:
        return {"total": len(ids)}

    def shown(client: str) -> tuple[Any, ...]:
        row = by_id[client]
        return tuple(row[field] for field in HEAT_FIELDS)

    def rows(chunk: list[str]) -> dict[str, Any]:
        # the heatmap of this page's clients alone, from the entries its inputs name (its months are the whole heatmap's)
        heatmap = onsite_heatmap(dataclasses.replace(
            site.charts.data, clients=[dict(zip(HEAT_FIELDS, shown(client))) for client in chunk]))
        return {"heatmap": heatmap, "heat_rows": heatmap.rows}
    return _pages(site, "dashboard_onsite.html", "lists", ids, ONSITE_LIST, "", context, rows, frames=HEAT_FRAMES,
                  shown=shown)
