"""Survey pages: controls, names and bounds; posting with and without JavaScript in Chromium."""

from __future__ import annotations

import html.parser
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from generator.build import build_site
from generator.tokens import survey_token
from tests.conftest import CLIENT, serve_with_capture

SECRET = "survey-page-secret"
SURVEY = {
    "id": "review", "title": "Annual review", "intro": "Two minutes, *honestly*. <script>alert(1)</script>",
    "questions": [
        {"id": "overall", "type": "rating", "csat": True, "label": "Overall, how satisfied are you?", "required": True},
        {"id": "followup", "type": "text", "label": "What went wrong?", "required": True,
         "show_if": {"question": "overall", "at_most": 3}},
        {"id": "recommend", "type": "nps", "label": "How likely are you to recommend us?", "required": True},
        {"id": "visits", "type": "choice", "options": ["Too few", "About right", "Too many"], "label": "Our visits are…"},
        {"id": "areas", "type": "multi", "options": ["Helpdesk", "Backups", "Security"], "label": "Where should we do more?"},
        {"id": "improve", "type": "text", "label": "How can we improve?"},
    ],
}


class FormParser(html.parser.HTMLParser):
    """Collects inputs, textareas and fieldsets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.fieldsets: list[dict[str, str | None]] = []
        self.meta: list[dict[str, str | None]] = []
        self.forms: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "textarea"):
            self.inputs.append({"tag": tag, **attributes})
        elif tag == "fieldset":
            self.fieldsets.append(attributes)
        elif tag == "meta":
            self.meta.append(attributes)
        elif tag == "form":
            self.forms.append(attributes)


def parse(path: Path) -> FormParser:
    parser = FormParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture
def site(make_portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio(surveys={"review": SURVEY})
    out = tmp_path / "out"
    build_site(data, out)
    return out


def personal_page(site: Path) -> Path:
    """The one page of the survey: a personal link is this page with the token in its fragment."""
    return site / "public" / "survey" / "review" / "index.html"


def test_no_page_per_client_or_token_and_no_token_in_any_byte(site: Path) -> None:
    """Issue #16: the public tree listed a page per survey token."""
    token = survey_token(SECRET.encode(), "review", CLIENT["id"])
    assert sorted(p.name for p in (site / "public" / "survey").iterdir()) == ["review"]
    for path in (site / "public").rglob("*"):
        assert token not in str(path) and CLIENT["id"] not in str(path.relative_to(site))
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def test_each_question_type_has_the_right_controls(site: Path) -> None:
    parsed = parse(personal_page(site))
    by_name: dict[str, list[dict]] = {}
    for item in parsed.inputs:
        by_name.setdefault(item.get("name"), []).append(item)
    assert [i["value"] for i in by_name["overall"]] == ["1", "2", "3", "4", "5"]
    assert all(i["type"] == "radio" for i in by_name["overall"])
    assert [i["value"] for i in by_name["recommend"]] == [str(n) for n in range(11)]
    assert [i["value"] for i in by_name["visits"]] == ["Too few", "About right", "Too many"]
    assert all(i["type"] == "radio" for i in by_name["visits"])
    assert [i["type"] for i in by_name["areas"]] == ["checkbox"] * 3
    assert by_name["improve"][0]["tag"] == "textarea"
    assert "required" in by_name["overall"][0] and "required" in by_name["recommend"][0]
    assert "required" not in by_name["visits"][0]
    # the follow-up is shown without JavaScript, so it cannot be required there
    assert "required" not in by_name["followup"][0]
    # the invitation code: a labelled, optional text field, empty in the published page
    assert by_name["token"][0]["value"] == "" and by_name["token"][0]["type"] == "text"
    assert "required" not in by_name["token"][0]
    assert by_name["survey"][0]["value"] == "review"
    assert "value" not in by_name["website"][0] and by_name["website"][0]["tabindex"] == "-1"
    assert [f["id"] for f in parsed.fieldsets] == [f"q-{q['id']}" for q in SURVEY["questions"]]
    assert {"name": "robots", "content": "noindex"} in parsed.meta
    assert parsed.forms[0]["method"] == "post" and parsed.forms[0]["action"] == "/api/responses"


def test_the_intro_is_sanitised_markdown(site: Path) -> None:
    text = personal_page(site).read_text(encoding="utf-8")
    assert "<em>honestly</em>" in text
    assert "alert(1)" not in text


def test_anonymous_page_has_an_empty_token_and_no_client_data(site: Path) -> None:
    page = site / "public" / "survey" / "review" / "index.html"
    parsed = parse(page)
    assert [i["value"] for i in parsed.inputs if i.get("name") == "token"] == [""]
    for survey_page in (site / "public").rglob("*.html"):
        text = survey_page.read_text(encoding="utf-8")
        for private in (CLIENT["name"], CLIENT["contact"]["name"], CLIENT["contact"]["email"]):
            assert private not in text, survey_page


def test_a_ten_question_page_stays_within_ten_kilobytes(make_portfolio, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    questions = [{"id": f"q{n}", "type": t, "label": f"Question number {n} about our service?",
                  **({"options": ["Too few", "About right", "Too many"]} if t == "choice" else {})}
                 for n, t in enumerate(["rating", "nps", "choice", "text", "rating", "nps", "rating", "choice", "text", "rating"])]
    data = make_portfolio(surveys={"ten": {"id": "ten", "title": "Ten", "questions": questions}})
    build_site(data, tmp_path / "out")
    size = len((tmp_path / "out" / "public" / "survey" / "ten" / "index.html").read_bytes())
    assert size <= 10 * 1024, size


def submitted(captured) -> dict[str, list[str]]:
    assert len(captured) == 1, captured
    content_type, body = captured[0]
    assert content_type == "application/x-www-form-urlencoded"
    return parse_qs(body.decode("utf-8"), keep_blank_values=True)


def fill_in(page) -> None:
    page.get_by_role("group", name="Overall, how satisfied").get_by_role("radio", name="2", exact=True).click()
    page.get_by_label("What went wrong?").fill("Printer & \"scanner\"\nstill broken")
    page.get_by_role("group", name="How likely").get_by_role("radio", name="9", exact=True).click()
    page.get_by_label("About right").check()
    page.get_by_label("Backups").check()
    page.get_by_label("Security").check()
    page.get_by_label("How can we improve?").fill("=SUM(A1) ✓")


def test_submitting_with_javascript_posts_every_answer(browser, site: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    token = survey_token(SECRET.encode(), "review", CLIENT["id"])
    with serve_with_capture(site / "public") as (base, captured):
        page.goto(f"{base}survey/review/index.html#t={token}")
        # the token leaves the address bar at once, and the invitation field is not asked for
        assert page.evaluate("() => window.location.hash") == ""
        assert not page.get_by_label("Invitation code").is_visible()
        assert page.get_by_text("personal invitation link").is_visible()
        fill_in(page)
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url("**/thanks/index.html")
        assert "we received your answers" in page.locator("h1").inner_text()
    fields = submitted(captured)
    assert fields["survey"] == ["review"] and fields["token"] == [token]
    assert fields["overall"] == ["2"] and fields["recommend"] == ["9"]
    assert fields["followup"] == ["Printer & \"scanner\"\r\nstill broken"]
    assert fields["visits"] == ["About right"] and fields["areas"] == ["Backups", "Security"]
    assert fields["improve"] == ["=SUM(A1) ✓"]
    assert fields["website"] == [""]
    assert fields["shown_at"][0].isdigit()
    context.close()


def test_submitting_without_javascript_posts_the_same_fields(browser, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with serve_with_capture(site / "public") as (base, captured):
        page.goto(f"{base}survey/review/index.html")
        assert page.get_by_label("What went wrong?").is_visible()
        assert page.get_by_label("Invitation code").is_visible()
        fill_in(page)
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url("**/thanks/index.html")
    fields = submitted(captured)
    assert fields["token"] == [""] and fields["shown_at"] == [""]
    assert fields["overall"] == ["2"] and fields["followup"] == ["Printer & \"scanner\"\r\nstill broken"]
    context.close()


def test_without_javascript_the_pasted_invitation_code_is_posted(browser, site: Path) -> None:
    token = survey_token(SECRET.encode(), "review", CLIENT["id"])
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with serve_with_capture(site / "public") as (base, captured):
        page.goto(f"{base}survey/review/index.html#t={token}")
        page.get_by_label("Invitation code").fill(token)
        fill_in(page)
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url("**/thanks/index.html")
    assert submitted(captured)["token"] == [token]
    context.close()


def test_the_follow_up_appears_only_for_low_scores(page, site: Path) -> None:
    with serve_with_capture(site / "public") as (base, _):
        page.goto(f"{base}survey/review/index.html")
        follow_up = page.get_by_label("What went wrong?")
        assert not follow_up.is_visible()
        overall = page.get_by_role("group", name="Overall, how satisfied")
        overall.get_by_role("radio", name="3", exact=True).click()
        assert follow_up.is_visible()
        overall.get_by_role("radio", name="5", exact=True).click()
        assert not follow_up.is_visible()
    assert page.console_errors == []


def test_a_half_filled_draft_survives_a_reload(page, site: Path) -> None:
    with serve_with_capture(site / "public") as (base, captured):
        page.goto(f"{base}survey/review/index.html")
        page.get_by_role("group", name="Overall, how satisfied").get_by_role("radio", name="1", exact=True).click()
        page.get_by_label("What went wrong?").fill("half a thought")
        page.get_by_label("Backups").check()
        page.reload()
        assert page.get_by_role("group", name="Overall, how satisfied").get_by_role("radio", name="1").is_checked()
        assert page.get_by_label("What went wrong?").input_value() == "half a thought"
        assert page.get_by_label("Backups").is_checked()
        assert page.evaluate("window.localStorage.length") == 0
        page.get_by_role("group", name="How likely").get_by_role("radio", name="8", exact=True).click()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url("**/thanks/index.html")
        # a successful submit clears the draft
        page.goto(f"{base}survey/review/index.html")
        assert not page.get_by_label("Backups").is_checked()
    assert len(captured) == 1


def test_keyboard_alone_reaches_every_control(page, site: Path) -> None:
    with serve_with_capture(site / "public") as (base, _):
        page.goto(f"{base}survey/review/index.html")
        reached: list[str] = []
        for _ in range(40):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.name || document.activeElement.textContent"))
            if reached[-1] == "Send my answers":
                break
        # radio groups are one tab stop each; the hidden follow-up is skipped; the honeypot never
        assert [name for name in reached if name in {q["id"] for q in SURVEY["questions"]}] == [
            "overall", "recommend", "visits", "areas", "areas", "areas", "improve"]
        assert reached[-1] == "Send my answers"
        assert "website" not in reached
        for _ in range(6):  # improve, three tickboxes, visits, recommend
            page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.name") == "recommend"
        page.keyboard.press("ArrowRight")
        assert page.evaluate("document.activeElement.checked") is True
