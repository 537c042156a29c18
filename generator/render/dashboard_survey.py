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
from generator.render.inbox import (
    ArchivePage,
    Row,
    archive_only,
    date_span,
    inbox_items,
    inbox_pages,
    items_html,
    named_comments,
    render_inbox_page,
)
from generator.render.paging import ArchivePager, archive_pages
from generator.render.response_rate import render_not_answered, survey_rates


def answers_path(survey: Survey) -> str:
    """The first page of a survey's written answers, from the dashboard root."""
    return f"surveys/{survey.id}/answers.html"


def render_survey(site: DashboardSite, survey: Survey, written: list[Row]) -> OutputFile:
    """`dashboard/surveys/<id>.html`: the newest `dashboards.list_size` written answers per question."""
    data = site.charts.data
    responses = data.responses.get(survey.id, [])
    size = site.charts.reports.attention.limits.list_size
    shown: dict[str, Any] = {}
    more: dict[str, tuple[int, int]] = {}
    by_question: dict[str, list[Row]] = {}
    for row in written:  # one pass over thousands of answers, rather than one per question
        by_question.setdefault(row[1], []).append(row)
    for question in survey.questions:
        newest, rest = first(by_question.get(question.id, []), size)
        shown[question.id] = items_html(inbox_items(site, newest), "../", on_survey_page=True)
        more[question.id] = (rest, len(newest) + rest)
    return site.page(
        "dashboard_survey.html", f"surveys/{survey.id}.html", f"survey-{survey.id}",
        survey=survey, questions=site.charts.surveys[survey.id], responses_figure=site.charts.survey_responses[survey.id],
        response_count=sum(1 for r in responses if not r.replaced_by), anonymous=sum(1 for r in responses if not r.client),
        superseded=sum(1 for r in responses if r.replaced_by),
        written=shown, more=more, answers_href=f"{survey.id}/answers.html", written_count=len(written),
        rates=survey_rates(site, survey),
    )


def answers_pages(site: DashboardSite, survey: Survey) -> list[tuple[ArchivePager, list[Row]]]:
    """The pages of a survey's written answers, the newest first, each with its named rows (none without a text question)."""
    if not any(question.type == "text" for question in survey.questions):
        return []
    written = [row for row in named_comments(site) if row[0] == survey.id]
    return archive_pages(written, site.charts.reports.attention.limits.page_size, answers_path(survey))


def render_answers_page(site: DashboardSite, survey: Survey, pager: ArchivePager, rows: list[Row]) -> OutputFile:
    """One page of a survey's written answers, made from its pager, its rows and the surveys alone."""
    chunk = inbox_items(site, rows)
    return site.page("dashboard_answers.html", pager.path, f"survey-{survey.id}", survey=survey, pager=pager,
                     items_html=items_html(chunk, root_prefix(pager.path)), count=len(chunk), span=date_span(chunk))


def render_surveys(site: DashboardSite) -> list[OutputFile]:
    """Every survey page and the newest page of its written answers (their archive pages are jobs of their own)."""
    comments = named_comments(site)
    files = []
    for survey in site.portfolio.surveys:
        files.append(render_survey(site, survey, [row for row in comments if row[0] == survey.id]))
        files += render_not_answered(site, survey)
        files += [render_answers_page(site, survey, pager, rows) for pager, rows in answers_pages(site, survey)[:1]]
    return files


def survey_archives(site: DashboardSite) -> list[ArchivePage]:
    """The archive pages of the inbox and of every survey's written answers: each a job of its own."""
    pages = archive_only("", inbox_pages(site))
    for survey in site.portfolio.surveys:
        pages += archive_only(survey.id, answers_pages(site, survey))
    return pages


def render_archive(site: DashboardSite, page: ArchivePage) -> OutputFile:
    """An archive page of the inbox or of a survey's written answers, made from `page` alone."""
    if not page.survey:
        return render_inbox_page(site, page.pager, page.rows)
    survey = next(survey for survey in site.portfolio.surveys if survey.id == page.survey)
    return render_answers_page(site, survey, page.pager, page.rows)
