"""Built-in partials written into the built-in page that includes them (generator/templates.py `InliningLoader`):
the same pages, and a user's own partial still used, and still named when it fails."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from generator.build import build_site
from generator.charts import build_charts
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.render import plan_pages
from generator.templates import BUILTIN_TEMPLATES, make_environment
from tests.conftest import CLIENT, SAMPLE_DATA

SECRET = "test-secret-for-the-inlining-tests"


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)


def plain_environment() -> jinja2.Environment:
    """The build's environment with the folders' plain loader: every include rendered as its own template."""
    environment = make_environment()
    assert isinstance(environment.loader, jinja2.ChoiceLoader)
    environment.loader = jinja2.ChoiceLoader(environment.loader.loaders)
    return environment


def test_the_client_page_template_has_its_sections_written_in() -> None:
    environment = make_environment()
    source, filename, _ = environment.loader.get_source(environment, "dashboard_client.html")  # type: ignore[union-attr]
    assert filename == str(BUILTIN_TEMPLATES / "dashboard_client.html")
    assert "{% include" not in source
    assert (BUILTIN_TEMPLATES / "_client_head.html").read_text(encoding="utf-8") in source


def test_every_page_is_the_same_as_with_each_partial_included(secret_env: None) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    reports = compute_reports(portfolio)
    charts = build_charts(portfolio, reports)

    def pages(environment: jinja2.Environment) -> dict[str, bytes]:
        plan = plan_pages(portfolio, reports, charts, environment, SECRET.encode())
        return {item.path: item.content for job in plan.jobs for item in job.make()}

    written, included = pages(make_environment()), pages(plain_environment())
    assert sum(path.startswith("dashboard/clients/") for path in written) > 10
    assert written == included


def test_a_users_partial_is_used_on_the_client_page(make_portfolio, tmp_path: Path, secret_env: None) -> None:
    data = make_portfolio(clients=[{**CLIENT, "notes": "Keys in the top drawer."}])
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "_client_notes.html").write_text("<p class=\"mine\">{{ client.notes }}</p>\n", encoding="utf-8")
    build_site(data, tmp_path / "out", templates_dir=mine)
    page = (tmp_path / "out" / "dashboard" / "clients" / "acme.html").read_text(encoding="utf-8")
    assert '<p class="mine">Keys in the top drawer.</p>\n' in page
    assert '<div class="notes">' not in page


def test_an_error_in_a_users_partial_names_the_partial(make_portfolio, tmp_path: Path, secret_env: None) -> None:
    data = make_portfolio()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "_client_links.html").write_text("<p>\n{{ no_such_variable }}</p>\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError, match="no_such_variable") as raised:
        build_site(data, tmp_path / "out", templates_dir=mine)
    frames = [(Path(str(entry.path)).name, entry.lineno + 1) for entry in raised.traceback]
    assert ("_client_links.html", 2) in frames
