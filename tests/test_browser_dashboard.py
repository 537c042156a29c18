"""End to end in real Chromium: open the built overview and follow a link to a client page."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build_site
from generator.load import load_portfolio
from tests.conftest import SAMPLE_DATA, serve_folder


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    import os
    os.environ.setdefault("RAPPORT_SECRET", "browser-test-secret")
    build_site(SAMPLE_DATA, out)
    return out


def test_overview_links_to_each_client_page(page, sample_output: Path) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    client = portfolio.clients[0]
    with serve_folder(sample_output / "dashboard") as base:
        page.goto(base + "index.html")
        assert page.locator("h1").inner_text() == "Clients"
        assert page.get_by_role("link", name=client.name, exact=True).count() == 1
        page.get_by_role("link", name=client.name, exact=True).click()
        page.wait_for_url(f"**/clients/{client.id}.html")
        assert page.locator("h1").inner_text() == client.name
        # the stylesheet loaded under the page's Content-Security-Policy
        assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
    assert page.console_errors == []
