"""One page per survey: per question the answers' distribution and trend, responses per quarter,
and the newest free-text answers; every written answer is on the survey's answer list: the newest
on `surveys/<id>/answers.html`, the older ones on archive pages numbered from the oldest
(`answers-archive-1.html`, …; generator/metrics/paging.py). Anonymous responses count here (docs/metrics.md)."""

from __future__ import annotations

from typing import Any

from generator.files import OutputFile
from generator.metrics.paging import first
from generator.model import Survey
from generator.render.common import root_prefix
from generator.render.dashboard_common import DashboardSite
from generator.render.inbox import date_span, inbox_items, items_html
from generator.render.paging import archive_pages
from generator.render.response_rate import render_not_answered, survey_rates


def answers_path(survey: Survey) -> str:
    """The first page of a survey's written answers, from the dashboard root."""
    return f"surveys/{survey.id}/answers.html"


def render_survey(site: DashboardSite, survey: Survey, written: list[dict[str, Any]]) -> OutputFile:
    """`dashboard/surveys/<id>.html`: the newest `dashboards.list_size` written answers per question."""
    data = site.charts.data
    responses = data.responses.get(survey.id, [])
    size = site.charts.reports.attention.limits.list_size
    shown: dict[str, Any] = {}
    more: dict[str, tuple[int, int]] = {}
    for question in survey.questions:
        newest, rest = first([item for item in written if item["question"] == question.id], size)
        shown[question.id] = items_html(newest, "../", on_survey_page=True)
        more[question.id] = (rest, len(newest) + rest)
    return site.page(
        "dashboard_survey.html", f"surveys/{survey.id}.html", f"survey-{survey.id}",
        survey=survey, questions=site.charts.surveys[survey.id], responses_figure=site.charts.survey_responses[survey.id],
        response_count=sum(1 for r in responses if not r.replaced_by), anonymous=sum(1 for r in responses if not r.client),
        superseded=sum(1 for r in responses if r.replaced_by),
        written=shown, more=more, answers_href=f"{survey.id}/answers.html", written_count=len(written),
        rates=survey_rates(site, survey),
    )


def render_answers(site: DashboardSite, survey: Survey, written: list[dict[str, Any]]) -> list[OutputFile]:
    """`dashboard/surveys/<id>/answers.html` and its archive pages: every written answer, newest first."""
    size = site.charts.reports.attention.limits.page_size
    return [site.page("dashboard_answers.html", pager.path, f"survey-{survey.id}", survey=survey, pager=pager,
                      items_html=items_html(chunk, root_prefix(pager.path)), count=len(chunk), span=date_span(chunk))
            for pager, chunk in archive_pages(written, size, answers_path(survey))]


def render_surveys(site: DashboardSite) -> list[OutputFile]:
    """Every survey page and its written answers."""
    items = inbox_items(site, site.charts.data)
    files = []
    for survey in site.portfolio.surveys:
        written = [item for item in items if item["survey"] == survey.id]
        files.append(render_survey(site, survey, written))
        files += render_not_answered(site, survey)
        if any(question.type == "text" for question in survey.questions):
            files += render_answers(site, survey, written)
    return files
