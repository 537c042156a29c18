"""Hostile text in client names, contact names, notes and answers stays text on every dashboard page:
escaped in HTML, in attributes, in JSON inside <script>, and in plotly's labels and hover text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import build_site
from generator.csv_text import csv_lines
from generator.templates import script_json
from tests.conftest import SURVEY, serve_folder

CORPUS = [
    "<script>alert(1)</script>",
    "</script><script>alert(1)//",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    '" onmouseover="x',
    '<a href="https://evil.example">x</a>',
]
# notes are Markdown, sanitised: markup in them is dropped, never run (an unclosed <script> takes the rest)
NOTES = "\n\n".join(["Keep **bold** and [a link](https://ok.example).", "[click me](javascript:alert(1))",
                      "<a href=\"javascript:alert(1)\">y</a>", *CORPUS])
HOSTILE_OPTION = '<i>About</i> right <span style="color:red">&amp;</span>'  # the consultant's text is escaped too
SURVEY_WITH_HOSTILE_OPTION = {
    **SURVEY,
    "questions": [q if q["id"] != "visits" else {**q, "options": ["Too few", HOSTILE_OPTION]}
                  for q in SURVEY["questions"]],
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import PortfolioWriter

    root = tmp_path_factory.mktemp("xss")
    clients, contacts, responses = [], [], []
    for index, text in enumerate(CORPUS):
        client_id = f"x{index}"
        clients.append({
            "id": client_id, "name": text, "contact": {"name": text, "email": f"c{index}@example.com", "phone": "+1 555 0100"},
            "pcs": 60, "servers": 1, "wan": False, "agreement": {"start": "2024-01-01", "term_months": 12}, "notes": NOTES,
        })
        contacts += [[f"2026-{month:02d}-1{index}", client_id, "onsite", text, "30", text] for month in range(1, 12)]
        responses += [{"response_id": f"r{index}-{k}", "client": client_id, "submitted_at": f"2026-0{k + 1}-15T10:00:00Z",
                       "overall": str(2 + k), "recommend": str(3 + k), "visits": HOSTILE_OPTION,
                       "improve": f"{text} and {CORPUS[(index + 1) % len(CORPUS)]}"} for k in range(3)]
    responses.append({"response_id": "anon", "client": "", "submitted_at": "2026-11-01T10:00:00Z", "overall": "1",
                      "improve": "\n".join(CORPUS)})
    data = PortfolioWriter(root / "data").write(
        site={"business": {"name": "Test IT", "email": "me@test.example"}, "as_of": "2026-11-30"},
        clients=clients, contacts=contacts, surveys={"review": SURVEY_WITH_HOSTILE_OPTION}, responses={"review": responses},
    )
    # a follow-up of each client's first response, open or closed, with hostile reason, owner and note
    header = "id,client,survey,response,reason,opened,due,owner,status,closed,note\n"
    rows = [[str(index + 1), f"x{index}", "review", f"r{index}-0", text, "2026-01-15", "2026-01-19", text,
             "closed" if index % 2 else "open", "2026-01-20" if index % 2 else "", text if index % 2 else ""]
            for index, text in enumerate(CORPUS)]
    (data / "followups.csv").write_bytes(csv_lines([header.strip().split(","), *rows]))
    out = root / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "xss-secret")
        build_site(data, out)
    return out


def test_no_markup_from_data_reaches_the_html(hostile_site: Path) -> None:
    pages = sorted((hostile_site / "dashboard").rglob("*.html"))
    # six clients; overview, survey, inbox, calendar, invitations; the client index, six full lists, the written answers
    assert len(pages) == 6 + 5 + 1 + 6 + 1
    assert "Follow-ups: 3 open, 3 overdue" in (hostile_site / "dashboard" / "index.html").read_text(encoding="utf-8")
    for page in pages:
        source = page.read_text(encoding="utf-8")
        for raw in ("<script>alert", "<script>alert(1)//", "<img src=x", 'href="javascript:', "href='javascript:",
                    'href="https://evil.example"', '" onmouseover="'):
            assert raw not in source, (page.name, raw)
        # JSON inside <script>: no "<" at all, so no </script> breakout
        for block in re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', source, flags=re.S):
            assert "<" not in block and ">" not in block
        # every <script> element is either the page's own code or a JSON data block
        for tag in re.findall(r"<script\b[^>]*>", source):
            assert re.fullmatch(r'<script (src="(\.\./)*assets/(dashboard|inbox)\.js" defer|type="application/json" id="[a-z0-9-]+")>', tag), tag


def test_in_chromium_no_dialog_opens_and_the_text_shows_literally(browser, hostile_site: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    dashboard = hostile_site / "dashboard"
    with serve_folder(dashboard) as base:
        for path in sorted(dashboard.rglob("*.html")):
            page.goto(base + str(path.relative_to(dashboard)))
            page.evaluate("() => window.RapportCharts.drawAll()")
            page.wait_for_function("() => [...document.querySelectorAll('.plot[data-spec]')].every(p => p.dataset.drawn === 'true')")
            # hover every point of every chart: plotly renders its hover labels then
            for plot_id in page.eval_on_selector_all(".plot[data-spec]", "plots => plots.map(p => p.id)"):
                page.evaluate("""id => { const gd = document.getElementById(id);
                    gd.data.forEach((trace, c) => (trace.x || []).forEach((_, p) => Plotly.Fx.hover(gd, [{curveNumber: c, pointNumber: p}]))); }""",
                              plot_id)
            found = page.evaluate("""() => ({
                images: document.querySelectorAll('img').length,
                scriptLinks: [...document.querySelectorAll('a[href]')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
                evil: document.querySelectorAll('a[href*="evil.example"]').length,
                handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
                svgLinks: document.querySelectorAll('.plot svg a').length,
            })""")
            assert found == {"images": 0, "scriptLinks": 0, "evil": 0, "handlers": 0, "svgLinks": 0}, path.name
        page.goto(base + "index.html")
        overview = page.locator("main").inner_text()
        for text in CORPUS:
            assert text in overview
        page.goto(base + "clients/x5.html")
        assert page.locator("h1").inner_text() == CORPUS[5]
        notes = page.locator(".notes")
        assert notes.locator("strong").inner_text() == "bold"
        assert [link.get_attribute("href") for link in notes.locator("a").all()] == ["https://ok.example", None, None]
        assert notes.locator("script, img").count() == 0
        # answers are plain text: shown exactly as written
        page.goto(base + "inbox.html")
        inbox = page.locator("main").inner_text()
        for text in CORPUS:
            assert text in inbox
        # plotly's text: a category label and a hover label show the markup as characters
        page.goto(base + "surveys/review.html")
        page.evaluate("() => window.RapportCharts.drawAll()")
        page.wait_for_selector("#chart-survey-visits-distribution[data-drawn=true]")
        labels = page.eval_on_selector_all("#chart-survey-visits-distribution .ytick text", "ts => ts.map(t => t.textContent)")
        assert HOSTILE_OPTION in labels
        # the client index: every name as written
        page.goto(base + "clients/index.html")
        index = page.locator("main").inner_text()
        for text in CORPUS:
            assert text in index
    context.close()
    assert dialogs == []
    assert errors == []


def test_json_inside_a_script_escapes_what_could_end_or_break_it() -> None:
    text = "</script> & <!-- \u2028\u2029 é —"
    written = script_json({"b": text, "a": [1, "<"]})
    assert written == '{"a":[1,"\\u003c"],"b":"\\u003c/script\\u003e \\u0026 \\u003c!-- \\u2028\\u2029 é —"}'
    assert json.loads(written) == {"b": text, "a": [1, "<"]}
