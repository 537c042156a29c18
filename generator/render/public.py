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
from generator.render.surveys import render_survey_pages, survey_languages
from generator.templates import template_source
from generator.texts import site_texts
from generator.texts.surveys import language_folder


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
    """Every file under `public/`: one job, since no public page is made per client or token."""
    return [PageJob(functools.partial(_site_pages, portfolio, environment))]


def _site_pages(portfolio: Portfolio, environment: jinja2.Environment) -> list[OutputFile]:
    """The business's pages, thanks, 404, the survey pages, robots.txt and the survey script."""
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
    languages = survey_languages(portfolio)
    texts = {language: site_texts(portfolio.data_dir, language).bound(
        business=settings.business.name, email=settings.business.email or "") for language in languages}
    site_language = settings.site.language
    for language in languages:
        folder = language_folder(language, site_language)
        # thanks/updated/: where the collector sends a second answer through the same link this round;
        # another language's pages leave out the navigation, whose page titles are in the site's language
        for path, updated in ((f"public/thanks/{folder}index.html", False), (f"public/thanks/{folder}updated/index.html", True)):
            files.append(html_file(path, environment.get_template("thanks.html").render(
                business=settings.business, site=settings.site, style=style,
                root=root_prefix(path.removeprefix("public/")), navigation=[] if folder else navigation, current=None,
                robots="noindex", updated=updated, t=texts[language], page_language=language,
            )))
    # GitHub Pages shows one 404.html for every unknown address: in the site's language, then every other one
    files.append(html_file("public/404.html", environment.get_template("404.html").render(
        business=settings.business, site=settings.site, style=style, root="", navigation=navigation, current=None,
        robots="noindex", t=texts[site_language], others=[texts[language] for language in languages[1:]],
    )))
    files += render_survey_pages(portfolio, environment, style)
    # survey links and dashboards are never for search engines
    files.append(OutputFile("public/robots.txt", b"User-agent: *\nDisallow: /survey/\nDisallow: /dashboard/\n"))
    files.append(OutputFile("public/assets/survey.js", template_source(environment, "survey.js").encode("utf-8")))
    return files
