"""The inputs a list page names (generator/render/dashboard.py `_list_inputs`): a change to anything it shows of a client
makes the pages holding that client again, and only those, with the bytes of a clean and of a plain build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.build import build_site
from generator.speed import Speed
from tests.conftest import secret_env_fixture
from tests.test_speed import SECRET, append_row, clean_build, data, pages_made, plain_build, renamed_client, site, tree

__all__ = ["data"]  # the fixture, shared with tests/test_speed.py

secret_env = secret_env_fixture(SECRET)
LIST_PAGE = re.compile(r"clients/(index|page-\d+)\.html|lists/[a-z-]+(-\d+)?\.html")


def small_pages(data: Path) -> None:
    """Five rows a page, so that the 24 clients of the demo fill several pages of every list."""
    site_yaml = data / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("dashboards:\n", "dashboards:\n  page_size: 5\n"),
                         encoding="utf-8")


def holding(out: Path, client: str, pattern: re.Pattern[str] = LIST_PAGE) -> list[str]:
    """The list pages (paths from the dashboard root) that link to the client's page."""
    dashboard = out / "dashboard"
    return sorted(path.relative_to(dashboard).as_posix() for path in dashboard.rglob("*.html")
                  if pattern.fullmatch(path.relative_to(dashboard).as_posix())
                  and f'clients/{client}.html"' in path.read_text(encoding="utf-8"))


def first_client(data: Path) -> str:
    """The id of the first record of clients.yaml (the one `renamed_client` renames)."""
    records = yaml.safe_load((data / "clients.yaml").read_text(encoding="utf-8"))
    return str((records["clients"] if isinstance(records, dict) else records)[0]["id"])


def test_a_renamed_client_is_shown_anew_on_every_list_page_holding_it(data: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    small_pages(data)
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    client = first_client(data)
    lists = holding(out, client)
    assert "clients/index.html" in lists or any(page.startswith("clients/page-") for page in lists)
    assert any(page.startswith("lists/onsite") for page in lists)  # an active client: a row of the on-site heatmap
    made = pages_made(monkeypatch)
    renamed_client(data)
    build_site(data, out, speed=Speed.on(1))
    now = holding(out, client)  # the index is by name: the client may have moved to another of its pages
    assert [page for page in now if page.startswith("lists/")] == [page for page in lists if page.startswith("lists/")]
    for page in now:
        assert "Renamed &amp; Sons" in (out / "dashboard" / page).read_text(encoding="utf-8"), page
    # every list page that held the client or holds it now is made again, and not every list page is
    remade = sorted(path for path in made if LIST_PAGE.fullmatch(path))
    assert set(lists) | set(now) <= set(remade)
    assert len(remade) < len([path for path in tree(out) if LIST_PAGE.fullmatch(path.removeprefix("dashboard/"))])
    assert tree(out) == clean_build(data, tmp_path, speed=Speed.on(1))
    assert site(out) == plain_build(data, tmp_path)


def test_an_onsite_visit_remakes_the_heatmap_page_holding_the_client_and_no_other(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    small_pages(data)
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    onsite = re.compile(r"lists/onsite(-\d+)?\.html")
    pages = sorted(path for path in tree(out) if onsite.fullmatch(path.removeprefix("dashboard/")))
    assert len(pages) > 1
    visited: dict[str, str] = {}

    def visit(row: dict[str, str]) -> None:
        row.update(date="2026-11-29", kind="onsite", note="Replaced the switch")
        visited.update(row)
    append_row(data / "contacts.csv", visit)
    page = holding(out, visited["client"], onsite)
    assert len(page) == 1
    before = (out / "dashboard" / page[0]).read_bytes()
    made = pages_made(monkeypatch)
    build_site(data, out, speed=Speed.on(1))
    # this month's cell of the client's row counts one more visit; the other heatmap pages are reused
    assert [path for path in made if onsite.fullmatch(path)] == page
    assert (out / "dashboard" / page[0]).read_bytes() != before
    assert tree(out) == clean_build(data, tmp_path, speed=Speed.on(1))
    assert site(out) == plain_build(data, tmp_path)


def calendar_visits(out: Path) -> dict[str, str]:
    """Client id → what the calendar pages say of its on-site visit due (its detail cell)."""
    found = {}
    for page in sorted((out / "dashboard").glob("calendar*.html")):
        text = page.read_text(encoding="utf-8")
        for client, detail in re.findall(r'<tr class="visit">.*?href="clients/([^"]+)\.html">.*?<td>([^<]*)</td></tr>', text):
            found[client] = detail
    return found


def test_a_visit_this_month_is_counted_on_the_calendar(data: Path, tmp_path: Path) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    client, detail = next((client, detail) for client, detail in calendar_visits(out).items() if "so far" in detail)
    append_row(data / "contacts.csv", lambda row: row.update(client=client, date="2026-11-28", kind="onsite", note="Moved the printer"))
    build_site(data, out, speed=Speed.on(1))
    assert calendar_visits(out)[client] != detail  # one more visit so far, or the minimum met and the next one next month
    assert tree(out) == clean_build(data, tmp_path, speed=Speed.on(1))
    assert site(out) == plain_build(data, tmp_path)
