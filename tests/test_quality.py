"""Every kind of generated page: valid HTML (Nu checker) and no serious axe-core violations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.build import build_site
from generator.load import load_portfolio
from generator.tokens import survey_token
from tests.conftest import REPO, SAMPLE_DATA, serve_folder

SECRET = "quality-secret"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(path: Path, what: str) -> None:
    """A missing checker fails under CI=true and skips elsewhere."""
    if path.exists():
        return
    message = f"{what} is missing at {path} (make test runs npm ci)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("quality") / "output"
    previous = os.environ.get("RAPPORT_SECRET")
    os.environ["RAPPORT_SECRET"] = SECRET
    try:
        build_site(SAMPLE_DATA, out)
    finally:
        if previous is None:
            os.environ.pop("RAPPORT_SECRET")
        else:
            os.environ["RAPPORT_SECRET"] = previous
    return out


def test_every_generated_page_is_valid_html(sample_site: Path) -> None:
    require(VNU, "The Nu HTML Checker (vnu-jar)")
    java = shutil.which("java")
    if java is None:
        if IN_CI:
            pytest.fail("java is missing: .ci/run installs default-jre-headless")
        pytest.skip("java is missing")
    pages = sorted(str(p) for p in sample_site.rglob("*.html"))
    assert len(pages) > 20
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    problems = [f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    assert problems == []
    assert result.returncode == 0


def page_kinds(site: Path) -> dict[str, str]:
    """One URL path (relative to output/) per kind of page."""
    portfolio = load_portfolio(SAMPLE_DATA)
    survey = portfolio.surveys[0]
    active = next(c for c in portfolio.clients if c.ended is None and c.agreement.start <= portfolio.as_of)
    kinds = {
        "public index": "public/index.html",
        "anonymous survey": f"public/survey/{survey.id}/index.html",
        # a personal link: the same page, the token in its fragment (the script moves it into the form)
        "personal survey": f"public/survey/{survey.id}/index.html#t={survey_token(SECRET.encode(), survey.id, active.id)}",
        "thanks": "public/thanks/index.html",
        "404": "public/404.html",
        "dashboard overview": "dashboard/index.html",
        "client page": f"dashboard/clients/{active.id}.html",
        "survey dashboard": f"dashboard/surveys/{survey.id}.html",
        "feedback inbox": "dashboard/inbox.html",
        "feedback inbox archive": "dashboard/inbox-archive-1.html",
        "calendar": "dashboard/calendar.html",
        "invitations": "dashboard/invitations.html",
        "client index": "dashboard/clients/index.html",
        "full list": "dashboard/lists/at-risk.html",
        "on-site list": "dashboard/lists/onsite.html",
        "written answers": f"dashboard/surveys/{survey.id}/answers.html",
    }
    for name, relative in kinds.items():
        assert (site / relative.split("#")[0]).is_file(), name
    return kinds


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, sample_site: Path, scheme: str) -> None:
    require(AXE, "axe-core")
    axe = AXE.read_text(encoding="utf-8")
    failures: dict[str, list[str]] = {}
    with serve_folder(sample_site) as base:
        for kind, relative in page_kinds(sample_site).items():
            context = browser.new_context(color_scheme=scheme)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.goto(base + relative)
            # axe is injected through the DevTools protocol, so the page's CSP does not block it
            page.evaluate(axe)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [f"{v['id']}: {v['help']} ({len(v['nodes'])}×: {v['nodes'][0]['target']})"
                       for v in result["violations"] if v["impact"] in ("serious", "critical")]
            if serious or errors:
                failures[kind] = serious + errors
            context.close()
    assert failures == {}
