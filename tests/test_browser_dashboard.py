"""The dashboards in real Chromium: charts draw under the page's CSP with no console errors, links
work, the inbox filters, and the client page prints as a client review on A4 and Letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build_site
from generator.load import load_portfolio
from tests.conftest import SAMPLE_DATA, serve_folder

CLIENT = "bayview-dental"


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "browser-test-secret")
        build_site(SAMPLE_DATA, out)
    return out


def draw_every_chart(page) -> int:
    """Scroll each chart into view (they draw lazily) and wait until every one has drawn SVG."""
    plots = page.locator(".plot[data-spec]")
    count = plots.count()
    for index in range(count):
        plots.nth(index).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.plot[data-spec]')]"
        ".every(p => p.dataset.drawn === 'true' && p.querySelector('svg.main-svg'))", timeout=15000)
    return count


@pytest.mark.parametrize("path, charts", [("index.html", 2), (f"clients/{CLIENT}.html", 3), ("surveys/annual-review.html", 9)])
def test_every_chart_draws_with_no_console_error(page, sample_output: Path, path: str, charts: int) -> None:
    with serve_folder(sample_output / "dashboard") as base:
        page.goto(base + path)
        assert draw_every_chart(page) == charts
        for plot in page.locator(".plot[data-spec]").all():
            # drawn: plotly's SVG with marks in it, the fallback note hidden
            assert plot.locator("svg.main-svg").count() >= 1
            assert plot.locator("g.trace, g.point, path.point, g.bars path").count() > 0
            assert plot.evaluate("p => p.getBoundingClientRect().height") > 150
    assert page.console_errors == []


def test_charts_load_plotly_only_when_a_chart_comes_near(page, sample_output: Path) -> None:
    with serve_folder(sample_output / "dashboard") as base:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.set_viewport_size({"width": 1280, "height": 700})
        page.goto(base + "index.html")
        page.wait_for_load_state("networkidle")
        assert not any(url.endswith("plotly.min.js") for url in requests)
        page.locator("#chart-overview-satisfaction").scroll_into_view_if_needed()
        page.wait_for_selector("#chart-overview-satisfaction[data-drawn=true] svg.main-svg")
        assert sum(url.endswith("assets/plotly.min.js") for url in requests) == 1
    assert page.console_errors == []


def test_overview_links_to_each_client_page(page, sample_output: Path) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    client = portfolio.clients[0]
    with serve_folder(sample_output / "dashboard") as base:
        page.goto(base + "index.html")
        assert page.locator("h1").inner_text() == "Portfolio overview"
        # through the client index, which lists every client
        page.locator("#all-clients ~ p").get_by_role("link").click()
        page.wait_for_url("**/clients/index.html")
        page.locator("main table").get_by_role("link", name=client.name, exact=True).click()
        page.wait_for_url(f"**/clients/{client.id}.html")
        assert page.locator("h1").inner_text() == client.name
        # the stylesheet loaded under the page's Content-Security-Policy
        assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
        page.get_by_role("link", name="Feedback inbox").click()
        page.wait_for_url("**/inbox.html")
    assert page.console_errors == []


def test_the_inbox_filter_narrows_the_list(page, sample_output: Path) -> None:
    with serve_folder(sample_output / "dashboard") as base:
        page.goto(base + "inbox.html")
        page.wait_for_selector("#filter-client:enabled")
        items = page.locator("li.inbox-item")
        total = items.count()
        assert total > 20
        visible = page.locator("li.inbox-item:visible")
        assert visible.count() == total
        page.select_option("#filter-client", CLIENT)
        by_client = visible.count()
        assert 0 < by_client < total
        assert all(item.get_attribute("data-client") == CLIENT for item in visible.all())
        assert page.locator("#inbox-count").inner_text() == f"{by_client} of {total} answers match the filters"
        page.select_option("#filter-score", "detractor")
        narrower = visible.count()
        assert 0 < narrower < by_client
        assert all("detractor" in item.get_attribute("data-bands") for item in visible.all())
        page.select_option("#filter-client", "")
        page.select_option("#filter-survey", "quarterly-pulse")
        assert all(item.get_attribute("data-survey") == "quarterly-pulse" for item in visible.all())
        page.get_by_role("button", name="Show all").click()
        page.wait_for_function(f"() => document.querySelectorAll('li.inbox-item:not([hidden])').length === {total}")
    assert page.console_errors == []


def test_the_inbox_is_a_plain_list_without_javascript(browser, sample_output: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with serve_folder(sample_output / "dashboard") as base:
        page.goto(base + "inbox.html")
        assert page.locator("li.inbox-item:visible").count() == page.locator("li.inbox-item").count() > 20
        assert page.locator("#filter-client").is_disabled()
        page.goto(base + "index.html")
        assert page.locator(".plot-fallback").first.is_visible()
    context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_client_page_prints_as_a_client_review(page, sample_output: Path, paper: str) -> None:
    with serve_folder(sample_output / "dashboard") as base:
        page.goto(base + f"clients/{CLIENT}.html")
        page.evaluate("window.RapportCharts.load()")
        page.wait_for_function("() => !!window.Plotly")
        # listeners run in order: this one sees the charts as the dashboard's own handler left them
        page.evaluate("""() => window.addEventListener('beforeprint', () => {
            window.printed = [...document.querySelectorAll('.plot')].map(p => {
                const svg = p.querySelector('svg.main-svg');
                return svg ? svg.getBoundingClientRect().width : 0; });
        })""")
        pdf = page.pdf(format=paper, print_background=True)  # fires beforeprint and afterprint
        assert pdf.startswith(b"%PDF") and len(pdf) > 20000
        widths = page.evaluate("window.printed")
        assert len(widths) == 3 and all(0 < width <= 680 for width in widths), widths  # drawn at paper width
        assert page.locator(".plot[data-drawn=true]").count() == 3
        # back on screen, the charts fill the page again
        page.wait_for_function("() => document.querySelector('.plot svg.main-svg').getBoundingClientRect().width > 900")
        page.emulate_media(media="print")
        assert not page.locator("header nav").is_visible()
        assert not page.get_by_role("button", name="Print the client review").is_visible()
        assert not page.locator("details.chart-data").first.is_visible()
        assert page.locator(".print-head").is_visible()
        assert all(plot.is_visible() for plot in page.locator(".plot").all())
        assert page.locator("details.earlier").count() == 1 and not page.locator("details.earlier").is_visible()  # the year under review only
    assert page.console_errors == []


def test_the_published_encrypted_dashboards_work_the_same(page, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Unlocked from public/dashboard/: links rewritten, plotly from the plain assets, charts drawn, inbox filters."""
    out = tmp_path_factory.mktemp("published") / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "browser-test-secret")
        patch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", "a passphrase for the browser test")
        build_site(SAMPLE_DATA, out)
    assert (out / "public" / "dashboard" / "assets" / "plotly.min.js").is_file()
    with serve_folder(out / "public") as base:
        page.goto(base + "dashboard/index.html")
        page.locator("#rapport-passphrase").fill("a passphrase for the browser test")
        page.get_by_role("button", name="Unlock").click()
        page.locator("#rapport-sealed").wait_for(state="detached")
        assert page.locator("h1").inner_text() == "Portfolio overview"
        assert draw_every_chart(page) == 2
        page.locator("#all-clients ~ p").get_by_role("link").click()
        page.locator("#rapport-sealed").wait_for(state="detached")
        page.locator("main table").get_by_role("link", name="Bayview Dental Care").click()
        page.locator("#rapport-sealed").wait_for(state="detached")
        assert page.locator("h1").inner_text() == "Bayview Dental Care"
        assert draw_every_chart(page) == 3
        page.get_by_role("link", name="Feedback inbox").click()
        page.locator("#rapport-sealed").wait_for(state="detached")
        page.wait_for_selector("#filter-client:enabled")
        total = page.locator("li.inbox-item").count()
        page.select_option("#filter-client", CLIENT)
        assert 0 < page.locator("li.inbox-item:visible").count() < total
    assert page.console_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations_with_every_chart_drawn(browser, sample_output: Path, scheme: str) -> None:
    from tests.test_quality import AXE, require

    require(AXE, "axe-core")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    failures = {}
    with serve_folder(sample_output / "dashboard") as base:
        for path in ("index.html", f"clients/{CLIENT}.html", "surveys/annual-review.html", "surveys/quarterly-pulse.html"):
            page.goto(base + path)
            draw_every_chart(page)
            page.evaluate(AXE.read_text(encoding="utf-8"))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in result["violations"]
                       if v["impact"] in ("serious", "critical")]
            if serious:
                failures[path] = serious
    context.close()
    assert failures == {}
