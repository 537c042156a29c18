"""Dashboards bounded by design: the overview shows the most urgent few and every list that grows
with the portfolio is paged, so no dashboard page grows with the number of clients (issue #17)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from generator.build import build_site
from generator.charts.spec import every_quarter, series
from generator.demo import write_demo
from tests.test_cli_validate import validate

LIST_SIZE, PAGE_SIZE = 5, 20
PAGED = ("lists/", "clients/index", "inbox", "calendar", "invitations", "surveys/annual-review/", "surveys/quarterly-pulse/")


def demo_site(root: Path, clients: int) -> Path:
    """A demo portfolio of `clients` clients with small pages, built; returns its dashboard folder."""
    data = root / "data"
    write_demo(data, clients=clients)
    settings = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))
    settings["dashboards"] = {**settings.get("dashboards", {}), "list_size": LIST_SIZE, "page_size": PAGE_SIZE}
    (data / "site.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "paging-test-secret")
        patch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
        build_site(data, root / "output")
    return root / "output" / "dashboard"


@pytest.fixture(scope="module")
def small_and_large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return demo_site(tmp_path_factory.mktemp("small"), 60), demo_site(tmp_path_factory.mktemp("large"), 240)


def kind(path: str) -> str:
    """A page's kind: its path with page numbers and client ids taken out."""
    if path.startswith("clients/") and not re.fullmatch(r"clients/(index|page-\d+)\.html", path):
        return "client page"
    if re.fullmatch(r"clients/page-\d+\.html", path):
        return "clients/index.html"
    return re.sub(r"-\d+(?=\.html$)", "", path)


def biggest_by_kind(dashboard: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for page in dashboard.rglob("*.html"):
        name = kind(page.relative_to(dashboard).as_posix())
        sizes[name] = max(sizes.get(name, 0), page.stat().st_size)
    return sizes


def page_counts(dashboard: Path) -> Counter[str]:
    return Counter(kind(p.relative_to(dashboard).as_posix()) for p in dashboard.rglob("*.html"))


def test_no_page_grows_with_the_portfolio(small_and_large: tuple[Path, Path]) -> None:
    small, large = (biggest_by_kind(folder) for folder in small_and_large)
    small_pages, large_pages = (page_counts(folder) for folder in small_and_large)
    assert set(small) == set(large)
    grown = {name: (small[name], large[name]) for name in small
             # a client page grows with that client's history, not with the portfolio;
             # a list on a single page at 60 clients may not fill it yet
             if name != "client page" and not (small_pages[name] == 1 and name.startswith(PAGED))
             and large[name] > small[name] * 1.10}
    assert grown == {}
    # four times the clients: the lists have more pages, not bigger ones
    assert large_pages["clients/index.html"] == 240 // PAGE_SIZE
    # the inbox keeps one newest page and grows archive pages (tests/test_answer_archive.py)
    assert large_pages["inbox.html"] == small_pages["inbox.html"] == 1
    assert large_pages["inbox-archive.html"] > small_pages["inbox-archive.html"] > 0
    assert large_pages["lists/onsite.html"] > small_pages["lists/onsite.html"] > 1
    # and every page stays far below a size that grows with the portfolio
    assert max(large.values()) < 200_000


def test_the_overview_shows_the_most_urgent_and_links_to_the_rest(small_and_large: tuple[Path, Path]) -> None:
    dashboard = small_and_large[1]
    overview = (dashboard / "index.html").read_text(encoding="utf-8")
    risk = overview.split('<ol class="risk-list">')[1].split("</ol>")[0]
    assert risk.count('<li class="risk-item">') == LIST_SIZE
    found = re.search(r'<a href="lists/at-risk.html">See all (\d+) clients at risk</a> \((\d+) more than shown here\)', overview)
    assert found and int(found.group(1)) - LIST_SIZE == int(found.group(2)) > 0
    # the full list, across its pages, holds every client at risk once, the overview's first
    listed = []
    for page in sorted(dashboard.glob("lists/at-risk*.html"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 1)):
        listed += re.findall(r'<th scope="row"><a href="../clients/([a-z0-9-]+)\.html">', page.read_text(encoding="utf-8"))
    assert len(listed) == len(set(listed)) == int(found.group(1))
    assert re.findall(r'<h3><a href="clients/([a-z0-9-]+)\.html">', risk) == listed[:LIST_SIZE]
    # the heatmap holds the same few rows, and no table of every client is left on the overview
    heatmap = overview.split('<table class="data heatmap">')[1].split("</table>")[0]
    assert heatmap.count('<th scope="row">') == LIST_SIZE
    assert '<a href="clients/index.html">The client index: all 240 clients, active or not, by name</a>' in overview


def test_the_client_index_pages_hold_every_client_once(small_and_large: tuple[Path, Path]) -> None:
    dashboard = small_and_large[1]
    first = (dashboard / "clients" / "index.html").read_text(encoding="utf-8")
    assert "Page 1 of 12 · entries 1–20 of 240" in first
    assert '<a href="page-2.html" rel="next">Next page</a>' in first and '<a href="page-12.html" rel="last">Last page</a>' in first
    last = (dashboard / "clients" / "page-12.html").read_text(encoding="utf-8")
    assert '<a href="index.html" rel="first">First page</a>' in last and '<a href="page-11.html" rel="prev">' in last
    ids = []
    for number in range(1, 13):
        page = dashboard / "clients" / ("index.html" if number == 1 else f"page-{number}.html")
        rows = re.findall(r'<th scope="row"><a href="\.\./clients/([a-z0-9-]+)\.html">', page.read_text(encoding="utf-8"))
        assert len(rows) == PAGE_SIZE
        ids += rows
    pages = {p.stem for p in (dashboard / "clients").glob("*.html")} - {"index"} - {f"page-{n}" for n in range(2, 13)}
    assert sorted(ids) == sorted(pages) and len(set(ids)) == 240


def test_survey_pages_show_the_newest_answers_and_page_the_rest(small_and_large: tuple[Path, Path]) -> None:
    dashboard = small_and_large[1]
    survey = (dashboard / "surveys" / "annual-review.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="annual-review/answers.html">All (\d+) written answers to this survey</a>', survey)
    answers = (dashboard / "surveys" / "annual-review" / "answers.html").read_text(encoding="utf-8")
    assert answers.count('<li class="inbox-item"') == PAGE_SIZE
    assert '<a href="../../clients/' in answers  # links back up to the client pages


def test_the_surveys_due_come_in_pages_of_the_short_list_size(small_and_large: tuple[Path, Path]) -> None:
    # a work list like the invitation kit: a few dozen entries at a thousand clients, so pages of
    # `page_size` would not be full at that size and would grow with the portfolio (issue #17)
    dashboard = small_and_large[1]
    first = (dashboard / "lists" / "surveys-due.html").read_text(encoding="utf-8")
    total = int(re.search(r'<p class="lead">(\d+) clients?\.', first).group(1))
    assert total > LIST_SIZE
    pages = sorted(dashboard.glob("lists/surveys-due*.html"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 1))
    rows = [re.findall(r'<th scope="row"><a href="\.\./clients/([a-z0-9-]+)\.html">', page.read_text(encoding="utf-8"))
            for page in pages]
    assert [len(found) for found in rows] == [LIST_SIZE] * (total // LIST_SIZE) + ([total % LIST_SIZE] if total % LIST_SIZE else [])
    assert f"Page 1 of {len(pages)} · entries 1–{LIST_SIZE} of {total}" in first


DUE_ROW = re.compile(
    r'<tr><th scope="row"><a href="\.\./clients/(?P<id>[a-z0-9-]+)\.html">(?P<name>[^<]+)</a></th>'
    r'<td><time>(?P<due>\d{4}-\d\d-\d\d)</time></td>'
    r'<td class="(?:(?P<bad>bad)|due)">(?:overdue (?P<late>\d+)|due in (?P<early>\d+)) days</td>'
    r'(?:<td>(?:<time>\d{4}-\d\d-\d\d</time>|<span class="none">—</span>)</td>){3}</tr>\n')


def test_every_survey_due_row_has_the_same_cells_whatever_it_shows(small_and_large: tuple[Path, Path]) -> None:
    # a row's size must not depend on the client's figures, so a page of `list_size` rows is bounded (issue #17)
    dashboard = small_and_large[1]
    first = (dashboard / "lists" / "surveys-due.html").read_text(encoding="utf-8")
    assert ('<thead><tr><th scope="col">Client</th><th scope="col">Survey due</th><th scope="col">Status</th>'
            '<th scope="col">Last response</th><th scope="col">Last contact</th><th scope="col">Renewal</th></tr></thead>') in first
    as_of = dt.date.fromisoformat(re.search(r'Report date <time datetime="([\d-]+)">', first).group(1))
    rows = []
    for page in dashboard.glob("lists/surveys-due*.html"):
        body = page.read_text(encoding="utf-8").split("<tbody>\n")[1].split("</tbody>")[0]
        found = list(DUE_ROW.finditer(body))
        assert "".join(match.group(0) for match in found) == body  # nothing but such rows
        rows += found
    assert {row["bad"] is not None for row in rows} == {True, False}  # both kinds of row are there
    for row in rows:
        late = (as_of - dt.date.fromisoformat(row["due"])).days
        assert (int(row["late"]) == late > 0) if row["bad"] else (int(row["early"]) == -late >= 0)
    # what is not the client's id or name varies by a few characters at most (an absent date, a day count)
    fixed = [len(row.group(0)) - len(row["id"]) - len(row["name"]) for row in rows]
    assert max(fixed) - min(fixed) <= 12
    assert 'class="indicative"' not in first and "(n=" not in first


def test_a_client_id_that_would_replace_the_client_index_is_refused(make_portfolio, tmp_path: Path) -> None:
    from tests.conftest import CLIENT

    data = make_portfolio(clients=[CLIENT, {**CLIENT, "id": "page-2", "name": "Page Two"}])
    result = validate(data)
    assert result.returncode == 1
    assert "clients.yaml:" in result.stderr + result.stdout
    assert "'page-2' is a reserved name" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_time_axes_keep_empty_quarters_as_gaps() -> None:
    assert every_quarter(["2025-Q3", "2026-Q2"]) == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    line = series("NPS", ["2025-Q4", "2026-Q2"], [40.0, 10.0], [6, 7], [False, False], "#000", 5)[0]
    assert line["x"] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert line["y"] == [40.0, None, 10.0] and line["connectgaps"] is False
