"""`rapport serve`: one local server for site, dashboards and collector, rebuilt on change; end to end in Chromium."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from generator.ingest.contacts import ContactEntry, append_contact
from generator.ingest.serve import Preview
from generator.tokens import survey_token
from tests.test_ingest_collector import running_server

SECRET = "serve-test-secret"
ANSWER = "Más visitas, por favor — and \"faster\" replies ✓"


@pytest.fixture
def data(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny portfolio without a fixed report date, so today's answers count."""
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    return make_portfolio(site={"business": {"name": "Test IT"}, "forms": {"min_seconds": 0}})


@pytest.fixture
def preview(data: Path, tmp_path: Path) -> Iterator[tuple[Preview, str]]:
    """The preview server, built once, running on 127.0.0.1."""
    server = Preview(data, tmp_path / "output", quiet=True)
    assert server.build_once().ok
    with running_server(server.app()) as base:
        yield server, base + "/"


def wait_for_build(base: str, after: int, timeout: float = 30) -> dict:
    """Poll /api/build until a build newer than `after` has finished."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base) as http:
        while True:
            state = http.get("api/build").json()
            if state["generation"] > after and not state["building"]:
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"no new build after generation {after}: {state}")
            time.sleep(0.05)


def stored(data: Path) -> list[dict[str, str]]:
    path = data / "responses" / "review.csv"
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline=""))) if path.exists() else []


def test_public_site_dashboards_and_collector_share_one_server(preview: tuple[Preview, str], data: Path) -> None:
    server, base = preview
    with httpx.Client(base_url=base) as http:
        assert http.get("").status_code == 200
        assert "Test IT" in http.get("").text
        assert http.get("dashboard/").status_code == 200
        assert http.get("survey/review/").status_code == 200
        assert http.get(f"survey/{survey_token(SECRET.encode(), 'review', 'acme')}/").status_code == 404
        assert http.get("no-such-page/").status_code == 404
        assert http.get("api/responses").status_code == 405
        before = server.state.generation
        response = http.post("api/responses", data={"survey": "review", "token": "", "overall": "5", "improve": "hi"})
        assert response.status_code == 303 and response.headers["location"] == "/thanks/"
        assert http.get("thanks/").status_code == 200
    assert wait_for_build(base, before)["ok"] is True
    assert [row["improve"] for row in stored(data)] == ["hi"]


def test_a_change_under_data_rebuilds_and_a_broken_file_keeps_the_last_good_site(preview: tuple[Preview, str], data: Path) -> None:
    server, base = preview
    before = server.state.generation
    append_contact(data, ContactEntry(date="2026-11-20", client="acme", kind="onsite", minutes="30"))
    assert wait_for_build(base, before)["ok"] is True
    before = server.state.generation
    (data / "clients.yaml").write_text("- id: [broken\n", encoding="utf-8")
    state = wait_for_build(base, before)
    assert state["ok"] is False and "clients.yaml" in state["error"]
    with httpx.Client(base_url=base) as http:
        assert http.get("dashboard/").status_code == 200, "the previous build is still served"


def test_a_survey_answered_in_chromium_reaches_the_data_once_and_shows_on_the_dashboard(
    page, preview: tuple[Preview, str], data: Path,
) -> None:
    server, base = preview
    token = survey_token(SECRET.encode(), "review", "acme")
    page.goto(f"{base}survey/review/#t={token}")
    page.locator("input[name=overall][value='4']").check(force=True)
    page.locator("input[name=recommend][value='9']").check(force=True)
    page.locator("input[name=areas][value='Backups']").check(force=True)
    page.locator("textarea[name=improve]").fill(ANSWER)
    assert page.locator("input[name=shown_at]").input_value() != "", "the page's script filled the time trap"
    before = server.state.generation
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}thanks/")
    assert "Thank you" in page.locator("h1").inner_text()
    [row] = stored(data)
    assert (row["client"], row["overall"], row["recommend"], row["areas"], row["improve"]) == ("acme", "4", "9", "Backups", ANSWER)
    assert wait_for_build(base, before)["ok"] is True
    assert page.console_errors == []
    # the rebuilt dashboards show it in the feedback inbox and on the client's page
    page.goto(f"{base}dashboard/inbox.html")
    assert page.get_by_text(ANSWER, exact=False).count() >= 1
    page.goto(f"{base}dashboard/clients/acme.html")
    assert page.get_by_text(ANSWER, exact=False).count() >= 1


def test_a_personal_link_answered_without_javascript_records_its_client(
    browser, preview: tuple[Preview, str], data: Path,
) -> None:
    """The fragment never reaches the server: without JavaScript the client pastes the invitation code."""
    _, base = preview
    token = survey_token(SECRET.encode(), "review", "acme")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}survey/review/#t={token}")
    page.get_by_label("Invitation code").fill(f"  {token.upper()} ")  # as pasted from an e-mail
    page.locator("input[name=overall][value='5']").check(force=True)
    page.locator("input[name=recommend][value='10']").check(force=True)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}thanks/")
    context.close()
    [row] = stored(data)
    assert (row["client"], row["overall"], row["recommend"]) == ("acme", "5", "10")


def test_a_form_sent_faster_than_the_time_trap_allows_is_refused_in_the_browser(page, make_portfolio, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio(site={"business": {"name": "Test IT"}, "forms": {"min_seconds": 60}})
    server = Preview(data, tmp_path / "output", quiet=True)
    server.build_once()
    with running_server(server.app()) as root:
        page.goto(f"{root}/survey/review/")
        page.locator("input[name=overall][value='5']").check(force=True)
        page.locator("input[name=recommend][value='10']").check(force=True)
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{root}/api/responses")
        assert page.locator("h1").inner_text() == "Your answers were not sent"
    assert stored(data) == []
    [entry] = list(csv.DictReader(io.StringIO(next((data / "quarantine").glob("collector-*.csv")).read_bytes().decode("utf-8"), newline="")))
    assert entry["reason"] == "too_fast"
