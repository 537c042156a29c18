"""The invitation journey: a score clicked in the e-mail opens the survey with it chosen (real Chromium), and an
answer sent back through the collector raises the response rate and ends the client's reminders."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.ingest.collector import CollectorConfig, create_collector_app
from generator.tokens import survey_token
from tests.conftest import serve_folder
from tests.test_ingest_collector import in_process

MakePortfolio = Callable[..., Path]
SECRET = "invite-journey-secret"
BASE = "https://consult.example/site/"


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)


def score_links(eml: Path) -> list[str]:
    """The one-click links of a draft's HTML part, as written (before the last link, the survey itself)."""
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)][:-1]


def checked(page: Any, name: str) -> list[str]:
    return page.evaluate("(name) => Array.from(document.querySelectorAll(`input[name='${name}']:checked`), el => el.value)", name)


def test_each_score_link_opens_the_survey_with_that_score_chosen_and_the_token_taken(
        make_portfolio: MakePortfolio, tmp_path: Path, page: Any) -> None:
    survey = {"id": "review", "title": "Review", "questions": [
        {"id": "overall", "type": "rating", "label": "Overall?", "required": True},
        {"id": "why", "type": "text", "label": "Why so low?", "show_if": {"question": "overall", "at_most": 2}},
        {"id": "recommend", "type": "nps", "label": "Recommend?"}]}
    data = make_portfolio(site={"business": {"name": "Test IT", "email": "hi@test-it.example"}, "site": {"base_url": BASE},
                                "as_of": "2026-11-30"},
                          surveys={"review": survey})
    out = tmp_path / "output"
    build_site(data, out)
    result = CliRunner().invoke(cli, ["invite", "--data", str(data), "--out", str(tmp_path / "mail")])
    assert result.exit_code == 0, result.output
    links = score_links(tmp_path / "mail" / "review-invite-acme.eml")
    token = survey_token(SECRET.encode(), "review", "acme")
    assert links == [f"{BASE}survey/review/#t={token}&overall={score}" for score in range(1, 6)]
    with serve_folder(out / "public") as served:
        for score, link in enumerate(links, start=1):
            if score % 2:  # a fresh load (the tab's draft of the last score restored first), else the same page's fragment changed
                page.goto("about:blank")
            page.goto(link.replace(BASE, served))
            page.wait_for_selector("form.survey")
            assert checked(page, "overall") == [str(score)]
            assert checked(page, "recommend") == []
            assert page.input_value("#invitation-code") == token
            assert page.evaluate("() => window.location.hash") == ""  # cleared, like the token alone
            # the follow-up shown for a low score is shown for a low score clicked in the e-mail too
            assert page.is_visible("#q-why") == (score <= 2)
        # a score alone, in a tab that opened the personal link before: the token it kept stays in the form
        page.goto("about:blank")
        page.goto(f"{served}survey/review/#overall=4")
        page.wait_for_selector("form.survey")
        assert checked(page, "overall") == ["4"] and page.input_value("#invitation-code") == token
    assert page.console_errors == []


def post_answer(data: Path, client: str) -> None:
    form = {"survey": "annual-review", "token": survey_token(SECRET.encode(), "annual-review", client),
            "shown_at": str(int(time.time() * 1000) - 60_000), "website": "", "overall": "5", "recommend": "10"}
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        response = http.post("/api/responses", data=form)
    assert response.status_code == 303, response.text


def overview_rate(out: Path) -> tuple[int, int]:
    html = (out / "dashboard" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<p class="response-rate">Response rate, last 12 months: <strong>[^<]+</strong> \((\d+) of (\d+) invited answered\)', html)
    assert found, "the overview shows no response rate"
    return int(found.group(1)), int(found.group(2))


def reminder_list(data: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["invite", "--data", str(data), "--survey", "annual-review", "--reminders", "--dry-run"])
    return re.findall(r"^reminder  ([a-z0-9-]+):", result.output, flags=re.MULTILINE)


def test_an_answer_through_the_collector_raises_the_rate_and_ends_the_reminders(tmp_path: Path) -> None:
    today = dt.date.today()
    data = tmp_path / "data"
    assert CliRunner().invoke(cli, ["demo", "--out", str(data), "--as-of", today.isoformat()]).exit_code == 0
    sent = (today - dt.timedelta(days=8)).isoformat()  # a reminder is due after more than 7 days
    result = CliRunner().invoke(cli, ["invite", "--data", str(data), "--survey", "annual-review", "--as-of", sent,
                                      "--out", str(tmp_path / "mail")])
    assert result.exit_code == 0, result.output
    build_site(data, tmp_path / "before")
    answered, invited = overview_rate(tmp_path / "before")
    waiting = reminder_list(data)
    assert waiting and invited >= len(waiting) + answered
    post_answer(data, waiting[0])
    build_site(data, tmp_path / "after")
    assert overview_rate(tmp_path / "after") == (answered + 1, invited)
    assert reminder_list(data) == waiting[1:]
    survey_page = (tmp_path / "after" / "dashboard" / "surveys" / "annual-review.html").read_text(encoding="utf-8")
    assert f'href="../clients/{waiting[0]}.html"' not in survey_page.split('id="not-answered"')[1].split("</section>")[0]
    assert f'href="../clients/{waiting[1]}.html"' in survey_page.split('id="not-answered"')[1].split("</section>")[0]
