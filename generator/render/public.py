"""Public pages: the business's own pages, survey forms, thanks and 404."""

from __future__ import annotations

import functools

import jinja2

from generator.files import OutputFile
from generator.markdown_html import markdown_to_html
from generator.metrics import Reports
from generator.portfolio import Page, Portfolio
from generator.render.common import html_file, root_prefix
from generator.render.plan import PageJob
from generator.render.style import inline_style
from generator.render.surveys import SurveyPage, render_survey_pages, survey_links
from generator.templates import template_source
from generator.texts import site_texts

PERSONAL_PAGES_PER_TASK = 250


def page_path(page: Page) -> str:
    """Where a business page is published, under `public/`."""
    return "public/index.html" if page.slug == "index" else f"public/{page.slug}/index.html"


def _body_without_title(page: Page) -> str:
    """The page's Markdown without the `# Title` line, which the layout shows as the h1."""
    lines = page.markdown.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join(lines[:index] + lines[index + 1:])
    return page.markdown


def public_jobs(portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment) -> list[PageJob]:
    """Every file under `public/`: the site's own pages and anonymous survey pages, then the
    personal survey pages in batches.

    A personal page costs little to render (its token is put into a page made once per survey)
    but a folder and a file to write: thousands of them are made in batches.
    """
    links: list[SurveyPage] = list(survey_links(portfolio, reports, secret))
    jobs = [PageJob(functools.partial(_site_pages, portfolio, environment))]
    for start in range(0, len(links), PERSONAL_PAGES_PER_TASK):
        batch = links[start:start + PERSONAL_PAGES_PER_TASK]
        jobs.append(PageJob(functools.partial(_survey_pages, portfolio, environment, batch)))
    return jobs


def _survey_pages(portfolio: Portfolio, environment: jinja2.Environment, pages: list[SurveyPage]) -> list[OutputFile]:
    return render_survey_pages(portfolio, environment, inline_style(environment, "public.css"), pages)


def _site_pages(portfolio: Portfolio, environment: jinja2.Environment) -> list[OutputFile]:
    """The business's pages, thanks, 404, anonymous survey pages, robots.txt and the survey script."""
    settings = portfolio.settings
    style = inline_style(environment, "public.css")
    pages = list(portfolio.pages)
    if not any(page.slug == "index" for page in pages):
        pages.insert(0, Page("index", settings.business.name, f"# {settings.business.name}\n"))
    navigation = [(page.slug, page.title) for page in pages]
    files: list[OutputFile] = []
    template = environment.get_template("page.html")
    for page in pages:
        path = page_path(page)
        files.append(html_file(path, template.render(
            business=settings.business, site=settings.site, style=style, root=root_prefix(path.removeprefix("public/")),
            title=page.title, body=markdown_to_html(_body_without_title(page)), navigation=navigation,
            current=page.slug, robots=None,
        )))
    for name, path in (("thanks.html", "public/thanks/index.html"), ("404.html", "public/404.html")):
        files.append(html_file(path, environment.get_template(name).render(
            business=settings.business, site=settings.site, style=style,
            root=root_prefix(path.removeprefix("public/")), navigation=navigation, current=None,
            robots="noindex", t=site_texts(portfolio.data_dir, settings.site.language).bound(
                business=settings.business.name, email=settings.business.email or ""),
        )))
    files += render_survey_pages(portfolio, environment, style, [(survey, None, "") for survey in portfolio.surveys])
    # survey links and dashboards are never for search engines
    files.append(OutputFile("public/robots.txt", b"User-agent: *\nDisallow: /survey/\nDisallow: /dashboard/\n"))
    files.append(OutputFile("public/assets/survey.js", template_source(environment, "survey.js").encode("utf-8")))
    return files
