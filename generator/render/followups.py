"""Follow-ups on the dashboards: the overview's most urgent, their paged full list, and each client's
"you said — we did" (site_templates/_you_said_we_did.html). generator/metrics/followups.py decides what shows."""

from __future__ import annotations

from typing import Any

from generator.files import OutputFile
from generator.metrics.followups import Feedback, Followup
from generator.metrics.paging import first
from generator.render.dashboard_common import DashboardSite
from generator.render.paging import pages

FOLLOWUP_LIST = "lists/followups.html"
SCALE_TOP = {"rating": 5, "nps": 10}


def said_text(kind: str, value: str) -> str:
    """An answer as the client gave it: '2 of 5', 'Helpdesk, Backups', or the words."""
    if kind in SCALE_TOP:
        return f"{value} of {SCALE_TOP[kind]}"
    if kind == "multi":
        return ", ".join(value.split(";"))
    return value


def _row(site: DashboardSite, item: Followup) -> dict[str, Any]:
    client = site.portfolio.client(item.client)
    return {"item": item, "name": client.name if client else item.client}


def overview_followups(site: DashboardSite) -> dict[str, Any]:
    """The overview's follow-up box: the most urgent open ones, the counts, the link to the rest."""
    figures = site.charts.reports.followups
    size = site.charts.reports.attention.limits.list_size
    shown, rest = first(figures.open, size)
    return {"rows": [_row(site, item) for item in shown], "total": len(figures.open), "overdue": figures.overdue,
            "rest": rest, "href": FOLLOWUP_LIST}


def render_followup_list(site: DashboardSite) -> list[OutputFile]:
    """`lists/followups.html` and its further pages: every open follow-up, most urgent first."""
    figures = site.charts.reports.followups
    size = site.charts.reports.attention.limits.page_size
    return [site.page("dashboard_followups.html", pager.path, "lists", pager=pager, total=len(figures.open),
                      overdue=figures.overdue, rows=[_row(site, item) for item in chunk])
            for pager, chunk in pages(figures.open, size, FOLLOWUP_LIST)]


def you_said_views(feedback: list[Feedback]) -> list[dict[str, Any]]:
    """Each piece of a client's feedback beside what was done, as the partial shows it (nothing internal)."""
    return [{"date": entry.date, "survey": entry.survey_title,
             "said": [(label, said_text(kind, value), kind == "text") for label, kind, value in entry.said],
             "done": entry.followup.note if entry.followup.status == "closed" else "",
             "closed": entry.followup.closed if entry.followup.status == "closed" else None}
            for entry in feedback]
