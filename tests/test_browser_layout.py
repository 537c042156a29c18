"""Layout that fits (issue #17): no dashboard page scrolls sideways on a laptop or a phone, with every
chart drawn; wide tables scroll inside their own box and chart legends stay inside the chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import serve_folder
from tests.test_dashboard_paging import demo_site
from tests.test_dashboard_paging import kind as page_kind

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_site(tmp_path_factory.mktemp("layout"), 45)


def page_kinds(dashboard: Path) -> list[str]:
    """One page of every kind the dashboards have."""
    client = sorted(p.name for p in (dashboard / "clients").glob("*.html") if p.stem != "index" and not p.stem.startswith("page-"))[0]
    kinds = ["index.html", "clients/index.html", "clients/page-2.html", f"clients/{client}", "lists/at-risk.html",
             "lists/onsite.html", "lists/misfits.html", "inbox.html", "inbox-archive-1.html", "calendar.html", "invitations.html",
             "surveys/annual-review.html", "surveys/quarterly-pulse.html", "surveys/annual-review/answers.html"]
    for kind in kinds:
        assert (dashboard / kind).is_file(), kind
    # and one page of every other kind the build wrote, so a new kind of page is checked too
    covered = {page_kind(kind) for kind in kinds}
    for page in sorted(p.relative_to(dashboard).as_posix() for p in dashboard.rglob("*.html")):
        if page_kind(page) not in covered:
            covered.add(page_kind(page))
            kinds.append(page)
    return kinds


def draw_charts(page) -> None:
    """Scroll every chart into view (they draw lazily) and wait until each has drawn."""
    plots = page.locator(".plot[data-spec]")
    for index in range(plots.count()):
        plots.nth(index).scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('.plot[data-spec]')].every(p => p.dataset.drawn === 'true')",
                           timeout=20000)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_dashboard_page_scrolls_sideways(browser, dashboard: Path, viewport: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    wide = {}
    with serve_folder(dashboard) as base:
        for kind in page_kinds(dashboard):
            page.goto(base + kind)
            draw_charts(page)
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                wide[kind] = widths
    context.close()
    assert wide == {}


def test_a_wide_table_scrolls_in_its_own_box_on_a_phone(browser, dashboard: Path) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    with serve_folder(dashboard) as base:
        page.goto(base + "index.html")
        box = page.locator(".scroll:has(table.heatmap)")
        sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX]")
        assert sizes[0] > sizes[1] and sizes[2] == "auto"  # the heatmap is wider than the phone: it scrolls in its box
    context.close()


def test_chart_legends_and_axis_labels_stay_inside_the_chart_on_a_phone(browser, dashboard: Path) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    client = page_kinds(dashboard)[3]
    outside = []
    with serve_folder(dashboard) as base:
        for kind in ("index.html", client, "surveys/annual-review.html"):
            page.goto(base + kind)
            draw_charts(page)
            outside += page.evaluate("""() => [...document.querySelectorAll('.plot[data-drawn=true]')].flatMap(plot => {
            const box = plot.getBoundingClientRect();
            return [...plot.querySelectorAll('g.legend, g.xtick text, g.ytick text, .g-xtitle text, .g-ytitle text')]
              .map(e => e.getBoundingClientRect()).filter(r => r.width > 0)
              .filter(r => r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
              .map(() => plot.id); })""")
            if kind == client:
                assert page.locator(".plot[data-drawn=true] g.legend").count() > 0  # its trends have legends
    assert outside == []
    context.close()


def test_the_client_review_prints_without_internal_notes_actions_or_risk(browser, dashboard: Path) -> None:
    client = next(p for p in sorted((dashboard / "clients").glob("*.html"))
                  if 'id="notes"' in (source := p.read_text(encoding="utf-8")) and 'class="risk risk-' in source)
    context = browser.new_context()
    page = context.new_page()
    with serve_folder(dashboard) as base:
        page.goto(base + f"clients/{client.name}")
        notes = page.locator(".notes").inner_text().strip()
        assert notes and page.locator("main .risk").first.is_visible()
        page.emulate_media(media="print")
        printed = page.locator("main").inner_text()
        assert notes.splitlines()[0] not in printed
        assert "What to do next" not in printed and "Renewal risk" not in printed
        assert page.locator("main .risk:visible, main .reasons:visible").count() == 0
        assert "Figures" in printed and "Responses" in printed  # the client's own figures and answers stay
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    context.close()


def test_a_client_page_shows_status_next_actions_and_key_figures_on_its_first_screen(browser, dashboard: Path) -> None:
    context = browser.new_context(viewport=VIEWPORTS["laptop"])
    page = context.new_page()
    late = {}
    with serve_folder(dashboard) as base:
        for client in sorted((dashboard / "clients").glob("*.html"))[:15]:
            if client.stem == "index" or client.stem.startswith("page-"):
                continue
            page.goto(base + f"clients/{client.name}")
            tops = page.evaluate("""() => ['main .lead', '#next', '#figures', 'table.figures tbody tr']
                .map(s => document.querySelector(s)).filter(Boolean).map(e => e.getBoundingClientRect().top)""")
            if len(tops) < 3 or max(tops) >= 768:
                late[client.name] = tops
    context.close()
    assert late == {}
