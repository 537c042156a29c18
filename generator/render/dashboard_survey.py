"""One page per survey: per question the answers' distribution and trend, responses per quarter,
and every free-text answer. Anonymous responses count here (docs/metrics.md)."""

from __future__ import annotations

from typing import Any

from generator.files import OutputFile
from generator.model import Survey
from generator.render.dashboard_common import DashboardSite
from generator.render.dashboard_html import comment_items
from generator.render.inbox import inbox_items


def render_survey(site: DashboardSite, survey: Survey, items: list[dict[str, Any]]) -> OutputFile:
    """`dashboard/surveys/<id>.html`."""
    data = site.charts.data
    responses = data.responses.get(survey.id, [])
    written = [item for item in items if item["survey"] == survey.id]
    return site.page(
        "dashboard_survey.html", f"surveys/{survey.id}.html", f"survey-{survey.id}",
        survey=survey, questions=site.charts.surveys[survey.id], responses_figure=site.charts.survey_responses[survey.id],
        response_count=sum(1 for r in responses if not r.replaced_by), anonymous=sum(1 for r in responses if not r.client),
        superseded=sum(1 for r in responses if r.replaced_by),
        written={q.id: comment_items((item for item in written if item["question"] == q.id), "../", on_survey_page=True)
                 for q in survey.questions},
    )


def render_surveys(site: DashboardSite) -> list[OutputFile]:
    """Every survey page."""
    items = inbox_items(site, site.charts.data)
    return [render_survey(site, survey, items) for survey in site.portfolio.surveys]
