"""Response rates on the dashboards: a section of each survey page, its paged list of who has not
answered (`surveys/<id>/not-answered.html`), and the overview's one line. The figures and the
rules behind them are generator/metrics/response_rate.py's; this module only shows them."""

from __future__ import annotations

from typing import Any

from generator.files import OutputFile
from generator.metrics.paging import first
from generator.metrics.response_rate import Invited
from generator.model import Survey
from generator.render.common import root_prefix
from generator.render.dashboard_common import DashboardSite
from generator.render.paging import pages


def not_answered_path(survey: Survey) -> str:
    """The first page of a survey's list of clients who have not answered, from the dashboard root."""
    return f"surveys/{survey.id}/not-answered.html"


def _row(site: DashboardSite, entry: Invited) -> dict[str, Any]:
    row = site.charts.data.by_id.get(entry.client)
    return {"entry": entry, "id": entry.client, "name": row["name"] if row else entry.client,
            "days": (site.as_of - entry.invited).days,
            "reminder_due": entry.reminder_due is not None and entry.reminder_due <= site.as_of}


def survey_rates(site: DashboardSite, survey: Survey) -> dict[str, Any]:
    """The survey page's section: the 12-month rate, each round, and the first of those not answered."""
    rates = site.charts.reports.response_rates
    waiting = rates.waiting(survey.id)
    shown, rest = first(waiting, site.charts.reports.attention.limits.list_size)
    return {
        "overall": rates.by_survey_12m.get(survey.id), "rounds": [r for r in rates.rounds if r.survey == survey.id],
        "waiting": [_row(site, entry) for entry in shown], "waiting_total": len(waiting), "waiting_rest": rest,
        "due": len(rates.reminders_due(survey.id)), "href": f"{survey.id}/not-answered.html",
        "reminder_after_days": rates.reminder_after_days, "max_reminders": rates.max_reminders,
    }


def render_not_answered(site: DashboardSite, survey: Survey) -> list[OutputFile]:
    """`dashboard/surveys/<id>/not-answered.html` and its further pages: everyone waiting, longest first
    (none while nobody waits: the survey page then links to no list)."""
    rows = [_row(site, entry) for entry in site.charts.reports.response_rates.waiting(survey.id)]
    if not rows:
        return []
    size = site.charts.reports.attention.limits.page_size
    return [site.page("dashboard_not_answered.html", pager.path, f"survey-{survey.id}", survey=survey, pager=pager,
                      rows=chunk, clients_href=f"{root_prefix(pager.path)}clients/")
            for pager, chunk in pages(rows, size, not_answered_path(survey))]


def overview_rate(site: DashboardSite) -> dict[str, Any]:
    """The overview's line: the 12-month rate and, per survey, how many have not answered (linked)."""
    rates = site.charts.reports.response_rates
    counts = [(survey, len(rates.waiting(survey.id))) for survey in site.portfolio.surveys]
    return {"any": rates.any, "overall": rates.overall_12m, "not_answered": len(rates.not_answered),
            "surveys": [{"title": survey.title, "count": count, "href": f"surveys/{survey.id}.html#not-answered"}
                        for survey, count in counts if count]}
