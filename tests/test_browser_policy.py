"""Policy in a real browser: every page kind loads under its CSP with no violation or error,
public pages ask nothing of other sites, and dashboards load plotly.js only from their assets."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build import build_site
from tests.conftest import SAMPLE_DATA, serve_folder
from tests.test_quality import AXE, SECRET, page_kinds, require

PASSPHRASE = "policy test passphrase"
# collect CSP violations from the first moment of every document
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture(scope="module")
def published_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built with a dashboard passphrase, so the unlock page is published too."""
    out = tmp_path_factory.mktemp("policy") / "output"
    saved = {name: os.environ.get(name) for name in ("RAPPORT_SECRET", "RAPPORT_DASHBOARD_PASSPHRASE")}
    os.environ.update(RAPPORT_SECRET=SECRET, RAPPORT_DASHBOARD_PASSPHRASE=PASSPHRASE)
    try:
        build_site(SAMPLE_DATA, out)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return out


def visit(browser, url: str) -> tuple[list[str], list[str], list[str]]:
    """Open url, scroll through it so lazy charts draw; return requests, violations, errors."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    charts = page.locator("figure.chart .plot").count()
    for index in range(charts):
        plot = page.locator("figure.chart .plot").nth(index)
        plot.scroll_into_view_if_needed()
        plot.locator("svg.main-svg").first.wait_for(state="attached", timeout=15000)
    violations = page.evaluate("window.__violations")
    context.close()
    return requests, violations, errors


def test_every_page_kind_loads_under_its_policy(browser, published_site: Path) -> None:
    problems: dict[str, list[str]] = {}
    with serve_folder(published_site) as base:
        origin = urlsplit(base).netloc
        for kind, relative in {**page_kinds(published_site), "unlock page": "public/dashboard/index.html"}.items():
            requests, violations, errors = visit(browser, base + relative)
            found = [f"CSP: {v}" for v in violations] + [f"console: {e}" for e in errors]
            outside = [url for url in requests if urlsplit(url).netloc != origin and not url.startswith("data:")]
            found += [f"request outside the site: {url}" for url in outside]
            scripts = [urlsplit(url).path for url in requests if url.endswith(".js")]
            if relative.startswith("dashboard/"):
                found += [f"script not from the dashboard's assets: {path}" for path in scripts
                          if not path.startswith("/dashboard/assets/")]
            if kind.endswith("survey"):
                found += [f"survey page loads plotly: {path}" for path in scripts if "plotly" in path]
            if found:
                problems[kind] = found
    assert problems == {}


def test_a_dashboard_with_charts_loads_plotly_once_from_its_assets(browser, published_site: Path) -> None:
    with serve_folder(published_site) as base:
        requests, violations, errors = visit(browser, base + "dashboard/index.html")
    plotly = [urlsplit(url).path for url in requests if "plotly" in url]
    assert plotly == ["/dashboard/assets/plotly.min.js"]
    assert violations == [] and errors == []


def test_the_unlock_page_has_no_serious_accessibility_violations(browser, published_site: Path) -> None:
    require(AXE, "axe-core")
    with serve_folder(published_site) as base:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "public/dashboard/index.html")
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        context.close()
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
