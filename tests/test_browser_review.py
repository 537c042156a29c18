"""The client review (issue #17): a client page printed in Chromium fits four A4 or Letter pages for a
client with three years of history, and holds none of the client's notes, contact-log notes, next
actions or risk labels; the internal view prints them. The client page reads in one screen."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.load import load_portfolio
from tests.conftest import serve_folder
from tests.test_dashboard_paging import demo_site

MAX_PAGES = 4
RISK_WORDS = re.compile(r"\b([Rr]isk|HIGH|MEDIUM|LOW|[Dd]etractor)\b")  # risk badges are upper case on screen


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("review")
    demo_site(root, 45)
    return root


def long_histories(root: Path, count: int = 3) -> list[str]:
    """Active clients with three years of history or more, those with the most responses in the last year first."""
    portfolio = load_portfolio(root / "data")
    as_of = portfolio.as_of
    old = [c.id for c in portfolio.clients if c.ended is None and c.agreement.start <= as_of.replace(year=as_of.year - 3)]
    year_ago = str(as_of - dt.timedelta(days=364))
    recent = {cid: sum(int(((frame["client"] == cid) & (frame["date"] >= year_ago)).sum())
                       for frame in portfolio.responses.values()) for cid in old}
    assert len(old) >= count and max(recent.values()) >= 5  # the demo has long, busy histories to print
    return sorted(old, key=lambda cid: (-recent[cid], cid))[:count]


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF from Chromium (one `/Type /Page` object each; `/Pages` is the tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def internal_texts(page) -> list[str]:
    """What the screen shows only to the consultant: notes (each line), next actions, risk reasons."""
    texts = page.evaluate("""() => [...document.querySelectorAll('.notes p, .notes li, .actions li, .reasons li')]
        .map(e => e.innerText.trim()).filter(Boolean)""")
    return [text for text in texts if len(text) > 12]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_client_review_of_three_years_fits_four_pages_without_anything_internal(browser, site: Path, paper: str) -> None:
    portfolio = load_portfolio(site / "data")
    context = browser.new_context()
    page = context.new_page()
    reasons = 0
    with serve_folder(site / "output" / "dashboard") as base:
        # the busiest long histories, and the demo's client at high risk just before its renewal
        for client_id in [*long_histories(site), "bayview-dental"]:
            page.emulate_media(media="null")  # page.pdf prints with the print stylesheet unless media is emulated
            page.goto(base + f"clients/{client_id}.html")
            internal = internal_texts(page)
            assert page.locator(".notes").inner_text().strip()
            reasons += page.locator(".reasons li").count()
            contact_notes = [note for note in portfolio.contacts.loc[portfolio.contacts["client"] == client_id, "note"]
                             if len(note) > 12]
            assert contact_notes
            page.evaluate("window.RapportCharts.drawAll()")
            pdf = page.pdf(format=paper)
            assert pdf.startswith(b"%PDF")
            assert 1 <= pdf_pages(pdf) <= MAX_PAGES, (client_id, pdf_pages(pdf))
            page.emulate_media(media="print")
            printed = page.locator("body").inner_text()
            assert printed.startswith(f"{portfolio.settings.business.name} · Rapport")
            assert "Client review" in printed and "Figures" in printed and "Satisfaction by quarter" in printed
            assert [text for text in internal if text in printed] == []
            assert [note for note in contact_notes if note in printed] == []
            assert RISK_WORDS.findall(printed) == []
            assert "What to do next" not in printed and not page.locator("#notes").is_visible()
            assert page.locator(".plot[data-drawn=true] svg.main-svg").count() >= 2  # the charts print drawn
    assert reasons > 0  # risk reasons were on screen, and not in print
    context.close()


def test_the_internal_view_prints_the_notes_actions_and_risk(browser, site: Path) -> None:
    client_id = "bayview-dental"
    context = browser.new_context()
    page = context.new_page()
    with serve_folder(site / "output" / "dashboard") as base:
        page.goto(base + f"clients/{client_id}.html")
        internal = internal_texts(page)
        # the button draws the charts, marks the page and opens the print dialog (recorded here instead)
        page.evaluate("() => { window.print = () => { window.printedAs = document.documentElement.className || 'review'; }; }")
        page.get_by_role("button", name="Print the internal view").click()
        page.wait_for_function("() => window.printedAs !== undefined")
        assert page.evaluate("window.printedAs") == "print-internal"
        page.emulate_media(media="print")
        printed = page.locator("body").inner_text()
        assert "Internal client sheet, not for the client" in printed and "Client review" not in printed
        assert internal and [text for text in internal if text not in printed] == []
        assert "Renewal risk" in printed and "What to do next" in printed
        # the other button prints the review again
        page.emulate_media(media="screen")
        page.evaluate("() => { window.printedAs = undefined; }")
        page.get_by_role("button", name="Print the client review").click()
        page.wait_for_function("() => window.printedAs !== undefined")
        assert page.evaluate("window.printedAs") == "review"
        page.emulate_media(media="print")
        assert "Renewal risk" not in page.locator("body").inner_text()
    context.close()


def test_the_client_page_puts_status_actions_and_figures_first_and_folds_earlier_responses(browser, site: Path) -> None:
    client_id = long_histories(site, 1)[0]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    with serve_folder(site / "output" / "dashboard") as base:
        page.goto(base + f"clients/{client_id}.html")
        order = page.evaluate("() => [...document.querySelectorAll('main h2')].map(h => h.id)")
        assert order == ["next", "figures", "agreement", "responses", "contacts", "satisfaction", "links", "notes"]
        # next actions and figures side by side on a laptop, both starting on the first screen
        boxes = page.evaluate("() => ['#next', '#figures'].map(s => document.querySelector(s).getBoundingClientRect().toJSON())")
        assert boxes[0]["top"] == boxes[1]["top"] < 400 and boxes[0]["right"] <= boxes[1]["left"]
        earlier = page.locator("details.earlier")
        assert earlier.count() == 1 and not earlier.evaluate("d => d.open")
        assert earlier.locator("article.response").count() >= 1 and not earlier.locator("article.response").first.is_visible()
        summary, recent = page.evaluate("""() => { const section = document.getElementById('responses').parentElement;
            return [section.querySelector('p.note').innerText, section.querySelectorAll(':scope > article.response').length]; }""")
        assert recent > 0 and summary.startswith(f"{recent} in the last 12 months")
    context.close()
